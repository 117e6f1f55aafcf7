/**
 * A network-optimized scene job whose candidate uses WebP textures (the
 * gaming profile's default) measures in a measurement worker: the verifier
 * re-runs the optimizer there, gets the candidate's bytes again (its WebP
 * encoder is the same WebAssembly build) and decodes the WebP textures for
 * rendering. (Bit-identical numbers in worker and thread are tested for
 * every job kind in measure-worker-pool.test.ts; the WebP decoder's
 * determinism across processes in test/node/image/webp.test.ts.)
 */
import { afterAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../protocol/hash.ts'
import { jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { encodePng } from '../../../node/image/png-encode.ts'
import { optimizeScene } from '../../../node/optimizer/optimize.ts'
import { createSceneIO, loadSceneSafely } from '../../../node/scene/load-scene.ts'
import { MeasureWorkerPool } from '../../../node/wiring/measure-worker-pool.ts'
import { buildScene } from '../../../sim/scenes.ts'
import { gradientImage } from '../image/webp-fixtures.ts'

const pool = new MeasureWorkerPool({ workers: 1 })
afterAll(async () => { await pool.close() })

describe('a scene job with a WebP candidate', () => {
  it('re-executes to the same bytes and measures in a worker', async () => {
    const doc = buildScene({ grids: [16], texture: [8, 8] })
    doc.getRoot().listTextures()[0]!.setImage(encodePng(gradientImage(128, 96, false))).setMimeType('image/png')
    const scene = await createSceneIO().writeBinary(doc)
    const candidate = (await optimizeScene(scene, { profile: 'gaming', ratio: 0.5 })).bytes
    expect((await loadSceneSafely(candidate)).images.map((i) => i.mimeType)).toEqual(['image/webp'])
    const key = generateKeyPair()
    const network = parseNetwork({ networkId: 'webpnet', protocolVersion: 1, validators: [{ name: 'a', publicKey: key.publicKey, weight: 1 }] })
    const job = signJob(newJob(network, {
      kind: 'scene', submitter: key.publicKey, createdAt: 1_700_000_000_000, reference: [sha256Hex(scene)], candidate: [sha256Hex(candidate)],
      nonce: 'ab'.repeat(16), profile: 'gaming', optimize: { profile: 'gaming', ratio: 0.5 }
    }), key.privateKey)
    const jobId = jobIdOf(job)
    const seed = sha256Hex('seed')
    const inWorker = await pool.measure(job, jobId, { reference: [scene], candidate: [candidate] }, new AbortController().signal, 0, seed)
    expect(inWorker.checks).toEqual({ candidateHashMatches: true })
    expect(inWorker.samples).toBeGreaterThan(0)
    expect(inWorker.metrics.ssim).toBeGreaterThan(0.9)
    expect(inWorker.metrics.ssim).toBeLessThan(1) // the lossy WebP texture was decoded and seen
  })
})
