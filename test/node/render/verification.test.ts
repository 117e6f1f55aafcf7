/**
 * Verification that sees what a viewer sees: generated PBR scenes
 * (verification-scenes.ts) with candidates a person would reject, which must
 * FAIL at the network's default thresholds, and candidates a person would
 * accept, which must PASS. Real files, real renders, real measurements at
 * the default measurement options (views, resolution, plan), one seed.
 *
 * Known gaps are written as `it.fails`, never skipped: each is a damage the
 * measurement does not catch yet at the defaults; the test turns red the day
 * it is caught, so the list stays true.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { passesThresholds } from '../../../protocol/metrics.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { measureScenes } from '../../../node/render/measure-scene.ts'
import { acceptableCandidates, pbrSceneGlb, REJECTED } from './verification-scenes.ts'

const SEED = 'a1b2c3d4'
// the network file's defaults (SSIM ≥ 0.98, PSNR ≥ 35 dB, local SSIM ≥ 0.9)
const THRESHOLDS = parseNetwork({ networkId: 'defaults', protocolVersion: 1, validators: [{ name: 'v', publicKey: 'aa'.repeat(32), weight: 1 }] }).thresholds

/** Rejected candidates the measurement does not catch yet at the defaults (see docs/measurement.md). */
const NOT_CAUGHT_YET = new Set(['metallic-roughness map flattened', 'base colour shrunk to 16×16', 'three triangles of the spike flipped', 'three triangles of the spike collapsed'])

let original: Uint8Array
beforeAll(async () => { original = await pbrSceneGlb() })

async function passes (candidate: Uint8Array): Promise<boolean> {
  const m = await measureScenes(original, candidate, { seed: SEED, complexity: 0 })
  return passesThresholds(m.metrics, THRESHOLDS)
}

describe('candidates a person would reject fail at the default thresholds', () => {
  for (const [name, change] of Object.entries(REJECTED)) {
    const test = NOT_CAUGHT_YET.has(name) ? it.fails : it
    test(name, async () => {
      expect(await passes(await pbrSceneGlb(change))).toBe(false)
    }, 600_000)
  }
})

describe('candidates a person would accept pass at the default thresholds', () => {
  it('lossless re-encoding, 12-bit quantization and a mild simplification pass', async () => {
    const candidates = await acceptableCandidates(original)
    expect(Object.keys(candidates)).toHaveLength(3)
    for (const [name, bytes] of Object.entries(candidates)) {
      expect({ name, passes: await passes(bytes) }).toEqual({ name, passes: true })
    }
  }, 1_800_000)
})
