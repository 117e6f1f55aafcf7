/**
 * The files of a simulated network, written from a scenario: one key per
 * validator derived from the run's seed, the network file with each
 * validator's base weight, one config file per node, and `nodes.json` (the
 * same layout as `trust-engine network init`, so the cluster helpers and
 * the CLI work on it). Each node bootstraps to `bootstrapPeers` others drawn
 * from the seed (0: all others), so large networks need not dial every pair.
 */
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PROTOCOL_VERSION } from '../protocol/constants.ts'
import { sha256Hex } from '../protocol/hash.ts'
import { type NetworkConfig, parseNetwork } from '../protocol/network.ts'
import type { NodeEntry, NodesFile } from '../node/cli/commands/network-init.ts'
import { freePorts as freePortsOn } from '../node/cli/free-ports.ts'
import { peerIdOf } from '../node/keys.ts'
import type { Scenario } from './scenario.ts'
import { keyPairFor, shuffled } from './seed.ts'
import type { StrategySpec } from './strategies/spec.ts'

/** One node of a run: its name, base weight and strategy. */
export interface SimNode {
  name: string
  weight: number
  strategy: StrategySpec
}

/** The nodes of a scenario with names assigned: in the listed order, or shuffled by the seed. */
export function placeNodes (s: Scenario): SimNode[] {
  const groups = s.nodes.flatMap((g) => Array.from({ length: g.count }, () => ({ weight: g.weight, strategy: g.strategy })))
  const placed = s.placement === 'shuffled' ? shuffled(groups, s.seed, 'placement') : groups
  return placed.map((g, i) => ({ name: `node${i + 1}`, ...g }))
}

/** `count` distinct free TCP ports on 127.0.0.1, below the ephemeral range (node/cli/free-ports.ts). */
export async function freePorts (count: number): Promise<number[]> {
  const ports = await freePortsOn('127.0.0.1', count)
  if (ports.length < count) throw new Error(`found only ${ports.length} of ${count} free ports on 127.0.0.1`)
  return ports
}

/** What {@link writeNetworkFiles} wrote. */
export interface SimNetwork {
  dir: string
  network: NetworkConfig
  entries: NodeEntry[]
}

/**
 * Writes keys, network file, configs and nodes.json for `nodes` into `dir`.
 * `dialAddress(from, to)` gives the address node `from` dials to reach
 * `to` (a relay's, under network conditions; the node's own otherwise).
 */
export async function writeNetworkFiles (dir: string, s: Scenario, nodes: SimNode[], dialAddress?: (from: string, to: NodeEntry) => string): Promise<SimNetwork> {
  const ports = await freePorts(nodes.length * 2)
  const keys = nodes.map((n) => keyPairFor(s.seed, n.name))
  const networkId = `sim-${sha256Hex(keys.map((k) => k.publicKey).sort().join('')).slice(0, 8)}`
  const network = parseNetwork({
    networkId,
    protocolVersion: PROTOCOL_VERSION,
    validators: nodes.map((n, i) => ({ name: n.name, publicKey: keys[i]!.publicKey, weight: n.weight }))
  })
  const entries: NodeEntry[] = nodes.map((n, i) => {
    const peerId = peerIdOf(keys[i]!.publicKey).toString()
    return { name: n.name, peerId, publicKey: keys[i]!.publicKey, config: `${n.name}/config.json`, listen: `/ip4/127.0.0.1/tcp/${ports[i]!}/p2p/${peerId}`, apiUrl: `http://127.0.0.1:${ports[nodes.length + i]!}` }
  })
  mkdirSync(dir, { recursive: true })
  for (const [i, n] of nodes.entries()) {
    mkdirSync(join(dir, n.name), { recursive: true })
    writeFileSync(join(dir, n.name, 'key.json'), JSON.stringify({ type: 'ed25519', ...keys[i]! }) + '\n', { mode: 0o600 })
    const others = entries.filter((e) => e.name !== n.name)
    const peers = s.bootstrapPeers === 0 ? others : shuffled(others, s.seed, 'bootstrap', n.name).slice(0, s.bootstrapPeers)
    const config = {
      name: n.name,
      dataDir: '.',
      network: '../network.json',
      key: 'key.json',
      listen: [`/ip4/127.0.0.1/tcp/${ports[i]!}`],
      api: `127.0.0.1:${ports[nodes.length + i]!}`,
      bootstrap: peers.map((e) => dialAddress?.(n.name, e) ?? e.listen)
    }
    writeFileSync(join(dir, n.name, 'config.json'), JSON.stringify(config, null, 2) + '\n')
  }
  const nodesFile: NodesFile = { networkId, nodes: entries }
  writeFileSync(join(dir, 'nodes.json'), JSON.stringify(nodesFile, null, 2) + '\n')
  writeFileSync(join(dir, 'network.json'), JSON.stringify(network, null, 2) + '\n')
  return { dir, network, entries }
}
