/**
 * A cluster of p2p peer processes (the test fixture test/node/p2p/fixtures/peer.ts),
 * fully connected and subscribed, for benchmarks with 4, 10 or more separate
 * node processes on 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sha256Hex } from '../../../protocol/hash.ts'
import { spawnJsonLineChild, type JsonLineChild } from './processes.ts'

/** Path of the peer process script, relative to the repository root. */
export const PEER_SCRIPT = 'test/node/p2p/fixtures/peer.ts'

/** A started cluster. */
export interface PeerCluster {
  readonly peers: Array<JsonLineChild & { peerId: string, addrs: string[] }>
  /** Stops every process and removes their folders. */
  stop: () => Promise<void>
}

/**
 * Starts `n` peer processes in parallel, connects each to every earlier one,
 * and resolves once every peer sees the other `n - 1` subscribed to the votes
 * topic. The wait for that is bounded (a hang guard: 600 polls of 50 ms).
 */
export async function startPeerCluster (n: number, networkId = 'benchnet'): Promise<PeerCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'te-bench-p2p-'))
  const peers = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const config = { seed: sha256Hex(`bench-peer/${i}`), networkId, dataDir: join(dir, String(i)), blobMode: 'none' }
    const child = await spawnJsonLineChild(PEER_SCRIPT, [JSON.stringify(config)])
    return Object.assign(child, { peerId: child.ready.peerId as string, addrs: child.ready.addrs as string[] })
  }))
  const stop = async (): Promise<void> => {
    await Promise.all(peers.map(async (p) => { await p.stop(5000) }))
    await rm(dir, { recursive: true, force: true })
  }
  try {
    for (let i = 1; i < n; i++) await peers[i]!.request('dial', { addrs: peers.slice(0, i).map((p) => p.addrs[0]!) })
    for (let attempt = 0; ; attempt++) {
      const counts = await Promise.all(peers.map(async (p) => (await p.request<string[]>('subscribers', { kind: 'votes' })).length))
      if (counts.every((c) => c === n - 1)) break
      if (attempt >= 600) throw new Error(`cluster never fully subscribed: ${counts.join(',')}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  } catch (err) {
    await stop()
    throw err
  }
  return { peers, stop }
}
