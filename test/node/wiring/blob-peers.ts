/**
 * Two real libp2p hosts over 127.0.0.1 for the blob tests: a server
 * answering blob requests from its own blob folder and a client connected
 * to it with another, in temporary folders removed after each test.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach } from 'vitest'
import { BlobDir, createHost, serveBlobs, type Host } from '../../../node/p2p/index.ts'
import { waitUntil } from '../p2p/fixtures/cluster.ts'

/** The hosts and folders made by {@link blobPeers}. */
export interface BlobPeers {
  /** The server's blob folder (what it serves). */
  served: BlobDir
  /** The client's blob folder. */
  local: BlobDir
  server: Host
  client: Host
  /** How many blob requests the server has answered: all of them, or those for the blob `sha256`. */
  asked: (sha256?: string) => number
}

/**
 * Registers the clean-up of every host and folder made by the functions it
 * returns (call once per test file, at its top level): `tempDir` makes a
 * folder named after `prefix`, `blobPeers` the two connected hosts.
 */
export function blobPeerFixtures (prefix: string): { tempDir: () => Promise<string>, blobPeers: () => Promise<BlobPeers> } {
  const hosts: Host[] = []
  const dirs: string[] = []
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map(async (h) => { await h.stop() }))
    await Promise.all(dirs.splice(0).map(async (d) => { await rm(d, { recursive: true, force: true }) }))
  })
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), prefix))
    dirs.push(dir)
    return dir
  }
  const blobPeers = async (): Promise<BlobPeers> => {
    const served = new BlobDir(await tempDir())
    const local = new BlobDir(await tempDir())
    const asks: string[] = []
    const server = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'testnet' })
    hosts.push(server)
    await serveBlobs(server, { getBlob: async (sha) => { asks.push(sha); return await served.open(sha) } })
    await server.start()
    const client = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'testnet', bootstrap: server.multiaddrs() })
    hosts.push(client)
    await client.start()
    await waitUntil(() => client.isAdmitted(server.peerId), 'connected')
    return { served, local, server, client, asked: (sha256) => sha256 === undefined ? asks.length : asks.filter((s) => s === sha256).length }
  }
  return { tempDir, blobPeers }
}
