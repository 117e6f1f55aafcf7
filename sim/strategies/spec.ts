/**
 * The strategy of one simulated node, as written in a scenario file
 * (`{ "kind": "liar" }`, `{ "kind": "slow", "lateMs": 3000 }`, …). Each kind
 * is documented in its own module beside this one and in docs/simulation.md.
 */
import { z } from 'zod'

/** Names of the strategies. */
export const STRATEGY_KINDS = ['honest', 'liar', 'inflate', 'deflate', 'cartel', 'equivocate', 'silent', 'slow', 'crash', 'spam', 'sybil', 'grinder', 'launderer', 'strip-caveats'] as const

/** One strategy kind. */
export type StrategyKind = typeof STRATEGY_KINDS[number]

/** Strategies whose members report one shared false value (they collude, so they add up against the 1/3 bound). */
export const COLLUDING_KINDS: readonly StrategyKind[] = ['inflate', 'deflate', 'cartel']

/** Schema of a strategy spec. */
export const STRATEGY_SPEC = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('honest') }),
  z.strictObject({ kind: z.literal('liar') }),
  z.strictObject({ kind: z.literal('inflate') }),
  z.strictObject({ kind: z.literal('deflate') }),
  z.strictObject({
    kind: z.literal('cartel'),
    /** `flip`: the opposite of the truth; `pass`/`fail`: always that verdict. */
    verdict: z.enum(['flip', 'pass', 'fail']).default('flip')
  }),
  z.strictObject({ kind: z.literal('equivocate') }),
  z.strictObject({ kind: z.literal('silent') }),
  z.strictObject({
    kind: z.literal('slow'),
    /** How long after the round's deadline the vote is published, ms. */
    lateMs: z.int().min(1).max(600_000).default(1500)
  }),
  z.strictObject({
    kind: z.literal('crash'),
    /** When the node is killed (SIGKILL), ms after the job of index `job` was submitted. */
    afterMs: z.int().min(0).max(600_000).default(200),
    /** Index of the job during which it is killed. */
    job: z.int().min(0).max(999).default(0),
    /** How long it stays down before its restart, ms. */
    downMs: z.int().min(0).max(600_000).default(1000)
  }),
  z.strictObject({
    kind: z.literal('spam'),
    /** Messages sent per flood (malformed, oversized, replayed and unknown-job votes in turn). */
    messages: z.int().min(1).max(100_000).default(300),
    /** Messages per second. */
    rate: z.int().min(1).max(10_000).default(200)
  }),
  z.strictObject({
    kind: z.literal('sybil'),
    /** Identities outside the validator set that this node's process runs and that vote on every job. */
    identities: z.int().min(1).max(200).default(8)
  }),
  z.strictObject({
    kind: z.literal('grinder'),
    /** Nonces tried per submitted job. */
    tries: z.int().min(1).max(4096).default(48)
  }),
  z.strictObject({ kind: z.literal('launderer') }),
  z.strictObject({ kind: z.literal('strip-caveats') })
])

/** A strategy spec, validated, defaults filled in. */
export type StrategySpec = z.output<typeof STRATEGY_SPEC>

/** True for strategies that deviate from the protocol on purpose (crash is a benign fault: counted honest). */
export function isByzantine (spec: StrategySpec): boolean {
  return spec.kind !== 'honest' && spec.kind !== 'crash'
}
