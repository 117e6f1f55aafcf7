/**
 * The soak's network: validators written like the simulation's (seeded keys,
 * weights in the network file, one config per node; sim/network-files.ts),
 * each in its own process of the simulation's node host (sim/node-host.ts),
 * the last one with the `liar` strategy when the run has a liar. Honest
 * validators weigh enough that the liar stays under a third of the weight,
 * so every honest job must finalize. Only the processes started here are
 * stopped here, by their handles.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type SimNode, writeNetworkFiles } from '../../sim/network-files.ts'
import { type HostProcess, startHost, stopHost } from '../../sim/processes.ts'
import { parseScenario } from '../../sim/scenario.ts'

/** One validator of the soak, running. */
export interface SoakNode {
  name: string
  weight: number
  liar: boolean
  apiUrl: string
  /** Its data folder (LevelDB in `db/`, blobs in `blobs/`). */
  dataDir: string
  host: HostProcess
}

/**
 * The smallest integer weight `w` of each of `honest` validators such that,
 * against `liars` validators of weight 1, the honest ones hold strictly more
 * than two thirds of the weight: honest·w > 2·liars.
 */
export function honestWeight (honest: number, liars: number): number {
  return Math.floor((2 * liars) / honest) + 1
}

/**
 * How often a node runs its retention pass when the soak sets a retention
 * period of `minutes`: a quarter of the period, at most a minute, so a job
 * is pruned within a minute of its period's end.
 */
export function pruneIntervalMs (minutes: number): number {
  return Math.min(60_000, Math.round(minutes * 60_000 / 4))
}

/**
 * Writes the network into `dir` and starts every validator; resolves once
 * each printed its ready line. With `retentionMinutes`, each node's config
 * file prunes decided jobs' blobs, votes and evidence that long after their
 * decision.
 */
export async function startSoakNetwork (dir: string, nodes: number, liars: number, seed: string, retentionMinutes: number | null = null): Promise<SoakNode[]> {
  const honest = nodes - liars
  const w = honestWeight(honest, liars)
  const scenario = parseScenario({
    name: 'soak',
    seed,
    placement: 'listed',
    nodes: [{ count: honest, weight: w }, ...(liars > 0 ? [{ count: liars, weight: 1, strategy: { kind: 'liar' } }] : [])]
  })
  const placed: SimNode[] = scenario.nodes.flatMap((g) => Array.from({ length: g.count }, () => ({ weight: g.weight, strategy: g.strategy }))).map((g, i) => ({ name: `node${i + 1}`, ...g }))
  await writeNetworkFiles(dir, scenario, placed)
  if (retentionMinutes !== null) {
    for (const n of placed) {
      const file = join(dir, n.name, 'config.json')
      const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
      config.retention = { decidedJobsMs: Math.round(retentionMinutes * 60_000), pruneIntervalMs: pruneIntervalMs(retentionMinutes) }
      writeFileSync(file, JSON.stringify(config, null, 2) + '\n')
    }
  }
  const started: SoakNode[] = []
  try {
    for (const [i, n] of placed.entries()) {
      const host = await startHost(dir, i, { seed, logLevel: 'warn', nodes: [{ config: join(dir, n.name, 'config.json'), strategy: n.strategy }] })
      const ready = host.ready[0]!
      started.push({ name: n.name, weight: n.weight, liar: n.strategy.kind === 'liar', apiUrl: ready.apiUrl!, dataDir: ready.dataDir, host })
    }
  } catch (err) {
    await stopSoakNetwork(started)
    throw err
  }
  return started
}

/** Stops the validators started by {@link startSoakNetwork} (SIGTERM: each stops in order). */
export async function stopSoakNetwork (nodes: readonly SoakNode[]): Promise<void> {
  await Promise.all(nodes.map(async (n) => { await stopHost(n.host) }))
}
