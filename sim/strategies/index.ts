/**
 * The strategies of simulated nodes: one module each, and {@link hooksFor},
 * which turns a scenario's strategy spec into the fault hooks a node is
 * created with (node/job/faults.ts).
 *
 * Strategies acting inside the node (values, timing, nonces) are hooks;
 * `crash` is carried out by the simulation (SIGKILL and restart of the
 * process), `spam` and `sybil` by the node host (sim/node-host.ts), which
 * sends their messages over the node's libp2p host or extra hosts.
 */
import type { FaultHooks } from '../../node/job/faults.ts'
import { cartel } from './cartel.ts'
import { strategyContext } from './context.ts'
import { deflate } from './deflate.ts'
import { equivocate } from './equivocate.ts'
import { grinder } from './grinder.ts'
import { honest } from './honest.ts'
import { inflate } from './inflate.ts'
import { launderer } from './launderer.ts'
import { liar } from './liar.ts'
import { silent } from './silent.ts'
import { slow } from './slow.ts'
import { stripCaveats } from './strip-caveats.ts'
import type { StrategySpec } from './spec.ts'

export { STRATEGY_KINDS, STRATEGY_SPEC, type StrategySpec, type StrategyKind, isByzantine, COLLUDING_KINDS } from './spec.ts'

/** The fault hooks of a node with strategy `spec` in a run seeded with `seed`. */
export function hooksFor (spec: StrategySpec, seed: string, name: string): FaultHooks {
  const ctx = strategyContext(seed, name)
  switch (spec.kind) {
    case 'honest': case 'crash': case 'spam': case 'sybil': return honest(ctx)
    case 'liar': return liar(ctx)
    case 'inflate': return inflate(ctx)
    case 'deflate': return deflate(ctx)
    case 'cartel': return cartel(ctx, spec.verdict)
    case 'equivocate': return equivocate(ctx)
    case 'silent': return silent(ctx)
    case 'slow': return slow(ctx, spec.lateMs)
    case 'grinder': return grinder(ctx, spec.tries)
    case 'launderer': return launderer(ctx)
    case 'strip-caveats': return stripCaveats(ctx)
  }
}
