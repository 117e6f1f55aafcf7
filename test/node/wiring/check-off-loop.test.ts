/**
 * A large scene's input check does not stall the node's event loop: the
 * admission of a client's scene job (job-submission.ts, job-admission.ts)
 * and the engine's check of an announced one (work-limits.ts
 * `inputCheckPort`) parse and walk the glTF JSON in the work pool, so the
 * event loop keeps turning (the API, `/healthz`, gossip validation and blob
 * serving keep answering) while they run. Shown by order, not by time: a
 * chain of event-loop turns started as the check starts ends before the
 * check does. The codes and details are the rules' own, as on the event loop.
 */
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import type { JobEngine } from '../../../node/job/engine.ts'
import { ERR_JOB_OVER_LIMITS, ERR_JOB_UNMEASURABLE } from '../../../node/job/errors.ts'
import type { BlobDir } from '../../../node/p2p/blob-dir.ts'
import { ERR_RENDER_EMPTY_SCENE } from '../../../node/render/errors.ts'
import { ERR_SCENE_NOT_GLTF } from '../../../node/scene/errors.ts'
import type { JobView, SubmitJobRequest } from '../../../node/types.ts'
import { jobSubmission } from '../../../node/wiring/job-submission.ts'
import { ERR_MEASURE_ABORTED, MeasureWorkerPool } from '../../../node/wiring/measure-worker-pool.ts'
import type { OptimizerReportStore } from '../../../node/wiring/optimizer-report-store.ts'
import { INLINE_SCENE_JSON_BYTES, type InputCheck, checkJobInputs, checksInline, inputCheckPort } from '../../../node/wiring/work-limits.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { newJob, signJob } from '../../../protocol/job.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'

/** A GLB of `nodes` nodes, each an instance of one one-triangle mesh, all roots of the default scene (about 64 bytes of JSON a node); `triangles: false` leaves the nodes without the mesh. */
function manyNodesGlb (nodes: number, triangles = true): Uint8Array {
  const positions = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0])
  const bin = new Uint8Array(positions.buffer)
  const list = Array.from({ length: nodes }, (_, i) => ({ ...(triangles ? { mesh: 0 } : {}), translation: [i % 100, Math.floor(i / 100) % 100, Math.floor(i / 10_000)], scale: [0.5, 0.5, 0.5] }))
  const gltf = {
    asset: { version: '2.0' },
    scene: 0,
    scenes: [{ nodes: list.map((_, i) => i) }],
    nodes: list,
    meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
    accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] }],
    bufferViews: [{ buffer: 0, byteLength: bin.byteLength }],
    buffers: [{ byteLength: bin.byteLength }]
  }
  let text = JSON.stringify(gltf)
  text = text.padEnd(text.length + ((4 - (text.length % 4)) % 4), ' ')
  const json = new TextEncoder().encode(text)
  const out = new Uint8Array(12 + 8 + json.length + 8 + bin.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, 0x46546c67, true)
  view.setUint32(4, 2, true)
  view.setUint32(8, out.length, true)
  view.setUint32(12, json.length, true)
  view.setUint32(16, 0x4e4f534a, true)
  out.set(json, 20)
  view.setUint32(20 + json.length, bin.length, true)
  view.setUint32(24 + json.length, 0x004e4942, true)
  out.set(bin, 28 + json.length)
  return out
}

/** `glb` with an extra chunk of `bytes` bytes of an unknown type after its binary chunk (which readers skip). */
function withExtraChunk (glb: Uint8Array, bytes: number): Uint8Array {
  const out = new Uint8Array(glb.length + 8 + bytes)
  out.set(glb)
  const view = new DataView(out.buffer)
  view.setUint32(8, out.length, true)
  view.setUint32(glb.length, bytes, true)
  view.setUint32(glb.length + 4, 0x12345678, true)
  return out
}

