/**
 * Fuzzing of every decoder that reads bytes from outside: gossip messages
 * (jobs, votes, seed shares and certificates, evidence), certificates,
 * stream frames, network and config files, stored records, images and
 * scenes. Inputs are valid samples mutated as a hostile peer or a broken
 * disk would (fuzz-kit.ts), and made-up bytes and JSON. The invariant: a
 * decoder returns, or throws a `TrustEngineError` with a declared code;
 * nothing else ever comes out. Run counts are fixed by fast-check's seed
 * per run; a failure prints the seed and the shrunk input to replay.
 * `npm run fuzz` runs the same properties 20 times as long.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseConfigFile } from '../../node/config/config-file.ts'
import { decodeImage } from '../../node/image/decode-image.ts'
import { TEXTURE_IMAGE_FORMATS, readImageHeader } from '../../node/image/image-header.ts'
import { encodeJpeg } from '../../node/image/jpeg-encode.ts'
import { encodeWebp } from '../../node/image/webp-encode.ts'
import { checkEvidenceMessage, checkJobMessage } from '../../node/job/gossip-checks.ts'
import { decodePng, readPngHeader } from '../../node/measure/png.ts'
import { decodeBlobRequest, decodeBlobStatus, encodeBlobRequest, encodeBlobStatus } from '../../node/p2p/blob-frames.ts'
import { loadSceneSafely } from '../../node/scene/load-scene.ts'
import { readContainer } from '../../node/scene/preflight-scene.ts'
import { DEFAULT_SCENE_LIMITS } from '../../node/scene/scene-limits.ts'
import { parseAuditEntry } from '../../node/store/audit.ts'
import { parseStoredJson } from '../../node/store/corruption.ts'
import { buildCertificate, decodeCertificate } from '../../protocol/certificate.ts'
import { verifyCertificate } from '../../protocol/certificate-verify.ts'
import { tally } from '../../protocol/consensus/tally.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import { decodeEvidence, detectEquivocation } from '../../protocol/evidence.ts'
import { decodeJob, jobIdOf } from '../../protocol/job.ts'
import { parseNetwork } from '../../protocol/network.ts'
import { decodeSeedCertificate, decodeSeedShare, makeSeedShare } from '../../protocol/seed.ts'
import { decodeVote, readVote } from '../../protocol/vote.ts'
import { encodePng, scene } from '../node/measure/fixtures.ts'
import { BAD, GOOD, T0, makeJob, makeNetwork, makeVote, seedCertOf, wire } from '../protocol/fixtures.ts'
import { expectTypedOutcome, expectTypedOutcomeAsync, jsonBytes, mutatedBytes, runs } from './fuzz-kit.ts'

const { network, keys } = makeNetwork([1, 1, 1, 1], {}, 'fuzznet')
const job = makeJob(network, keys[0]!)
const jobId = jobIdOf(job)
const votes = keys.map((k) => makeVote(network, job, k, GOOD))
const certificate = buildCertificate(network, job, tally({ network, job, votes, reputations: new Map(), now: T0 + 1 }), votes, seedCertOf(network, job))
const evidence = detectEquivocation(votes[1]!, makeVote(network, job, keys[1]!, BAD))!
const networkFile = new TextEncoder().encode(JSON.stringify({
  networkId: 'fuzznet',
  protocolVersion: 1,
  validators: network.validators.map((v) => ({ name: v.name, publicKey: v.publicKey, weight: v.weight }))
}))
const configFile = new TextEncoder().encode(JSON.stringify({
  name: 'node1', dataDir: '.', network: 'network.json', key: 'key.json',
  listen: ['/ip4/127.0.0.1/tcp/4001'], announce: ['/dns4/localhost/tcp/4001'], api: '127.0.0.1:8080',
  bootstrap: ['/ip4/127.0.0.1/tcp/4002/p2p/12D3KooWLm5rXUqH1t2o2BhQEZMXzhxWNTBwS9xXPdVuA7d6KYYv']
}))
const image = scene(16, 12)
const png = encodePng(image)
const jpeg = encodeJpeg(image, 80)
const webpLossy = encodeWebp(image, { lossless: false, quality: 80 })
const webpLossless = encodeWebp(image, { lossless: true })
const scenes = join(import.meta.dirname, '../fixtures/scenes')
const glb = new Uint8Array(readFileSync(join(scenes, 'still-life.packed.glb')))
const gltf = new Uint8Array(readFileSync(join(scenes, 'still-life.gltf')))

/** Bytes for a JSON decoder: mutated samples, or any JSON text. */
const jsonInput = (...samples: Uint8Array[]): fc.Arbitrary<Uint8Array> => fc.oneof({ weight: 3, arbitrary: mutatedBytes(samples) }, { weight: 1, arbitrary: jsonBytes() })

