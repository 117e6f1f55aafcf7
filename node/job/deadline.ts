/**
 * The one deadline rule of a job's rounds on a node, and the timer that
 * applies it.
 *
 * Round 0 ends at the job's deadline; a grey-zone round gets as long again as
 * round 0 had, from the job's deadline on. A round is over when the node's
 * clock reads its deadline or later. The engine asks the tally for its verdict
 * without any deadline and applies this rule itself, so there is one rule in
 * one place.
 *
 * Node's timers may fire a few milliseconds before `Date.now()` (or an
 * injected clock) reaches the instant they were armed for, so a timer that
 * fires early re-arms itself for the rest until the round is over by the
 * clock: a deadline is never missed.
 *
 * The same rule says when an announcement is too old to take in (every
 * round it can have is over, beyond the clock-skew tolerance), and when
 * work for a round is cut ({@link clockDeadline}).
 */
import { MAX_GREY_ZONE_ROUND } from '../../protocol/consensus/grey-zone.ts'
import type { JobAnnouncement } from '../../protocol/job.ts'

/** Deadline of round `round` of `job` (ms since the epoch). */
export function roundDeadline (job: JobAnnouncement, round: number): number {
  return job.deadline + round * (job.deadline - job.createdAt)
}

/** Whether round `round` of `job` is over at `now` by the node's clock. */
export function roundOver (job: JobAnnouncement, round: number, now: number): boolean {
  return now >= roundDeadline(job, round)
}

/**
 * An instant before every deadline of `job`: the tally is asked for its
 * verdict at this instant, so it judges by the votes alone, and the node
 * applies {@link roundOver} itself.
 */
export function beforeDeadlines (job: JobAnnouncement): number {
  return job.deadline - 1
}

/**
 * Whether every round `job` can have (up to the last grey-zone round) ended
 * more than `skewMs` (the network's clock-skew tolerance) before `now`: an
 * announcement that old is a stale replay, not taken in.
 */
export function jobExpired (job: JobAnnouncement, now: number, skewMs: number): boolean {
  return roundDeadline(job, MAX_GREY_ZONE_ROUND) + skewMs < now
}

/**
 * A one-shot timer for a round's deadline: calls `onDeadline` once the clock
 * reads the deadline or later, re-arming itself when the timer fires early.
 */
export class DeadlineTimer {
  readonly #clock: () => number
  readonly #onDeadline: () => void
  #timer: NodeJS.Timeout | null = null

  /** A timer reading `clock`; `onDeadline` runs once per {@link arm}, when the deadline is reached. */
  constructor (clock: () => number, onDeadline: () => void) {
    this.#clock = clock
    this.#onDeadline = onDeadline
  }

  /** (Re-)arms the timer for the instant `deadline` (ms since the epoch, by the clock). */
  arm (deadline: number): void {
    this.clear()
    const wait = deadline - this.#clock()
    if (wait <= 0) {
      this.#timer = setTimeout(() => { this.#timer = null; this.#onDeadline() }, 0)
      return
    }
    // At least 1 ms, so a clock that lags the timers by less than 1 ms still converges.
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.arm(deadline)
    }, Math.max(1, Math.ceil(wait)))
  }

  /** Stops the timer; safe to call twice. */
  clear (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }
}

/** A signal that aborts at an instant by the node's clock, and the way to stop its timer once the work is done. */
export interface ClockDeadline {
  signal: AbortSignal
  /** Stops the timer (the signal then never aborts); safe to call twice. */
  clear: () => void
}

/**
 * A signal that aborts once `clock` reads `deadline` or later — the rule of
 * {@link roundOver}, applied by a {@link DeadlineTimer} — rather than after
 * a span of real time: on a node whose clock is injected (a test's manual
 * clock, a simulation's), work is cut exactly when the node itself judges
 * the round over, never while the round is still open by its clock.
 */
export function clockDeadline (clock: () => number, deadline: number): ClockDeadline {
  const controller = new AbortController()
  const timer = new DeadlineTimer(clock, () => { controller.abort() })
  timer.arm(deadline)
  return { signal: controller.signal, clear: () => { timer.clear() } }
}
