/**
 * Fuzzing helpers: byte strings made from valid samples by the mutations a
 * hostile peer or a broken disk produces (bit flips, truncation, inserted,
 * overwritten and deleted runs, splices of two samples) or made up from
 * nothing, and the invariant every decoder of the project keeps on them.
 */
import fc from 'fast-check'
import { expect } from 'vitest'
import { declaredCodes, isTrustEngineError } from '../../protocol/errors.ts'

/**
 * Runs of a fuzz property: `n` in `npm test`, `n` times `FUZZ_SCALE` when
 * set (`npm run fuzz` sets 20 for a long run).
 */
export function runs (n: number): number {
  const scale = Number(process.env.FUZZ_SCALE ?? '1')
  return Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)))
}

/** Bytes derived from `samples` by one to four mutations, or random bytes of at most `maxRandom`. */
export function mutatedBytes (samples: readonly Uint8Array[], maxRandom = 512): fc.Arbitrary<Uint8Array> {
  const sample = fc.constantFrom(...samples)
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), other: sample, from: fc.nat() })
  )
  const derived = fc.tuple(sample, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([start, steps]) => {
    let b = start
    for (const m of steps) {
      const at = b.length === 0 ? 0 : m.at % (b.length + 1)
      if (m.kind === 'flip') {
        if (b.length === 0) continue
        b = Uint8Array.from(b)
        b[at % b.length] = b[at % b.length]! ^ (1 << m.bit)
      } else if (m.kind === 'truncate') b = b.subarray(0, at)
      else if (m.kind === 'insert') b = concat(b.subarray(0, at), m.bytes, b.subarray(at))
      else if (m.kind === 'overwrite') b = concat(b.subarray(0, at), m.bytes, b.subarray(Math.min(b.length, at + m.bytes.length)))
      else if (m.kind === 'delete') b = concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + m.length)))
      else b = concat(b.subarray(0, at), m.other.subarray(m.from % (m.other.length + 1)))
    }
    return b
  })
  return fc.oneof({ weight: 4, arbitrary: derived }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: maxRandom }) })
}

/** JSON text (as bytes) of values a schema may meet: objects, arrays, strings, numbers of every kind, nesting. */
export function jsonBytes (): fc.Arbitrary<Uint8Array> {
  return fc.json({ depthSize: 'small' }).map((t) => new TextEncoder().encode(t))
}

function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

/**
 * The invariant of every decoder: it returns, or throws a `TrustEngineError`
 * whose code is declared (docs/errors.md); never a TypeError, a RangeError,
 * an untyped throw or a code nobody declared.
 */
export function expectTypedOutcome (run: () => unknown): void {
  try {
    run()
  } catch (err) {
    expectTyped(err)
  }
}

/** {@link expectTypedOutcome} for an async decoder. */
export async function expectTypedOutcomeAsync (run: () => Promise<unknown>): Promise<void> {
  try {
    await run()
  } catch (err) {
    expectTyped(err)
  }
}

function expectTyped (err: unknown): void {
  if (!isTrustEngineError(err)) expect.fail(`untyped error: ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err)}`)
  const declared = new Set(declaredCodes().map(([code]) => code))
  expect(declared.has(err.code), `undeclared code ${err.code}`).toBe(true)
}
