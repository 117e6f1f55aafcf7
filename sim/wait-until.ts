/**
 * The simulation runner's bounded waits (sim/runner.ts): a check polled until
 * it holds or its hang guard runs out, ending at once when a node host died.
 */
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Polls `check` every `pollMs` until it returns true or `limitMs` passes (a
 * hang guard). With `fail` false, running out of time just ends the wait:
 * the run then reports what it has (undecided jobs count against liveness).
 * True when `check` held. Throws at once when `down` names a node host that
 * died: no later poll can succeed.
 */
export async function waitUntil (check: () => Promise<boolean>, limitMs: number, what: string, fail = true, down: () => string | null = () => null, pollMs = 250): Promise<boolean> {
  const end = Date.now() + limitMs
  while (Date.now() < end) {
    try {
      if (await check()) return true
    } catch {}
    const dead = down()
    if (dead !== null) throw new Error(`while waiting for ${what}: ${dead}`)
    await sleep(pollMs)
  }
  if (fail) throw new Error(`gave up waiting for ${what}`)
  return false
}
