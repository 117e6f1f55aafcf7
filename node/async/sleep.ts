/**
 * Waiting that an `AbortSignal` cuts short, the one sleep of the node (retry
 * and redial back-offs, blob fetch rounds).
 */

/**
 * Resolves after `ms` milliseconds, or as soon as `signal` aborts (at once if
 * it already has); never rejects, so callers check `signal.aborted` after.
 * The timer and the listener are both removed whichever comes first.
 *
 * @example
 * ```ts
 * await sleep(backoffMs, signal)
 * if (signal.aborted) return
 * ```
 */
export async function sleep (ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    function done (): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}
