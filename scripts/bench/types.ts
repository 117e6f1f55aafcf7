/**
 * Shape of one benchmark figure. Every figure is measured beside a baseline
 * from the same run on the same machine, so the ratio stays meaningful on a
 * shared, noisy machine even when absolute numbers move.
 */
export interface BenchResult {
  /** What was measured, e.g. `vote validation`. */
  name: string
  /** Median of the measured repetitions. */
  value: number
  /** Unit of `value` and `baselineValue`, e.g. `votes/s`. */
  unit: string
  /** What the baseline is, e.g. `node:crypto ed25519 verify`. */
  baseline: string
  /** Median of the baseline's repetitions, same unit. */
  baselineValue: number
  /** value / baselineValue. */
  ratio: number
}

/** A benchmark suite: a named async function returning its figures. */
export interface BenchSuite {
  name: string
  run: () => Promise<BenchResult[]>
}

/** Median of a non-empty list of numbers. */
export function median (values: number[]): number {
  if (values.length === 0) throw new Error('median of an empty list')
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Builds a result, computing the ratio. */
export function result (name: string, value: number, unit: string, baseline: string, baselineValue: number): BenchResult {
  return { name, value, unit, baseline, baselineValue, ratio: baselineValue === 0 ? NaN : value / baselineValue }
}

/**
 * Runs `fn` `repetitions` times and returns the median rate in operations per
 * second, where each run performs `ops` operations. A warm-up run comes first.
 * With `clock: 'cpu'` a run's time is the CPU time this process used
 * (`process.cpuUsage`), not wall time: for synchronous single-threaded work on
 * a shared machine, time spent descheduled then does not count.
 */
export async function measureRate (ops: number, fn: () => unknown | Promise<unknown>, repetitions = 5, clock: 'wall' | 'cpu' = 'wall'): Promise<number> {
  return (await measureRatesAlternated([{ ops, fn }], repetitions, clock))[0]!
}

/**
 * Rates of several functions measured in alternation: each round runs every
 * function once, in turn, starting with a different one each round, so that
 * a change of the machine's speed during the measurement (a shared machine)
 * falls on all of them alike, and none always runs right after the same
 * other one. Each is run once before the rounds (warm-up). Returns the
 * median rate of each, in the order given.
 */
export async function measureRatesAlternated (runs: ReadonlyArray<{ ops: number, fn: () => unknown | Promise<unknown> }>, repetitions = 11, clock: 'wall' | 'cpu' = 'cpu'): Promise<number[]> {
  for (const r of runs) await r.fn()
  const rates: number[][] = runs.map(() => [])
  for (let i = 0; i < repetitions; i++) {
    for (let k = 0; k < runs.length; k++) {
      const j = (i + k) % runs.length
      const t0 = clock === 'cpu' ? cpuMicros() : process.hrtime.bigint()
      await runs[j]!.fn()
      const ns = clock === 'cpu' ? (cpuMicros() - (t0 as number)) * 1000 : Number(process.hrtime.bigint() - (t0 as bigint))
      rates[j]!.push(runs[j]!.ops / (ns / 1e9))
    }
  }
  return rates.map(median)
}

/** CPU time (user and system) this process used so far, in microseconds. */
function cpuMicros (): number {
  const u = process.cpuUsage()
  return u.user + u.system
}
