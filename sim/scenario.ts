/**
 * Scenario files: what one simulation run does, as JSON validated with zod.
 *
 * ```json
 * {
 *   "name": "inflate-cartel-25",
 *   "seed": "5eed01",
 *   "nodes": [
 *     { "count": 3, "weight": 1 },
 *     { "weight": 1, "strategy": { "kind": "inflate" } }
 *   ],
 *   "jobs": { "count": 4, "quality": "mixed", "deadlineMs": 8000, "intervalMs": 500 }
 * }
 * ```
 *
 * Nodes are listed in groups (`count` nodes alike); with `placement`
 * `shuffled` (the default) the seed decides which names (`node1`…) get which
 * group, so faulty nodes are not always the highest-numbered. The submitter
 * is a named node, or one honest node drawn from the seed. The same scenario
 * and seed give the same keys, placement, nonces, liars' values and outcomes.
 */
import { readFileSync, statSync } from 'node:fs'
import { z } from 'zod'
import { TrustEngineError, declareCode } from '../protocol/errors.ts'
import { STRATEGY_SPEC } from './strategies/spec.ts'

/** Code of a scenario file that cannot be read, is too large, is not JSON or violates the schema. */
export const ERR_SCENARIO_INVALID = declareCode('ERR_SCENARIO_INVALID', { status: 400 })

/** Largest scenario file read: a scenario is a few kilobytes. */
export const MAX_SCENARIO_BYTES = 256 * 1024

/** Most validators one run starts (the network file allows 1000; a run here fits far fewer). */
export const MAX_SIM_NODES = 400

const nodeGroup = z.strictObject({
  /** How many nodes of this group. */
  count: z.int().min(1).max(MAX_SIM_NODES).default(1),
  /** Base weight of each (the network file's weight: an integer ≥ 1). */
  weight: z.int().min(1).max(1_000_000).default(1),
  /** Behaviour; honest when absent. */
  strategy: STRATEGY_SPEC.default({ kind: 'honest' })
})

const partition = z.strictObject({
  /** Groups of node names; links between different groups are cut. */
  groups: z.array(z.array(z.string().regex(/^node\d+$/)).min(1)).min(2).max(8),
  /** When the cut starts, ms after the first job is submitted. */
  fromMs: z.int().min(0).max(3_600_000).default(0),
  /** When it heals, ms after the first job is submitted; never when absent. */
  healMs: z.int().min(1).max(3_600_000).optional()
})

/** Schema of the network conditions of a run (applied in user space by relays, sim/relay.ts). */
export const NETWORK_CONDITIONS = z.strictObject({
  /** One-way delay added to every link, ms. */
  delayMs: z.int().min(0).max(10_000).default(0),
  /** Uniform jitter added to the delay, ± ms. */
  jitterMs: z.int().min(0).max(10_000).default(0),
  /** Partitions between groups, each with its start and healing time. */
  partitions: z.array(partition).max(16).default([])
})

/** Schema of the jobs of a run. */
export const JOBS = z.strictObject({
  /** Job kind: frames (PNG frame sets) or scene (generated glTF scenes). */
  kind: z.enum(['frames', 'scene']).default('frames'),
  /** Number of jobs. */
  count: z.int().min(1).max(1000).default(3),
  /**
   * How good each candidate truly is: `pass` (honest measurement clearly
   * above the thresholds), `fail` (clearly below), `mixed` (alternating,
   * starting with pass), or `patchy` (a frame set whose frames are mostly
   * perfect and partly ruined, failing as a whole: the grinder's target).
   */
  quality: z.enum(['pass', 'fail', 'mixed', 'patchy']).default('mixed'),
  /** Time between submissions, ms (the rate); each waits for the previous submission's answer. */
  intervalMs: z.int().min(0).max(600_000).default(0),
  /** Vote deadline of each job, ms after its announcement. */
  deadlineMs: z.int().min(1000).max(600_000).default(10_000),
  /** Side of each frame in pixels. */
  size: z.int().min(16).max(512).default(48),
  /** Frames per job (frames jobs). */
  frames: z.int().min(1).max(32).default(2)
})

