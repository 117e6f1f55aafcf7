/**
 * Hostile peers against a real node process on 127.0.0.1 (node1 of a
 * two-validator network; node2 is not running, so its key can play a
 * Byzantine validator): a blob-stream flood on a 64 MiB blob, a flood of
 * re-encoded copies of one signed vote, a catch-up request flood, a peer
 * that announces addresses for the node to dial at its next start, and a
 * farm of fresh identities on one address.
 *
 * Budgets are stated as constants and asserted on the node's own metrics
 * (resident memory, process CPU seconds, offence counters), never on wall
 * time; every flood is bounded.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair as libp2pKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import * as lp from 'it-length-prefixed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { newVote, signVote } from '../../protocol/vote.ts'
import { networkDigest, parseNetwork } from '../../protocol/network.ts'
import { libp2pPrivateKey, loadKeyFile } from '../../node/keys.ts'
import { BLOB_PROTOCOL, DEFAULT_ADMISSION_OPTIONS, OPEN_JOBS_PROTOCOL, createHost, encodeBlobRequest, type Host } from '../../node/p2p/index.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { Cluster, waitFor } from '../../sim/cluster.ts'

/** Largest growth of the serving node's resident memory while a peer holds its maximum of blob streams (docs/networking.md). */
const SERVE_MEMORY_BOUND_BYTES = 64 * 1024 * 1024
/** CPU the node may spend on a flood of 3,000 re-encoded votes (before: about 7 s). */
const REENCODE_CPU_BUDGET_S = 2
/** CPU the node may spend on 600 open-jobs requests (before: about 10 s for 592). */
const CATCH_UP_CPU_BUDGET_S = 2

async function metricsText (cluster: Cluster): Promise<string> {
  return await (await fetch(`${cluster.entry('node1').apiUrl}/metrics`)).text()
}

