/**
 * `equivocate`: signs two different votes for the same job and round — its
 * true measurement and a clearly wrong one — and sends them to different
 * peers: the peers of the votes topic, in an order drawn from the seed, are
 * dealt alternately the true and the false vote, each sent to its peers
 * only (node/p2p/gossip.ts `publishTo`). Each honest peer thus first holds
 * one of the two and counts it; the other reaches it only relayed by a peer
 * that got it. Honest nodes must detect the pair, gossip the evidence and
 * stop counting the offender. Which vote is stored as its own is drawn from
 * the seed too.
 */
import type { FaultHooks } from '../../node/job/faults.ts'
import { rngFor } from '../seed.ts'
import type { StrategyContext } from './context.ts'
import { honest } from './honest.ts'
import { failingValue, passes, passingValue, reported } from './values.ts'

/** Hooks of an equivocating node. */
export function equivocate (ctx: StrategyContext): FaultHooks {
  return {
    ...honest(ctx),
    name: 'equivocate',
    votes: (m, f) => {
      const v = passes(m, f.job) ? failingValue(f.job) : passingValue(f.job)
      const pair = [m, reported(m, v)]
      return rngFor(ctx.seed, 'equivocate', ctx.name, f.jobId).nextInt(2) === 0 ? pair : pair.reverse()
    },
    votePeers: (peers, f) => dealAlternately(peers.length, rngFor(ctx.seed, 'equivocate-peers', ctx.name, f.jobId))
  }
}

/** Vote 0 and vote 1 dealt alternately over `n` peers taken in a seeded random order (a Fisher–Yates shuffle). */
function dealAlternately (n: number, rng: { nextInt: (k: number) => number }): number[] {
  const order = Array.from({ length: n }, (_x, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1)
    const t = order[i]!
    order[i] = order[j]!
    order[j] = t
  }
  const assign = new Array<number>(n).fill(0)
  for (const [rank, peer] of order.entries()) assign[peer] = rank % 2
  return assign
}
