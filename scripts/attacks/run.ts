/**
 * Bounded attacks on one real node process on 127.0.0.1, with the node's
 * resident memory and CPU-seconds (from its own /metrics) and an honest job's
 * latency measured around each. Run it in a checkout to measure that
 * version; run the same file in an older checkout to compare.
 *
 *   node scripts/attacks/run.ts            # prints one JSON object
 *   node scripts/attacks/run.ts sybils     # only the named attacks (blob, reencode, catchup, sybils, uploads)
 *
 * Attacks (each bounded, all on 127.0.0.1):
 * - blob: a peer outside the validator set opens 16 streams on a 64 MiB blob
 *   and reads only the status frame;
 * - reencode: 3,000 whitespace re-encodings of one signed vote;
 * - catchup: 600 open-jobs catch-up requests;
 * - sybils: 100 fresh identities connect and keep redialling; three honest
 *   jobs are timed with them, beside three timed before any attack (medians,
 *   and their ratio), with the node's refusals by code;
 * - uploads: 3,000 one-kilobyte uploads through the API.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair as libp2pKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import * as lp from 'it-length-prefixed'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { newVote, signVote } from '../../protocol/vote.ts'
import { BLOB_PROTOCOL, createHost, encodeBlobRequest, type Host } from '../../node/p2p/index.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { Cluster, ROOT, waitFor } from '../../sim/cluster.ts'
import { testPng } from '../../sim/images.ts'

/** Largest ratio of an honest job's latency with 100 sybil identities to its quiet latency (docs/networking.md). */
const SYBIL_LATENCY_FACTOR_BOUND = 2
const only = process.argv.slice(2)
/** True when `name` is to run (all attacks when none is named). */
const wanted = (name: string): boolean => only.length === 0 || only.includes(name)
const cluster = Cluster.init(1)
const hosts: Host[] = []
const networkId = (JSON.parse(readFileSync(cluster.networkFile, 'utf8')) as { networkId: string }).networkId
const node = (): ReturnType<Cluster['entry']> => cluster.entry('node1')