/** Sum of a metric's series whose labels contain `labels` (0 when absent). */
async function metric (cluster: Cluster, name: string, labels = ''): Promise<number> {
  let sum = 0
  for (const line of (await metricsText(cluster)).split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue
    if (labels !== '' && !rest.includes(labels)) continue
    sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return sum
}

const RSS = 'trust_engine_process_resident_memory_bytes'
const CPU = 'trust_engine_process_cpu_seconds_total'
const OFFENCES = 'trust_engine_peer_offences_total'

describe('hostile peers against a node process', () => {
  let cluster: Cluster
  let networkId = ''
  const hosts: Host[] = []

  async function peer (privateKey?: Parameters<typeof createHost>[0]['privateKey']): Promise<Host> {
    const host = await createHost({ privateKey: privateKey ?? await libp2pKeyPair('Ed25519'), networkId, bootstrap: [cluster.entry('node1').listen] })
    hosts.push(host)
    await host.start()
    await waitFor(async () => host.admittedPeers().length > 0, 'peer admitted by node1')
    return host
  }

  beforeAll(async () => {
    cluster = Cluster.init(2)
    networkId = (JSON.parse(readFileSync(cluster.networkFile, 'utf8')) as { networkId: string }).networkId
    await cluster.start('node1')
  })
  afterAll(async () => {
    for (const h of hosts) await h.stop().catch(() => {})
    await cluster?.cleanup()
  })

  it('keeps memory bounded while a validator holds its maximum of blob streams on a 64 MiB blob without reading', async () => {
    const blob = Buffer.alloc(64 * 1024 * 1024)
    for (let i = 0; i < blob.length; i += 4) blob.writeUInt32LE(i * 2654435761 >>> 0, i)
    const sha = sha256Hex(blob)
    const up = await cluster.raw('node1', '/v1/blobs', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: blob })
    expect(up.status).toBe(201)
    // A Byzantine validator: node2's key (node2 itself is not running).
    const rogue = await peer(libp2pPrivateKey(loadKeyFile(join(cluster.dir, 'node2', 'key.json'))))
    const before = await metric(cluster, RSS)
    // The validator quota (8 streams): each stream asks for the blob, reads the status frame, then stops reading.
    const streams = await Promise.all(Array.from({ length: DEFAULT_ADMISSION_OPTIONS.validator.blobStreams }, async () => {
      const s = await rogue.libp2p.dialProtocol(peerIdFromString(cluster.entry('node1').peerId), BLOB_PROTOCOL)
      void s.sink([lp.encode.single(encodeBlobRequest({ sha256: sha }))]).catch(() => {})
      const status = await lp.decode(s.source).next()
      expect(JSON.parse(new TextDecoder().decode(status.value!.subarray()))).toEqual({ status: 'found', size: blob.length })
      return s
    }))
    let peak = 0
    for (let i = 0; i < 10; i++) {
      peak = Math.max(peak, await metric(cluster, RSS))
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(peak - before).toBeLessThan(SERVE_MEMORY_BOUND_BYTES)
    for (const s of streams) s.abort(new Error('done'))
    expect(await metric(cluster, OFFENCES)).toBe(0)
  })

  it('rejects re-encoded copies of a signed vote before verifying them, penalises and drops the sender within a CPU budget', async () => {
    const node2Key = JSON.parse(readFileSync(join(cluster.dir, 'node2', 'key.json'), 'utf8')) as { publicKey: string, privateKey: string }
    const network = parseNetwork(readFileSync(cluster.networkFile))
    const vote = signVote(newVote({
      networkId, networkDigest: networkDigest(network), engine: network.measurement.engine, seed: 'cd'.repeat(32), jobId: 'ab'.repeat(32), round: 0, voter: node2Key.publicKey, metrics: { ssim: 0.99, psnr: 40, ssimLocal: 0.95 }, intervals: { ssim: [0.98, 1], psnr: [39, 41], ssimLocal: [0.93, 0.97] }, samples: 10
    }), node2Key.privateKey)
    const json = new TextDecoder().decode(canonicalEncode(vote))
    const rogue = await peer()
    await waitFor(async () => rogue.gossip.subscribers(rogue.topics.votes).length > 0, 'rogue sees node1 subscribed')
    const cpuBefore = await metric(cluster, CPU)
    let sent = 0
    for (let i = 1; i <= 3000; i++) {
      // Distinct bytes, same signed value: leading spaces and trailing newlines.
      const bytes = new TextEncoder().encode(' '.repeat(i % 1000) + json + '\n'.repeat(Math.floor(i / 1000)))
      const ok = await rogue.libp2p.services.pubsub.publish(rogue.topics.votes, bytes).then(() => true, () => false)
      if (!ok) break
      sent++
    }
    expect(sent).toBeGreaterThan(0)
    await waitFor(async () => await metric(cluster, 'trust_engine_gossip_validation_results_total', 'code="ERR_NOT_CANONICAL"') >= 1, 'non-canonical rejected')
    // Graylisted (two REJECTs) and then hung up.
    await waitFor(async () => await metric(cluster, OFFENCES, 'code="ERR_GRAYLISTED"') >= 1, 'sender hung up')
    const cpu = (await metric(cluster, CPU)) - cpuBefore
    expect(cpu).toBeLessThan(REENCODE_CPU_BUDGET_S)
    expect(await metric(cluster, 'trust_engine_gossip_validation_results_total', 'result="accept"')).toBe(0)
  })

  it('refuses catch-up requests over an observer\'s quota, penalises and drops it within a CPU budget', async () => {
    const rogue = await peer()
    const cpuBefore = await metric(cluster, CPU)
    let answered = 0
    for (let i = 0; i < 600; i++) {
      const s = await rogue.libp2p.dialProtocol(peerIdFromString(cluster.entry('node1').peerId), OPEN_JOBS_PROTOCOL).catch(() => null)
      if (s === null) break
      void s.sink([lp.encode.single(new TextEncoder().encode('{"from":0}'))]).catch(() => {})
      const ok = await (async () => { for await (const _ of lp.decode(s.source)) { /* page */ } })().then(() => true, () => false)
      if (ok) answered++
    }
    // About the observer's per-minute quota answered (30, plus 0.5 a second refilled during the flood), then refused.
    expect(answered).toBeLessThan(100)
    await waitFor(async () => await metric(cluster, OFFENCES, 'code="ERR_STREAM_QUOTA"') >= 4, 'requests over quota penalised')
    await waitFor(async () => !rogue.isAdmitted(cluster.entry('node1').peerId), 'rogue hung up')
    const cpu = (await metric(cluster, CPU)) - cpuBefore
    expect(cpu).toBeLessThan(CATCH_UP_CPU_BUDGET_S)
  })

  it('never stores or dials at restart an address announced by a peer outside the validator set', async () => {
    const sybil = await peer()
    let dialledBySybilVictim = 0
    sybil.libp2p.addEventListener('connection:open', (evt) => {
      if (evt.detail.remotePeer.toString() === cluster.entry('node1').peerId && evt.detail.direction === 'inbound') dialledBySybilVictim++
    })
    const { peers } = await cluster.get('node1', '/v1/peers') as { peers: Array<{ peerId: string, addresses: string[] }> }
    expect(peers.find((p) => p.peerId === sybil.peerId.toString())?.addresses ?? []).toEqual([])
    await cluster.stop('node1')
    await cluster.start('node1')
    // node1 dials the peers of its peer book at start; the sybil is not among them.
    await waitFor(async () => ((await cluster.get('node1', '/healthz')) as { ok: boolean }).ok, 'node1 up')
    const after = await cluster.get('node1', '/v1/peers') as { peers: Array<{ peerId: string, addresses: string[] }> }
    expect(after.peers.find((p) => p.peerId === sybil.peerId.toString())?.addresses ?? []).toEqual([])
    expect(dialledBySybilVictim).toBe(0)
  })

  it('refuses a farm of identities on one address before the handshake once it went beyond the per-IP bound', async () => {
    // Only the farm dials from this address: the earlier tests' peers (bootstrapped to node1, so they redial
    // once refused) would add refusals of their own to the count below.
    for (const h of hosts.splice(0)) await h.stop().catch(() => {})
    const REFUSED = 'trust_engine_peers_refused_total'
    const tooMany0 = await metric(cluster, REFUSED, 'code="ERR_TOO_MANY_CONNECTIONS_PER_IP"')
    const backoff0 = await metric(cluster, REFUSED, 'code="ERR_IP_BACKOFF"')
    const target = multiaddr(cluster.entry('node1').listen)
    const dials = 2 * DEFAULT_ADMISSION_OPTIONS.maxObserverConnectionsPerIp + 24
    const t0 = performance.now()
    for (let i = 0; i < dials; i++) {
      const h = await createHost({ privateKey: await libp2pKeyPair('Ed25519'), networkId })
      hosts.push(h)
      await h.start()
      await h.libp2p.dial(target).catch(() => null)
    }
    const elapsedMs = performance.now() - t0
    const tooMany = await metric(cluster, REFUSED, 'code="ERR_TOO_MANY_CONNECTIONS_PER_IP"') - tooMany0
    const backoff = await metric(cluster, REFUSED, 'code="ERR_IP_BACKOFF"') - backoff0
    // Handshakes paid for identities beyond the bound: the first, then one probe per interval at most
    // (a bound that grows with the time the dials took, so a slow machine cannot fail it).
    expect(tooMany).toBeGreaterThanOrEqual(1)
    expect(tooMany).toBeLessThanOrEqual(2 + Math.floor(elapsedMs / DEFAULT_ADMISSION_OPTIONS.ipBackoffProbeMs))
    // Every other dial was refused before the handshake: at most the per-IP bound were let in, whatever
    // the time the dials took (dials / 2, the bound before, depended on the dials being faster than the probes).
    expect(backoff).toBeGreaterThanOrEqual(dials - DEFAULT_ADMISSION_OPTIONS.maxObserverConnectionsPerIp - tooMany)
  })
})