describe('fuzzing the decoders: only typed errors with declared codes come out', () => {
  it('(the invariant itself) refuses an untyped throw and a code nobody declared', () => {
    expect(() => { expectTypedOutcome(() => JSON.parse('{')) }).toThrow()
    expect(() => { expectTypedOutcome(() => { throw new TrustEngineError('ERR_NOBODY_DECLARED_THIS', 'x') }) }).toThrow()
    expectTypedOutcome(() => decodeJob(new Uint8Array(0)))
  })

  it('gossip: job announcements, as decoded and as checked at the topic', () => {
    fc.assert(fc.property(jsonInput(wire(job)), (b) => {
      expectTypedOutcome(() => decodeJob(b))
      expectTypedOutcome(() => checkJobMessage(b, network, T0 + 1))
    }), { numRuns: runs(1000) })
  })

  it('gossip: votes, as decoded and on the intake path (canonical gate, schema, signature)', () => {
    fc.assert(fc.property(jsonInput(...votes.map(wire)), (b) => {
      expectTypedOutcome(() => decodeVote(b))
      expectTypedOutcome(() => readVote(b, network))
    }), { numRuns: runs(1000) })
  })

  it('gossip: seed shares and seed certificates', () => {
    const share = wire(makeSeedShare(network, jobId, keys[2]!))
    const cert = wire(seedCertOf(network, job))
    fc.assert(fc.property(jsonInput(share, cert), (b) => {
      expectTypedOutcome(() => decodeSeedShare(b))
      expectTypedOutcome(() => decodeSeedCertificate(b))
    }), { numRuns: runs(800) })
  })

  it('gossip: equivocation evidence, as decoded and as checked at the topic', () => {
    fc.assert(fc.property(jsonInput(wire(evidence)), (b) => {
      expectTypedOutcome(() => decodeEvidence(b))
      expectTypedOutcome(() => checkEvidenceMessage(b, network))
    }), { numRuns: runs(800) })
  })

  it('certificates, decoded and verified offline', () => {
    fc.assert(fc.property(jsonInput(wire(certificate)), (b) => {
      expectTypedOutcome(() => { verifyCertificate(decodeCertificate(b), network) })
    }), { numRuns: runs(500) })
  })

  it('stream frames of the blob protocol', () => {
    const samples = [encodeBlobRequest({ sha256: 'ab'.repeat(32) }), encodeBlobStatus({ status: 'found', size: 123 }), encodeBlobStatus({ status: 'not-found' })]
    fc.assert(fc.property(jsonInput(...samples), (b) => {
      expectTypedOutcome(() => decodeBlobRequest(b))
      expectTypedOutcome(() => decodeBlobStatus(b))
    }), { numRuns: runs(1000) })
  })

  it('network files and config files', () => {
    fc.assert(fc.property(jsonInput(networkFile, configFile), (b) => {
      expectTypedOutcome(() => parseNetwork(b))
      expectTypedOutcome(() => parseConfigFile(b))
    }), { numRuns: runs(1000) })
  })

  it('stored records read back from LevelDB', () => {
    fc.assert(fc.property(jsonInput(wire(job), wire(votes[0])), (b) => {
      expectTypedOutcome(() => parseStoredJson(b, 4096))
      expectTypedOutcome(() => parseAuditEntry(b, 4096))
    }), { numRuns: runs(800) })
  })

  it('images: WebP (lossy and lossless) headers and pixels, as scene textures are read', () => {
    const formats = TEXTURE_IMAGE_FORMATS
    fc.assert(fc.property(mutatedBytes([webpLossy, webpLossless]), (b) => {
      expectTypedOutcome(() => readImageHeader(b, { formats }))
      expectTypedOutcome(() => decodeImage(b, { formats }))
    }), { numRuns: runs(600) })
    // The samples themselves decode: the property mutates real files.
    for (const w of [webpLossy, webpLossless]) expect(decodeImage(w, { formats }).width).toBe(image.width)
  })

  it('images: PNG and JPEG headers and pixels', () => {
    fc.assert(fc.property(mutatedBytes([png, jpeg]), (b) => {
      expectTypedOutcome(() => readPngHeader(b))
      expectTypedOutcome(() => decodePng(b))
      expectTypedOutcome(() => readImageHeader(b))
      expectTypedOutcome(() => decodeImage(b))
    }), { numRuns: runs(1000) })
  })

  it('scenes: the glTF/GLB container and the whole loader', async () => {
    await fc.assert(fc.asyncProperty(mutatedBytes([glb, gltf], 2048), async (b) => {
      expectTypedOutcome(() => readContainer(b, DEFAULT_SCENE_LIMITS))
      await expectTypedOutcomeAsync(async () => await loadSceneSafely(b))
    }), { numRuns: runs(300) })
  })
})
