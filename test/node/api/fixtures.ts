/**
 * A real node for API and CLI tests: a fresh key and data directory under the
 * system's temp folder, a network of `validators` validators of which only the
 * first runs (so with two or more, no job reaches quorum and stays pending
 * until its deadline), real LevelDB, real libp2p on 127.0.0.1, and the HTTP
 * API on a free port.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApi, type ApiOptions, type ApiServer } from '../../../node/api/server.ts'
import type { EvidenceStoreOptions } from '../../../node/evidence/evidence-store.ts'
import { generateKeyFile, type KeyFile } from '../../../node/keys.ts'
import { createNode, type NodeInit, type TrustEngineNode } from '../../../node/node.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { parseNetwork, type NetworkConfig, type NetworkInput } from '../../../protocol/network.ts'
import { addNoise, blur, encodePng, scene } from '../measure/fixtures.ts'

/** A running node with its API. */
export interface TestNode {
  node: TrustEngineNode
  api: ApiServer
  url: string
  dir: string
  key: KeyFile
  network: NetworkConfig
  /** Stops API and node (cutting the stop's drain: a test's jobs may wait for validators that never run) and removes the data directory. */
  close: () => Promise<void>
}

/** Starts a node whose key is the first of `validators` validators, with its API on a free loopback port; `network` adds parameter groups to its network file. */
export async function startTestNode (options: { validators?: number, network?: Omit<NetworkInput, 'networkId' | 'protocolVersion' | 'validators'>, api?: Partial<ApiOptions>, evidence?: Partial<EvidenceStoreOptions>, blobs?: NodeInit['blobs'], engine?: NodeInit['engine'] } = {}): Promise<TestNode> {
  const dir = await mkdtemp(join(tmpdir(), 'trust-engine-api-'))
  const key = generateKeyFile(join(dir, 'key.json'))
  const others = Array.from({ length: (options.validators ?? 1) - 1 }, () => generateKeyPair().publicKey)
  const network = parseNetwork({
    networkId: 'api-test',
    protocolVersion: 1,
    validators: [key.publicKey, ...others].map((publicKey, i) => ({ name: `node${i + 1}`, publicKey, weight: 1 })),
    ...options.network
  })
  const node = await createNode({ dataDir: dir, network, logLevel: 'silent', ...(options.evidence === undefined ? {} : { evidence: options.evidence }), ...(options.blobs === undefined ? {} : { blobs: options.blobs }), ...(options.engine === undefined ? {} : { engine: options.engine }) })
  let api: ApiServer
  try {
    api = await startApi(node, { port: 0, ...options.api })
  } catch (err) {
    await node.stop()
    throw err
  }
  return {
    node,
    api,
    url: api.url,
    dir,
    key,
    network,
    close: async () => {
      await api.close()
      await node.stop({ force: true })
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** A reference frame (PNG bytes): a 64×64 scene; `shift` moves its content. */
export function referencePng (shift = 0): Uint8Array {
  return encodePng(scene(64, 64, shift))
}

/** A close copy of {@link referencePng}: seeded ±1 noise, far above the seed thresholds (SSIM 0.98, PSNR 35). */
export function goodCandidatePng (shift = 0): Uint8Array {
  return encodePng(addNoise(scene(64, 64, shift), 1, `good-${shift}`))
}

/** A poor copy of {@link referencePng}: blurred with ±40 noise, below the thresholds. */
export function badCandidatePng (shift = 0): Uint8Array {
  return encodePng(addNoise(blur(scene(64, 64, shift)), 40, `bad-${shift}`))
}

/** JSON body and headers of a request, for fetch. */
export function json (body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } }
}

/** Raw bytes as a blob upload, for fetch. */
export function octets (bytes: Uint8Array, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream', ...headers } }
}

/** Uploads `bytes` through a test node's API (`POST /v1/blobs`) and returns their sha256; throws unless the node answers 201. */
export async function uploadBlob (t: TestNode, bytes: Uint8Array): Promise<string> {
  const r = await fetch(`${t.url}/v1/blobs`, octets(bytes))
  if (r.status !== 201) throw new Error(`upload answered ${r.status}`)
  return ((await r.json()) as { sha256: string }).sha256
}
