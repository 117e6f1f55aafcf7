/**
 * Grinding the sampling seed, before and after the seed phase.
 *
 * The attack: a submitter corrupts 8 of 256 candidate frames and wants a
 * plan that samples none of them. Before the seed phase the plan's seed was
 * derived from the job id, which hashes a nonce the submitter picks: it
 * could try nonces offline until a plan missed the corrupted frames. With
 * the seed phase the seed hashes validators' VRF outputs over the job id,
 * which the submitter cannot compute; once the job is fixed, its only
 * freedom is which shares (under 1/3 of the weight) to leave out of the seed
 * certificate. The test measures the miss probability of one plan (the
 * baseline), shows that offline grinding reached a miss before, and that
 * after it the attacker's per-job success stays at the bound its few
 * post-commit choices allow (1 − (1 − p)^3 with 4 validators), whatever
 * number of nonces it tries.
 */
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../protocol/hash.ts'
import { jobIdOf } from '../../../protocol/job.ts'
import { planFrameSamples } from '../../../protocol/sampling/plan.ts'
import { deriveSeed } from '../../../protocol/sampling/prng.ts'
import { buildSeedCertificate, makeSeedShare, verifySeedCertificate } from '../../../protocol/seed.ts'
import { makeJob, makeNetwork } from '../fixtures.ts'

const FRAMES = 256
const CORRUPTED = new Set(Array.from({ length: 8 }, (_, i) => 100 + i * 19))
/** The domain the frames plan seed is derived in (node/wiring/measure-port.ts). */
const DOMAIN = 'trust-engine/frames-sample/v1'

/** True when the plan drawn from `seed` samples none of the corrupted frames. */
function misses (seed: string): boolean {
  const plan = planFrameSamples({ seed: deriveSeed(DOMAIN, seed), frameCount: FRAMES, width: 64, height: 64 })
  return plan.samples.every((s) => !CORRUPTED.has(s.frame) && !(s.kind === 'temporal' && CORRUPTED.has(s.frame + 1)))
}

const nonce = (i: number): string => sha256Hex(`nonce ${i}`).slice(0, 32)

describe('grinding the sampling seed', () => {
  const { network, keys } = makeNetwork([1, 1, 1, 1], {}, 'grindnet')
  // Baseline: the miss probability of one plan drawn from an unpredictable seed.
  const BASELINE_SEEDS = 1500
  let missed = 0
  for (let i = 0; i < BASELINE_SEEDS; i++) if (misses(sha256Hex(`baseline ${i}`))) missed++
  const p = missed / BASELINE_SEEDS

  it('the baseline miss probability is small but not negligible', () => {
    expect(p).toBeGreaterThan(0.001)
    expect(p).toBeLessThan(0.2)
  })

  it('before: the job id as seed lets the submitter grind nonces offline until the plan misses', () => {
    let tries = 0
    for (let i = 0; i < 20 / p; i++) {
      tries++
      // The former rule: seed derived from the job id alone, so from the submitter's nonce.
      if (misses(jobIdOf(makeJob(network, keys[0]!, nonce(i))))) break
    }
    expect(tries).toBeLessThan(20 / p)
  })

  it('after: the submitter\'s success per job stays at the bound of its post-commit choices', () => {
    const JOBS = 48
    let won = 0
    let choices = 0
    for (let j = 0; j < JOBS; j++) {
      const job = makeJob(network, keys[0]!, nonce(10_000 + j))
      const jobId = jobIdOf(job)
      const shares = keys.map((k) => makeSeedShare(network, jobId, k))
      // Every certificate the submitter may sign: shares of at least 3 of the 4 validators.
      const seeds = new Set<string>()
      for (let drop = -1; drop < shares.length; drop++) {
        const chosen = shares.filter((_, i) => i !== drop)
        seeds.add(verifySeedCertificate(buildSeedCertificate(network, jobId, chosen, keys[0]!.privateKey), job, network).seed)
      }
      choices += seeds.size
      if ([...seeds].some(misses)) won++
    }
    const bound = 1 - (1 - p) ** 3
    const sigma = Math.sqrt(bound * (1 - bound) / JOBS)
    expect(choices / JOBS).toBeLessThanOrEqual(3)
    expect(won / JOBS).toBeLessThanOrEqual(bound + 3 * sigma)
  })
})
