/**
 * When a run's views have settled (pure: no I/O). A job decides on a quorum:
 * the votes that lost the race to it, and the votes of nodes still measuring
 * when it decided, come after the decision. They are still stored, shown in
 * the job's view and judged (a deviating late vote flags its voter), and the
 * run is scored on them (sim/evaluate.ts). So after the decisions the runner
 * reads the views again until no vote it will be scored on is in flight:
 * every honest node holds, in the round it decided, the vote of every voter
 * that cast one there, or that may still cast one.
 */
import type { JobView } from '../node/types.ts'
import type { StrategyKind } from './strategies/spec.ts'

/**
 * Strategies whose votes the settling does not wait for: `silent` never
 * votes; `slow` and `launderer` vote after the deadline or the decision (the
 * runner waits for those on their own); `spam` floods until its peers
 * graylist it and hang up (node/p2p/gossip-score.ts), so its own vote may
 * never reach them.
 */
export const UNAWAITED_KINDS: readonly StrategyKind[] = ['silent', 'slow', 'launderer', 'spam']

/** One voter as the settling check sees it: its key, and its own view of the job (null when it could not be read). */
export interface Voter {
  key: string
  view: JobView | null
}

/** The deadline of the round that decided (or holds) the job in view `v`: each grey-zone round ends one deadline span later. */
export function roundDeadlineOf (v: JobView): number {
  return v.timings.deadline + v.round * (v.timings.deadline - v.timings.createdAt)
}

/**
 * How long after its voter cast it a vote that has not reached a node is
 * still taken to be on its way, ms. Gossip between nodes on one machine takes
 * milliseconds, seconds when the machine is loaded; a vote that has not
 * arrived by then was dropped (its sender graylisted by its peers), and
 * waiting longer would not bring it.
 */
export const VOTE_IN_FLIGHT_MS = 10_000

/**
 * Whether `voter` may still have a vote for round `round` on its way to the
 * others at `now`: it cast one less than {@link VOTE_IN_FLIGHT_MS} ago (its
 * own view holds it: gossip is under way), or it has not yet cast one and
 * still can (it neither recorded a failure to measure nor passed the round's
 * deadline, `deadline`, after which its measurement is cut).
 */
function mayVote (voter: Voter, round: number, deadline: number, now: number): boolean {
  const v = voter.view
  const own = v?.votes.find((x) => x.voter === voter.key && x.round === round)
  if (own !== undefined) return now < own.receivedAt + VOTE_IN_FLIGHT_MS
  if (v !== null && v.error !== null) return false
  return now < deadline
}

/**
 * The votes an honest node's view of a job still lacks, as `voter key@round`:
 * for the round it decided in, one from every voter in `voters` that cast
 * one or may still cast one (see {@link mayVote}). Empty once the view is
 * settled. `voters` are those whose votes are awaited (not those of
 * {@link UNAWAITED_KINDS}). Empty too for a view whose votes retention
 * pruned.
 */
export function missingVotes (view: JobView, voters: readonly Voter[], now: number): string[] {
  // Pruned by retention: the view shows the certificate's votes, and a vote coming now is refused.
  if (view.timings.prunedAt !== null) return []
  const deadline = roundDeadlineOf(view)
  const held = new Set(view.votes.filter((x) => x.round === view.round).map((x) => x.voter))
  return voters.filter((v) => !held.has(v.key) && mayVote(v, view.round, deadline, now)).map((v) => `${v.key}@${view.round}`)
}