async function metric (name: string): Promise<number> {
  const text = await (await fetch(`${node().apiUrl}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1))
}
const rssMiB = async (): Promise<number> => Math.round(await metric('trust_engine_process_resident_memory_bytes') / 2 ** 20)
const cpuS = async (): Promise<number> => await metric('trust_engine_process_cpu_seconds_total')

async function peer (): Promise<Host> {
  const host = await createHost({ privateKey: await libp2pKeyPair('Ed25519'), networkId, bootstrap: [node().listen] })
  hosts.push(host)
  await host.start()
  for (let i = 0; i < 50 && host.admittedPeers().length === 0; i++) await new Promise((r) => setTimeout(r, 100))
  return host
}

/** Latency (s) of an honest frames job, submission to decision. */
async function honestJobSeconds (seed: number): Promise<number> {
  const t0 = performance.now()
  const jobId = await cluster.submitFrames('node1', [testPng(64, 64, seed)], [testPng(64, 64, seed)])
  await cluster.waitDecided('node1', jobId)
  return Math.round((performance.now() - t0) / 10) / 100
}

/** Median latency (s) of three honest jobs, one after the other. */
async function honestMedianSeconds (seed: number): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < 3; i++) times.push(await honestJobSeconds(seed * 10 + i))
  return times.sort((a, b) => a - b)[1]!
}

/** The node's connection refusals by code, from its /metrics. */
async function refusals (): Promise<Record<string, number>> {
  const text = await (await fetch(`${node().apiUrl}/metrics`)).text()
  const out: Record<string, number> = {}
  for (const m of text.matchAll(/^trust_engine_peers_refused_total\{code="([A-Z_]+)"\} (\S+)$/gm)) out[m[1]!] = Number(m[2])
  return out
}

/** Runs `attack`, returning RSS (MiB) before and at peak, CPU-seconds spent, and its own figures. */
async function measure (attack: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const rssBefore = await rssMiB()
  const cpu0 = await cpuS()
  let peak = rssBefore
  let running = true
  const sampler = (async () => { while (running) { peak = Math.max(peak, await rssMiB()); await new Promise((r) => setTimeout(r, 100)) } })()
  const own = await attack()
  for (let i = 0; i < 10; i++) { peak = Math.max(peak, await rssMiB()); await new Promise((r) => setTimeout(r, 100)) }
  running = false
  await sampler
  return { rssBeforeMiB: rssBefore, rssPeakMiB: peak, cpuSeconds: Math.round((await cpuS() - cpu0) * 100) / 100, ...own }
}

const out: Record<string, unknown> = {}
try {
  await cluster.start('node1')
  out.honestJobSecondsQuiet = await honestMedianSeconds(1)

  if (wanted('blob')) {
    const blob = Buffer.alloc(64 * 1024 * 1024)
    for (let i = 0; i < blob.length; i += 4) blob.writeUInt32LE(i * 2654435761 >>> 0, i)
    const sha = sha256Hex(blob)
    await cluster.raw('node1', '/v1/blobs', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: blob })
    out.blob = await measure(async () => {
      const rogue = await peer()
      const statuses = await Promise.all(Array.from({ length: 16 }, async () => {
        try {
          const s = await rogue.libp2p.dialProtocol(peerIdFromString(node().peerId), BLOB_PROTOCOL)
          void s.sink([lp.encode.single(encodeBlobRequest({ sha256: sha }))]).catch(() => {})
          const first = await Promise.race([lp.decode(s.source).next(), new Promise<null>((r) => setTimeout(() => r(null), 15_000))])
          return first === null || first.done === true ? 'none' : 'found'
        } catch { return 'refused' }
      }))
      const honest = await honestJobSeconds(2)
      await rogue.stop()
      return { streamsAnswered: statuses.filter((s) => s === 'found').length, honestJobSeconds: honest }
    })
  }

  if (wanted('reencode')) {
    const key = JSON.parse(readFileSync(join(cluster.dir, 'node1', 'key.json'), 'utf8')) as { publicKey: string, privateKey: string }
    out.reencode = await measure(async () => {
      const rogue = await peer()
      await waitFor(async () => rogue.gossip.subscribers(rogue.topics.votes).length > 0, 'rogue sees the votes topic')
      // A well-formed signed vote for this checkout's vote schema (later versions added `ssimLocal`).
      const local = readFileSync(join(ROOT, 'protocol/vote.ts'), 'utf8').includes('ssimLocal')
      const metrics = { ssim: 0.99, psnr: 40, ...(local ? { ssimLocal: 0.99 } : {}) }
      const intervals = { ssim: [0.98, 1], psnr: [39, 41], ...(local ? { ssimLocal: [0.98, 1] } : {}) }
      const json = new TextDecoder().decode(canonicalEncode(signVote(newVote({ networkId, jobId: 'ab'.repeat(32), round: 0, voter: key.publicKey, metrics, intervals, samples: 10 } as never), key.privateKey)))
      let sent = 0
      for (let i = 1; i <= 3000; i++) {
        const ok = await rogue.libp2p.services.pubsub.publish(rogue.topics.votes, new TextEncoder().encode(' '.repeat(i % 1000) + json + '\n'.repeat(Math.floor(i / 1000)))).then(() => true, () => false)
        if (!ok) break
        sent++
      }
      await new Promise((r) => setTimeout(r, 2000))
      const { peers } = await cluster.get('node1', '/v1/peers') as { peers: Array<{ peerId: string, connected: boolean, gossipScore: number | null }> }
      const seen = peers.find((p) => p.peerId === rogue.peerId.toString())
      const honest = await honestJobSeconds(3)
      await rogue.stop()
      return { published: sent, senderConnected: seen?.connected ?? false, senderScore: seen?.gossipScore ?? null, honestJobSeconds: honest }
    })
  }

  if (wanted('catchup')) out.catchup = await measure(async () => {
    const rogue = await peer()
    let answered = 0
    let bytes = 0
    for (let i = 0; i < 600; i++) {
      const s = await rogue.libp2p.dialProtocol(peerIdFromString(node().peerId), ['/trust-engine/open-jobs/2.0.0', '/trust-engine/open-jobs/1.0.0']).catch(() => null)
      if (s === null) break
      void s.sink(s.protocol === '/trust-engine/open-jobs/2.0.0' ? [lp.encode.single(new TextEncoder().encode('{"from":0}'))] : []).catch(() => {})
      try { for await (const f of lp.decode(s.source, { maxDataLength: 1 << 20 })) bytes += f.byteLength; answered++ } catch {}
    }
    const honest = await honestJobSeconds(4)
    await rogue.stop()
    return { requestsAnswered: answered, bytesReceived: bytes, honestJobSeconds: honest }
  })

  if (wanted('sybils')) out.sybils = await measure(async () => {
    const sybils: Host[] = []
    for (let i = 0; i < 100; i++) {
      const h = await createHost({ privateKey: await libp2pKeyPair('Ed25519'), networkId, bootstrap: [node().listen] })
      hosts.push(h)
      await h.start()
      sybils.push(h)
    }
    await new Promise((r) => setTimeout(r, 3000))
    const admitted = sybils.filter((h) => h.admittedPeers().length > 0).length
    const honest = await honestMedianSeconds(5)
    const refused = await refusals()
    for (const h of sybils) await h.stop().catch(() => {})
    const quiet = out.honestJobSecondsQuiet as number
    const latencyFactor = Math.round(honest / quiet * 100) / 100
    return { sybilsAdmitted: admitted, honestJobSeconds: honest, latencyFactor, factorBound: SYBIL_LATENCY_FACTOR_BOUND, withinBound: latencyFactor <= SYBIL_LATENCY_FACTOR_BOUND, refused }
  })

  if (wanted('uploads')) out.uploads = await measure(async () => {
    let accepted = 0
    for (let i = 0; i < 3000; i++) {
      const body = Buffer.alloc(1024, 0)
      body.writeUInt32LE(i, 0)
      const r = await cluster.raw('node1', '/v1/blobs', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body })
      if (r.status === 201) accepted++
    }
    return { uploadsAccepted: accepted }
  })
} finally {
  for (const h of hosts) await h.stop().catch(() => {})
  await cluster.cleanup()
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n')