/** `glb` with `bytes` more bytes of binary chunk (zeros). */
function withBinary (glb: Uint8Array, bytes: number): Uint8Array {
  const view = new DataView(glb.buffer, glb.byteOffset, glb.byteLength)
  const binAt = 20 + view.getUint32(12, true)
  const out = new Uint8Array(glb.length + bytes)
  out.set(glb)
  const outView = new DataView(out.buffer)
  outView.setUint32(8, out.length, true)
  outView.setUint32(binAt, view.getUint32(binAt, true) + bytes, true)
  return out
}

/** Resolves after `n` turns of the event loop (each a `setImmediate`), with 'loop'. */
async function turns (n: number): Promise<'loop'> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
  return 'loop'
}

/** The code and details of what `promise` rejects with (undefined when it resolves). */
async function failureOf (promise: Promise<unknown>): Promise<{ code: unknown, details: unknown } | undefined> {
  try {
    await promise
    return undefined
  } catch (err) {
    return { code: (err as { code?: unknown }).code, details: (err as { details?: unknown }).details }
  }
}

const key = generateKeyPair()
const network = parseNetwork({ networkId: 'check-off-loop', protocolVersion: 1, validators: [{ name: 'a', publicKey: key.publicKey, weight: 1 }] })
// 150k nodes: about 10 MB of glTF JSON, which takes a good part of a second to parse and check.
const big = manyNodesGlb(150_000)
const small = manyNodesGlb(1)
const pool = new MeasureWorkerPool({ workers: 1 })
afterAll(async () => { await pool.close() })

/** The node's submission path with its real admission and pool, over blobs in memory and an engine that only answers; `onRead` is called as the last blob is read. */
function submission (blobs: Map<string, Uint8Array>, onRead: () => void): (request: SubmitJobRequest) => Promise<JobView> {
  let reads = 0
  const blobDir = {
    get: async (sha: string) => {
      if (++reads === blobs.size) onRead()
      return blobs.get(sha) ?? null
    }
  } as unknown as BlobDir
  const engine = { checkSubmission: () => {}, submit: async () => ({ jobId: 'admitted' }) } as unknown as JobEngine
  const { submit } = jobSubmission({ network, publicKey: key.publicKey, blobs: blobDir, pool, engine, optimizerReports: {} as OptimizerReportStore, clock: Date.now, logger: pino({ level: 'silent' }) })
  return submit
}

describe('where a check runs', () => {
  const at = (reference: Uint8Array, candidate: Uint8Array = small): 'inline' | 'pool' => {
    const check: InputCheck = { rule: 'job', kind: 'scene', blobs: { reference: [reference], candidate: [candidate] }, limits: network.limits }
    return checksInline(check) ? 'inline' : 'pool'
  }

  it('checks a scene of little JSON inline, however large its binary chunk, and one of much JSON, or of a framing walked chunk by chunk, in the pool', () => {
    const modest = manyNodesGlb(500)
    expect(modest.length).toBeLessThan(INLINE_SCENE_JSON_BYTES / 2)
    expect([at(modest), at(modest, modest)]).toEqual(['inline', 'inline'])
    expect(at(withBinary(modest, 8 * 2 ** 20))).toBe('inline')
    expect(at(big)).toBe('pool')
    expect(at(withExtraChunk(modest, 8 * 2 ** 20))).toBe('pool')
    // A .gltf file is all JSON.
    expect(at(new TextEncoder().encode(JSON.stringify({ asset: { version: '2.0' }, extras: 'x'.repeat(INLINE_SCENE_JSON_BYTES) })))).toBe('pool')
    // Frames read PNG headers only.
    expect(checksInline({ rule: 'job', kind: 'frames', blobs: { reference: [big], candidate: [big] }, limits: network.limits })).toBe(true)
  })
})

