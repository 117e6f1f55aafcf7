/**
 * When the runner's views have settled (sim/settle.ts): which votes an
 * honest node's view still lacks after the decision, read against each
 * voter's own view, on views written out here.
 */
import { describe, expect, it } from 'vitest'
import type { JobView } from '../../node/types.ts'
import { VOTE_IN_FLIGHT_MS, missingVotes } from '../../sim/settle.ts'

const CREATED = 1_000_000
const DEADLINE = CREATED + 20_000

/** A view in `round` holding votes of `voters` (as `key@round` or `key`, round 0; each received at `receivedAt`, else `CREATED`), with `over` on top. */
function view (voters: string[], over: { round?: number, error?: JobView['error'], prunedAt?: number, receivedAt?: number } = {}): JobView {
  const votes = voters.map((v) => {
    const [voter, round] = v.split('@')
    return { voter, round: Number(round ?? 0), receivedAt: over.receivedAt ?? CREATED }
  })
  return {
    round: over.round ?? 0,
    votes,
    error: over.error ?? null,
    timings: { createdAt: CREATED, deadline: DEADLINE, prunedAt: over.prunedAt ?? null }
  } as unknown as JobView
}

describe('settled views', () => {
  it('a view holding every cast vote is settled', () => {
    const voters = [{ key: 'a', view: view(['a', 'b']) }, { key: 'b', view: view(['b']) }]
    expect(missingVotes(view(['a', 'b']), voters, CREATED + 1000)).toEqual([])
  })

  it('a vote its voter cast but the view lacks is on its way, until it is taken as dropped', () => {
    const voters = [{ key: 'a', view: view(['a']) }, { key: 'b', view: view(['a', 'b']) }]
    expect(missingVotes(view(['a']), voters, CREATED + 1000)).toEqual(['b@0'])
    expect(missingVotes(view(['a']), voters, CREATED + VOTE_IN_FLIGHT_MS)).toEqual([])
  })

  it('a voter still measuring before the deadline may still vote; after the deadline, or having failed, it will not', () => {
    const measuring = [{ key: 'c', view: view([]) }]
    expect(missingVotes(view(['a']), measuring, CREATED + 1000)).toEqual(['c@0'])
    expect(missingVotes(view(['a']), measuring, DEADLINE)).toEqual([])
    const failed = [{ key: 'c', view: view([], { error: { code: 'ERR_BLOB_UNAVAILABLE', message: 'gone' } }) }]
    expect(missingVotes(view(['a']), failed, CREATED + 1000)).toEqual([])
  })

  it('an unreadable voter (its node restarting) may still vote until the deadline', () => {
    expect(missingVotes(view(['a']), [{ key: 'c', view: null }], CREATED + 1000)).toEqual(['c@0'])
  })

  it('counts the deciding round only, whose deadline is one span later in the grey zone', () => {
    const voters = [{ key: 'a', view: view(['a@0', 'a@1'], { round: 1, receivedAt: DEADLINE }) }, { key: 'b', view: view(['b@0'], { round: 1 }) }]
    // Round 0 votes do not count in round 1; b may still vote in round 1 until its later deadline.
    expect(missingVotes(view(['a@0', 'b@0'], { round: 1 }), voters, DEADLINE + 1000)).toEqual(['a@1', 'b@1'])
    expect(missingVotes(view(['a@0', 'b@0', 'a@1'], { round: 1 }), voters, DEADLINE + 20_000)).toEqual([])
  })

  it('a view whose votes retention pruned is settled', () => {
    const voters = [{ key: 'b', view: view(['b']) }]
    expect(missingVotes(view([], { prunedAt: CREATED + 5000 }), voters, CREATED + 6000)).toEqual([])
  })
})
