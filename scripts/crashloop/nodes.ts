/**
 * The crash loop's validators: the soak's network (scripts/soak/network.ts:
 * seeded keys, one node host process each, the last one lying when asked),
 * with what a kill and a restart need: which node is up, its public key,
 * and a restart of its process on the same data folder, key, ports and
 * config. Only processes started here are killed or stopped here, by their
 * handles.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type SoakNode, startSoakNetwork } from '../soak/network.ts'
import { type HostProcess, killHost, startHost, stopHost } from '../../sim/processes.ts'
import { type NetworkConfig, parseNetwork } from '../../protocol/network.ts'

/** One validator of the crash loop. */
export interface CrashNode {
  index: number
  name: string
  liar: boolean
  publicKey: string
  apiUrl: string
  dataDir: string
  /** Its running process; null while it is down. */
  host: HostProcess | null
  /** Kills so far: a request that fails while this moved failed because of the kill. */
  generation: number
  /** The node host's spec it is started and restarted from. */
  spec: HostProcess['spec']
}

/** The network the loop runs: its folder, network file and nodes. */
export interface CrashNetwork {
  dir: string
  network: NetworkConfig
  nodes: CrashNode[]
}

/** Writes and starts the network in `dir` (see {@link startSoakNetwork}). */
export async function startCrashNetwork (dir: string, nodes: number, liars: number, seed: string): Promise<CrashNetwork> {
  const started: SoakNode[] = await startSoakNetwork(dir, nodes, liars, seed)
  const network = parseNetwork(JSON.parse(readFileSync(join(dir, 'network.json'), 'utf8')))
  return {
    dir,
    network,
    nodes: started.map((n, index) => ({
      index,
      name: n.name,
      liar: n.liar,
      publicKey: network.validators.find((v) => v.name === n.name)!.publicKey,
      apiUrl: n.apiUrl,
      dataDir: n.dataDir,
      host: n.host,
      generation: 0,
      spec: n.host.spec
    }))
  }
}

/** SIGKILLs `node`'s process and waits until it is gone; the node is down afterwards. */
export async function killNode (node: CrashNode): Promise<void> {
  const host = node.host
  node.host = null
  node.generation++
  if (host !== null) await killHost(host)
}

/** How many times a restart is tried: its ports can be held a moment by another process. */
const RESTART_TRIES = 5

/**
 * Starts `node` again from its spec (same config: data folder, key, ports);
 * resolves once it printed its ready line. A start that fails (a port taken
 * in between) is tried again after a pause.
 */
export async function restartNode (dir: string, node: CrashNode): Promise<void> {
  let last: unknown
  for (let attempt = 0; attempt < RESTART_TRIES; attempt++) {
    try {
      node.host = await startHost(dir, node.index, node.spec)
      return
    } catch (err) {
      last = err
      await sleep(2000)
    }
  }
  throw last
}

/** Stops every running node with SIGTERM (each stops in order). */
export async function stopCrashNetwork (net: CrashNetwork): Promise<void> {
  await Promise.all(net.nodes.map(async (n) => {
    const host = n.host
    n.host = null
    if (host !== null) await stopHost(host)
  }))
}
