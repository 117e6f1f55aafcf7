/**
 * Work that cannot run away: a job's declared work (pixels from PNG headers,
 * triangles and vertices from glTF JSON) is counted before any decoding and
 * refused over the network's limits, at the submitter's API with a 4xx code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERR_JOB_OVER_LIMITS, checkWorkLimits, estimateWork } from '../../../node/wiring/work-estimate.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { codeOf } from '../../helpers/codes.ts'
import { PNG_SIGNATURE, addNoise, chunk, encodePng, ihdr, makeImage, scene } from '../measure/fixtures.ts'
import type { JobView } from '../../../node/types.ts'
import { json, uploadBlob, referencePng, startTestNode, type TestNode } from '../api/fixtures.ts'

/** A GLB of `size` bytes whose JSON declares one mesh of `vertices` vertices (and as many indices), with no binary data at all. */
function declaringGlb (vertices: number, size = 256): Uint8Array {
  const gltf = {
    asset: { version: '2.0' },
    accessors: [{ componentType: 5126, count: vertices, type: 'VEC3' }, { componentType: 5125, count: vertices, type: 'SCALAR' }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 }, indices: 1 }] }]
  }
  let text = JSON.stringify(gltf)
  const length = Math.max(text.length, size - 20)
  text = text.padEnd(length + ((4 - (length % 4)) % 4), ' ')
  const out = new Uint8Array(20 + text.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, 0x46546c67, true)
  view.setUint32(4, 2, true)
  view.setUint32(8, out.length, true)
  view.setUint32(12, text.length, true)
  view.setUint32(16, 0x4e4f534a, true)
  out.set(new TextEncoder().encode(text), 20)
  return out
}

