/**
 * The jobs of a run, each with a known truth: frame sets (or scenes) whose
 * honest measurement clearly passes or clearly fails the network's default
 * thresholds (SSIM ≥ 0.98, PSNR ≥ 35 dB), made with the deterministic image
 * and scene generators (sim/images.ts, sim/scenes.ts).
 *
 * - `pass`: every candidate frame equals its reference but for a one-level
 *   change of red in every 9th column (SSIM ≈ 1, PSNR ≈ 50 dB).
 * - `fail`: every 2nd column brightened by 90 levels in all three channels
 *   (SSIM 0.52–0.66, local SSIM at most 0.52, PSNR about 13 dB at the
 *   default 48 × 48: far below every threshold, so no sample plan puts the
 *   job in the grey zone and its verdict and deciding round are the same in
 *   every run; test/sim/jobs.test.ts checks this over many plans). Red
 *   alone, as before, measured SSIM 0.92–0.96: half of the plans put a
 *   failing job in the grey zone, so it was decided in round 0 in some runs
 *   and in round 1 in others.
 * - `patchy`: a set of frames where a quarter are ruined and the rest exact:
 *   the set as a whole fails, but a sample that misses the ruined frames
 *   passes — the target of nonce grinding.
 */
import { degradedPng, testPng } from './images.ts'
import type { Scenario } from './scenario.ts'

/** Designed verdict of a job: what an honest, complete measurement must conclude. */
export type Verdict = 'pass' | 'fail'

/** The blobs of one job and its designed verdict. */
export interface JobMaterial {
  kind: 'frames' | 'scene'
  reference: Uint8Array[]
  candidate: Uint8Array[]
  verdict: Verdict
  quality: 'pass' | 'fail' | 'patchy'
}

/** Red delta of a candidate that passes clearly. */
const PASS_DELTA = 1
/** Delta (all three channels) of a candidate that fails clearly. */
const FAIL_DELTA = 90
/** Column stride of a candidate that fails clearly. */
const FAIL_STRIDE = 2

/** The material of job `index` of a run. */
export async function jobMaterial (s: Scenario, index: number): Promise<JobMaterial> {
  const q = s.jobs.quality === 'mixed' ? (index % 2 === 0 ? 'pass' : 'fail') : s.jobs.quality
  const size = s.jobs.size
  if (s.jobs.kind === 'scene') {
    const { makeGlb } = await import('./scenes.ts')
    // Pass: the candidate is the reference itself; fail: the texture is gone (flat grey instead of the picture).
    const reference = await makeGlb({ grids: [16], texture: [64, 64] })
    const candidate = q === 'pass' ? reference : await makeGlb({ grids: [16] })
    return { kind: 'scene', reference: [reference], candidate: [candidate], verdict: q === 'pass' ? 'pass' : 'fail', quality: q }
  }
  const reference: Uint8Array[] = []
  const candidate: Uint8Array[] = []
  const frames = q === 'patchy' ? Math.max(4, s.jobs.frames) : s.jobs.frames
  for (let f = 0; f < frames; f++) {
    // Each job and frame gets its own picture, so blobs differ between jobs.
    const variant = (index * 31 + f * 7) % 256
    reference.push(testPng(size, size, variant))
    const ruined = q === 'fail' || (q === 'patchy' && f % 4 === 3)
    candidate.push(ruined ? degradedPng(size, size, FAIL_DELTA, variant, FAIL_STRIDE, 3) : q === 'patchy' ? testPng(size, size, variant) : degradedPng(size, size, PASS_DELTA, variant))
  }
  return { kind: 'frames', reference, candidate, verdict: q === 'pass' ? 'pass' : 'fail', quality: q }
}
