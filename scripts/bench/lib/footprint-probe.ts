/**
 * One process of the footprint benchmark (scripts/bench/footprint.ts): starts
 * a base, loads the named parts on top, settles, and prints one JSON line
 * with its resident memory and how long each step took.
 *
 *     node --expose-gc scripts/bench/lib/footprint-probe.ts '{"base":"node","parts":["renderer"],"dir":"..."}'
 *
 * Bases: `empty` (nothing but this script), `host` (a started libp2p host of
 * the node's own make, node/p2p/host.ts, listening on 127.0.0.1), `node` (a
 * whole development node as `trust-engine node` starts it: LevelDB, libp2p,
 * job engine, HTTP API on 127.0.0.1). Parts are what a node loads only when
 * first needed: the scene loader, the image codecs, the renderer, the
 * optimizer, and the measurement worker (one worker thread that measures one
 * small frames job).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'

/** The parts a node loads on first use, by name. */
export const FOOTPRINT_PARTS = ['scene', 'codecs', 'renderer', 'optimizer', 'worker'] as const

/** A part's name. */
export type FootprintPart = typeof FOOTPRINT_PARTS[number]

const configSchema = z.strictObject({
  base: z.enum(['empty', 'host', 'node']),
  parts: z.array(z.enum(FOOTPRINT_PARTS)).default([])
})

/** What the probe prints. */
export interface ProbeReport {
  /** Resident memory after settling and a full garbage collection (VmRSS). */
  rssBytes: number
  /** The base's start, ms (zero for `empty`). */
  baseMs: number
  /** Loading the parts, ms. */
  partsMs: number
}

/** Time the base and parts get to settle before memory is read (timers, first gossip heartbeats). */
const SETTLE_MS = 3000

async function loadPart (part: FootprintPart, keep: Array<() => Promise<void>>): Promise<void> {
  if (part === 'scene') await import('../../../node/scene/load-scene.ts')
  else if (part === 'codecs') {
    const { pngCodec } = await import('../../../node/image/codecs.ts')
    const { decodeImage } = await import('../../../node/image/decode-image.ts')
    const { encodeJpeg } = await import('../../../node/image/jpeg-encode.ts')
    pngCodec()
    // One 8 × 8 JPEG written and read back: the encoder's tables and the decoder's WebAssembly instance.
    decodeImage(encodeJpeg({ width: 8, height: 8, data: new Uint8Array(256).fill(128) }, 90))
  } else if (part === 'renderer') await import('../../../node/render/measure-scene.ts')
  else if (part === 'optimizer') await import('../../../node/optimizer/optimize.ts')
  else {
    const { MeasureWorkerPool } = await import('../../../node/wiring/measure-worker-pool.ts')
    const { generateKeyPair } = await import('../../../protocol/signing.ts')
    const { jobIdOf, newJob, signJob } = await import('../../../protocol/job.ts')
    const { parseNetwork } = await import('../../../protocol/network.ts')
    const { sha256Hex } = await import('../../../protocol/hash.ts')
    const { degradedPng, testPng } = await import('../../../sim/images.ts')
    const key = generateKeyPair()
    const network = parseNetwork({ networkId: 'footprint', protocolVersion: 1, validators: [{ name: 'a', publicKey: key.publicKey, weight: 1 }] })
    const ref = testPng(48, 48)
    const cand = degradedPng(48, 48, 12)
    const job = signJob(newJob(network, { kind: 'frames', submitter: key.publicKey, createdAt: Date.now(), reference: [sha256Hex(ref)], candidate: [sha256Hex(cand)], nonce: 'ab'.repeat(16) }), key.privateKey)
    const pool = new MeasureWorkerPool({ idleMs: Infinity })
    keep.push(async () => { await pool.close() })
    await pool.measure(job, jobIdOf(job), { reference: [ref], candidate: [cand] }, new AbortController().signal, 0, sha256Hex('footprint'))
  }
}

async function startBase (base: 'empty' | 'host' | 'node', dir: string, keep: Array<() => Promise<void>>): Promise<void> {
  if (base === 'host') {
    const { createHost } = await import('../../../node/p2p/host.ts')
    const { generateKeyPairFromSeed } = await import('@libp2p/crypto/keys')
    const privateKey = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(7))
    const host = await createHost({ privateKey, networkId: 'footprint', listen: ['/ip4/127.0.0.1/tcp/0'] })
    await host.start()
    keep.push(async () => { await host.stop() })
  } else if (base === 'node') {
    const { resolveNodeInit } = await import('../../../node/cli/commands/node.ts')
    const { createNode } = await import('../../../node/node.ts')
    const node = await createNode(await resolveNodeInit({ dataDir: dir, api: '127.0.0.1:0', logLevel: 'silent' }))
    keep.push(async () => { await node.stop() })
  }
}

async function main (): Promise<void> {
  const config = configSchema.parse(JSON.parse(process.argv[2] ?? '{}'))
  const dir = mkdtempSync(join(tmpdir(), 'te-footprint-'))
  const keep: Array<() => Promise<void>> = []
  const t0 = performance.now()
  await startBase(config.base, dir, keep)
  const t1 = performance.now()
  for (const part of config.parts) await loadPart(part, keep)
  const t2 = performance.now()
  await sleep(SETTLE_MS)
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  await sleep(500)
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
  const report: ProbeReport = { rssBytes: rss === null ? process.memoryUsage().rss : Number(rss[1]) * 1024, baseMs: t1 - t0, partsMs: t2 - t1 }
  process.stdout.write(JSON.stringify(report) + '\n')
  for (const stop of keep.reverse()) await stop()
  rmSync(dir, { recursive: true, force: true })
  process.exit(0)
}

// Run only as a script: the benchmark imports this file for its part names and report type.
if (import.meta.main === true) await main()
