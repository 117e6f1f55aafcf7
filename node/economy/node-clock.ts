/**
 * The clock a node's economy deferral waits on. A node is given either a
 * plain `() => number` (its clock for timestamps) or a full {@link Clock}
 * such as the economy module's `ManualClock`, which tests move; this turns
 * either into a {@link Clock}.
 */
import { systemClock, type Clock } from '../optimizer/economy/clock.ts'

/** setTimeout's largest delay (2^31 - 1 ms, about 24.8 days); longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1

/** True when `clock` is a {@link Clock} rather than a bare time function. */
export function isClock (clock: unknown): clock is Clock {
  return typeof clock === 'object' && clock !== null && typeof (clock as Clock).now === 'function' && typeof (clock as Clock).sleepUntil === 'function'
}

/**
 * A {@link Clock} for `clock`: the clock itself when it is one, the system
 * clock when absent, otherwise `now` = the function and a timer that sleeps
 * for the remaining time and re-reads the function until it reaches the
 * target (so a clock that runs fast or slow is still honoured).
 */
export function toClock (clock: (() => number) | Clock | undefined): Clock {
  if (clock === undefined) return systemClock
  if (isClock(clock)) return clock
  const now = clock
  return {
    now,
    sleepUntil: async (until, signal) => {
      while (now() < until) {
        signal?.throwIfAborted()
        await new Promise<void>((resolve, reject) => {
          const onAbort = (): void => { clearTimeout(timer); reject(signal?.reason) }
          const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, Math.max(1, Math.min(MAX_TIMEOUT_MS, until - now())))
          signal?.addEventListener('abort', onAbort, { once: true })
        })
      }
    }
  }
}
