/**
 * A network for attack tests: a cluster of real node processes on
 * 127.0.0.1 (sim/cluster.ts), some of them started, and libp2p hosts of the
 * test's own that dial node1 as a Byzantine validator (with the key of a
 * validator the cluster did not start) or as a stranger (a fresh key).
 * Registers its own `beforeAll` and `afterAll`: the hosts are stopped and
 * the cluster's processes and folders removed after the file's tests.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, beforeAll } from 'vitest'
import { type NetworkConfig, parseNetwork } from '../../protocol/network.ts'
import { libp2pPrivateKey, loadKeyFile } from '../../node/keys.ts'
import { createHost, type Host } from '../../node/p2p/index.ts'
import { Cluster } from '../../sim/cluster.ts'

/** What {@link rogueNetwork} gives a test file. */
export interface RogueNetwork {
  /** The cluster (available in tests, after `beforeAll`). */
  readonly cluster: Cluster
  /** The cluster's network file, parsed. */
  readonly network: NetworkConfig
  /** A host (not started) dialling node1: with the key of validator `as` (e.g. `node2`), or a fresh key when absent. */
  rogue: (as?: string) => Promise<Host>
}

/**
 * A cluster of `validators` validators of which the nodes named in `start`
 * run (node1 by default), `prepare` applied to its files before they start.
 */
export function rogueNetwork (validators: number, options: { start?: readonly string[], prepare?: (cluster: Cluster) => void } = {}): RogueNetwork {
  let cluster: Cluster | undefined
  let network: NetworkConfig | undefined
  const hosts: Host[] = []
  beforeAll(async () => {
    cluster = Cluster.init(validators)
    options.prepare?.(cluster)
    for (const name of options.start ?? ['node1']) await cluster.start(name)
    network = parseNetwork(readFileSync(cluster.networkFile))
  })
  afterAll(async () => {
    for (const h of hosts) await h.stop().catch(() => {})
    await cluster?.cleanup()
  })
  return {
    get cluster () { return cluster! },
    get network () { return network! },
    rogue: async (as) => {
      const privateKey = as === undefined ? await generateKeyPair('Ed25519') : libp2pPrivateKey(loadKeyFile(join(cluster!.dir, as, 'key.json')))
      const host = await createHost({ privateKey, networkId: network!.networkId, bootstrap: [cluster!.entry('node1').listen] })
      hosts.push(host)
      return host
    }
  }
}