describe('the input check of a large scene', () => {
  it('lets the event loop turn while a client\'s scene job is admitted', async () => {
    const blobs = new Map([[sha256Hex(big), big], [sha256Hex(small), small]])
    // The turns start as the last blob is read, right before the check: on the event loop, none came before its answer.
    let startTurns: () => void = () => {}
    const loop = new Promise<'loop'>((resolve) => { startTurns = () => { void turns(20).then(resolve) } })
    const submit = submission(blobs, () => { startTurns() })
    const admitted = submit({ kind: 'scene', reference: [sha256Hex(big)], candidate: [sha256Hex(small)] }).then(() => 'admitted' as const)
    const first = await Promise.race([admitted, loop])
    expect(first).toBe('loop')
    expect(await admitted).toBe('admitted')
  })

  it('keeps the codes of admission: a header that cannot be read its own, an empty scene and a scene over the limits theirs', async () => {
    // Both large enough to be checked in the pool.
    const notGltf = new TextEncoder().encode(`{"not":"a scene","pad":"${'x'.repeat(INLINE_SCENE_JSON_BYTES)}"}`)
    const empty = manyNodesGlb(20_000, false)
    const blobs = new Map([[sha256Hex(notGltf), notGltf], [sha256Hex(empty), empty], [sha256Hex(big), big], [sha256Hex(small), small]])
    const submit = submission(blobs, () => {})
    expect(await failureOf(submit({ kind: 'scene', reference: [sha256Hex(notGltf)], candidate: [sha256Hex(small)] }))).toMatchObject({ code: ERR_SCENE_NOT_GLTF })
    expect(await failureOf(submit({ kind: 'scene', reference: [sha256Hex(empty)], candidate: [sha256Hex(small)] }))).toEqual({ code: ERR_JOB_UNMEASURABLE, details: { cause: ERR_RENDER_EMPTY_SCENE } })
    // The network-optimized job counts its reference twice: 300k triangles, over a limit of 200k.
    const tight = parseNetwork({ networkId: 'check-off-loop', protocolVersion: 1, validators: [{ name: 'a', publicKey: key.publicKey, weight: 1 }], limits: { maxJobTriangles: 200_000 } })
    const admission = { network: tight, publicKey: key.publicKey, blobs: { get: async (sha: string) => blobs.get(sha) ?? null }, check: pool.check, clock: Date.now }
    const { admitJob } = await import('../../../node/wiring/job-admission.ts')
    expect(await failureOf(admitJob(admission, { kind: 'scene', reference: [sha256Hex(big)], candidate: [] }))).toEqual({
      code: ERR_JOB_OVER_LIMITS,
      details: { pixels: 0, triangles: 300_000, vertices: 900_000, bytes: 2 * big.length }
    })
  })

  it('lets the event loop turn while the engine checks an announced scene, and refuses as the check on the event loop does', async () => {
    const check = inputCheckPort(network, pool.check)
    const job = (reference: Uint8Array, candidate: Uint8Array) => signJob(newJob(network, {
      kind: 'scene', submitter: key.publicKey, createdAt: Date.now(), reference: [sha256Hex(reference)], candidate: [sha256Hex(candidate)], nonce: 'ab'.repeat(16)
    }), key.privateKey)
    const signal = new AbortController().signal
    const checked = check(job(big, small), { reference: [big], candidate: [small] }, signal).then(() => 'checked' as const)
    expect(await Promise.race([checked, turns(20)])).toBe('loop')
    expect(await checked).toBe('checked')

    const empty = manyNodesGlb(20_000, false)
    const inline = await failureOf((async () => { checkJobInputs(network, job(empty, small), { reference: [empty], candidate: [small] }) })())
    expect(inline).toEqual({ code: ERR_JOB_UNMEASURABLE, details: { cause: ERR_RENDER_EMPTY_SCENE } })
    expect(await failureOf(check(job(empty, small), { reference: [empty], candidate: [small] }, signal))).toEqual(inline)
  })

  it('ends with the job\'s signal', async () => {
    const check = inputCheckPort(network, pool.check)
    const job = signJob(newJob(network, {
      kind: 'scene', submitter: key.publicKey, createdAt: Date.now(), reference: [sha256Hex(big)], candidate: [sha256Hex(small)], nonce: 'cd'.repeat(16)
    }), key.privateKey)
    const stop = new AbortController()
    const checking = failureOf(check(job, { reference: [big], candidate: [small] }, stop.signal))
    stop.abort()
    expect(await checking).toMatchObject({ code: ERR_MEASURE_ABORTED })
  })
})