/** Schema of a scenario file. */
export const SCENARIO = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  description: z.string().max(2000).default(''),
  /** Seed of every random choice of the run: lowercase hex, 1 to 32 bytes. */
  seed: z.string().regex(/^(?:[0-9a-f]{2}){1,32}$/).default('5eed'),
  nodes: z.array(nodeGroup).min(1).max(64),
  /** `shuffled`: the seed assigns groups to names; `listed`: in the order given. */
  placement: z.enum(['shuffled', 'listed']).default('shuffled'),
  /** Node that submits every job (e.g. `node3`), or `random`: an honest node drawn from the seed per job. */
  submitter: z.union([z.literal('random'), z.string().regex(/^node\d+$/)]).default('random'),
  jobs: JOBS.default(JOBS.parse({})),
  network: NETWORK_CONDITIONS.default(NETWORK_CONDITIONS.parse({})),
  /** Each node dials this many others at start (gossipsub's mesh and peer exchange do the rest); 0: every other. */
  bootstrapPeers: z.int().min(0).max(256).default(0),
  /** Nodes per operating-system process (1: one process per node; more: many real nodes in one process). */
  nodesPerProcess: z.int().min(1).max(200).default(1)
}).superRefine((s, ctx) => {
  const total = s.nodes.reduce((a, g) => a + g.count, 0)
  if (total > MAX_SIM_NODES) ctx.addIssue({ code: 'custom', path: ['nodes'], message: `at most ${MAX_SIM_NODES} nodes` })
  const names = new Set(Array.from({ length: total }, (_, i) => `node${i + 1}`))
  if (s.submitter !== 'random' && !names.has(s.submitter)) ctx.addIssue({ code: 'custom', path: ['submitter'], message: 'no such node' })
  for (const [i, p] of s.network.partitions.entries()) {
    for (const g of p.groups) for (const n of g) if (!names.has(n)) ctx.addIssue({ code: 'custom', path: ['network', 'partitions', i], message: `no node ${n}` })
    if (p.healMs !== undefined && p.healMs <= p.fromMs) ctx.addIssue({ code: 'custom', path: ['network', 'partitions', i, 'healMs'], message: 'heals before it starts' })
  }
})

/** A validated scenario with its defaults filled in. */
export type Scenario = z.output<typeof SCENARIO>
/** A scenario as written in a file (defaults may be left out). */
export type ScenarioInput = z.input<typeof SCENARIO>

/** Validates a scenario object (`ERR_SCENARIO_INVALID` with the first issue's path). */
export function parseScenario (value: unknown): Scenario {
  const r = SCENARIO.safeParse(value)
  if (!r.success) {
    const issue = r.error.issues[0]!
    throw new TrustEngineError(ERR_SCENARIO_INVALID, `scenario: ${issue.path.join('.') || '(root)'}: ${issue.message}`)
  }
  return r.data
}

/** Reads and validates a scenario file: size first, then JSON, then the schema. */
export function loadScenario (path: string): Scenario {
  let text: string
  try {
    if (statSync(path).size > MAX_SCENARIO_BYTES) throw new TrustEngineError(ERR_SCENARIO_INVALID, `scenario file larger than ${MAX_SCENARIO_BYTES} bytes`)
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if (err instanceof TrustEngineError) throw err
    throw new TrustEngineError(ERR_SCENARIO_INVALID, `cannot read scenario ${path}: ${(err as Error).message}`, { cause: err })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new TrustEngineError(ERR_SCENARIO_INVALID, `scenario ${path} is not JSON`, { cause: err })
  }
  return parseScenario(json)
}

/** The total base weight of a scenario and the share held by non-honest nodes. */
export function byzantineShare (s: Scenario): { total: number, byzantine: number, share: number } {
  let total = 0
  let byzantine = 0
  for (const g of s.nodes) {
    total += g.count * g.weight
    if (g.strategy.kind !== 'honest' && g.strategy.kind !== 'crash') byzantine += g.count * g.weight
  }
  return { total, byzantine, share: total === 0 ? 0 : byzantine / total }
}