/** A PNG whose header declares `width` × `height` (no valid pixel data follows: only the header is read). */
function declaringPng (width: number, height: number): Uint8Array {
  const parts = [PNG_SIGNATURE, chunk('IHDR', ihdr(width, height, 8, 6)), chunk('IEND')]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

const key = generateKeyPair()
const network = parseNetwork({ networkId: 'limits', protocolVersion: 1, validators: [{ name: 'a', publicKey: key.publicKey, weight: 1 }] })

describe('declared work', () => {
  it('sums the pixels of every frame header, each occurrence counted when the frames are not named', () => {
    const small = encodePng(makeImage(4, 3, () => [0, 0, 0, 255]))
    expect(estimateWork('frames', { reference: [small, small], candidate: [small, small] })).toEqual({ pixels: 48, triangles: 0, vertices: 0, bytes: 4 * small.length })
  })

  it('counts a frame its job names several times on one side once (it is decoded once)', () => {
    const small = encodePng(makeImage(4, 3, () => [0, 0, 0, 255]))
    const names = { reference: ['a', 'a', 'b'], candidate: ['a', 'a', 'a'] }
    // Bytes: a blob is held once in memory whichever side names it (a and b).
    expect(estimateWork('frames', { reference: [small, small, small], candidate: [small, small, small] }, names)).toEqual({ pixels: 36, triangles: 0, vertices: 0, bytes: 2 * small.length })
  })

  it('refuses an 8192 × 4880 frame pair under the default limits, and takes a 1920 × 1080 pair', () => {
    expect(network.limits.maxJobPixels).toBe(67_108_864)
    const big = declaringPng(8192, 4880)
    expect(codeOf(() => { checkWorkLimits(estimateWork('frames', { reference: [big], candidate: [big] }), network) })).toBe(ERR_JOB_OVER_LIMITS)
    const hd = declaringPng(1920, 1080)
    expect(codeOf(() => { checkWorkLimits(estimateWork('frames', { reference: [hd], candidate: [hd] }), network) })).toBeUndefined()
  })

  it('counts the triangles and vertices a tiny GLB declares', () => {
    const glb = declaringGlb(3 * 2 ** 20)
    expect(glb.length).toBe(256)
    expect(estimateWork('scene', { reference: [glb], candidate: [] })).toEqual({ pixels: 0, triangles: 2 ** 20, vertices: 3 * 2 ** 20, bytes: 256 })
  })

  it('refuses a job whose distinct blobs hold more bytes than the network allows, however few pixels they declare', () => {
    expect(network.limits.maxJobBytes).toBe(512 * 2 ** 20)
    const tight = parseNetwork({ networkId: 'limits', protocolVersion: 1, validators: [{ name: 'a', publicKey: key.publicKey, weight: 1 }], limits: { maxJobBytes: 1000 } })
    const small = encodePng(makeImage(4, 3, () => [0, 0, 0, 255]))
    const copies = Math.floor(1000 / small.length)
    const within = Array.from({ length: copies }, () => small)
    // Unnamed, each occurrence counts: one more frame crosses the limit.
    expect(codeOf(() => { checkWorkLimits(estimateWork('frames', { reference: within, candidate: [] }), tight) })).toBeUndefined()
    expect(codeOf(() => { checkWorkLimits(estimateWork('frames', { reference: [...within, small], candidate: [] }), tight) })).toBe(ERR_JOB_OVER_LIMITS)
    // Named, the same blob counts once however often and on whichever side it is named.
    const names = { reference: within.map(() => 'a'), candidate: ['a', 'a'] }
    expect(codeOf(() => { checkWorkLimits(estimateWork('frames', { reference: within, candidate: [small, small] }, names), tight) })).toBeUndefined()
  })
})

describe('the submitter refuses at its API', () => {
  let t: TestNode
  beforeAll(async () => { t = await startTestNode() })
  afterAll(async () => { await t.close() })

  const upload = async (bytes: Uint8Array): Promise<string> => await uploadBlob(t, bytes)

  it('a 256-byte GLB declaring millions of vertices, for the network to optimize or with a candidate: 422 ERR_JOB_OVER_LIMITS', async () => {
    const glb = await upload(declaringGlb(3 * 2 ** 22))
    for (const candidate of [[], [glb]]) {
      const r = await fetch(`${t.url}/v1/jobs`, json({ kind: 'scene', reference: [glb], candidate }))
      const body = await r.json() as { error: { code: string } }
      expect([r.status, body.error.code]).toEqual([422, ERR_JOB_OVER_LIMITS])
    }
    expect((await t.node.listJobs()).length).toBe(0)
  })

  it('an 8192 × 4880 frame pair: 422 ERR_JOB_OVER_LIMITS; an in-limit pair is announced', async () => {
    const big = await upload(declaringPng(8192, 4880))
    const r = await fetch(`${t.url}/v1/jobs`, json({ kind: 'frames', reference: [big], candidate: [big] }))
    const body = await r.json() as { error: { code: string } }
    expect([r.status, body.error.code]).toEqual([422, ERR_JOB_OVER_LIMITS])
    const ref = await upload(referencePng())
    const ok = await fetch(`${t.url}/v1/jobs`, json({ kind: 'frames', reference: [ref], candidate: [ref] }))
    expect(ok.status).toBe(201)
  })

  it('one 640 × 480 pair named 256 times (each distinct frame counted once; every name counted would be 157 million pixels, over the 2^26 limit): announced and validated', async () => {
    const ref = await upload(encodePng(scene(640, 480)))
    const cand = await upload(encodePng(addNoise(scene(640, 480), 1, 'repeated')))
    const r = await fetch(`${t.url}/v1/jobs`, json({ kind: 'frames', reference: Array(256).fill(ref), candidate: Array(256).fill(cand) }))
    expect(r.status).toBe(201)
    const { jobId } = await r.json() as { jobId: string }
    const final = await new Promise<JobView>((resolve) => {
      const off = t.node.on('job:final', (view) => { if (view.jobId === jobId) { off(); resolve(view) } })
      void t.node.getJob(jobId).then((view) => { if (view?.final === true) { off(); resolve(view) } })
    })
    expect([final.status, final.votes.length]).toEqual(['validated', 1])
  })
})
