/**
 * The job engine's measurement.
 *
 * - Frames jobs: the image metrics over a sample plan whose seed is derived
 *   from the job id, so every honest node samples the same frames and regions
 *   and computes bit-identical numbers. A blob named several times is decoded
 *   and measured once (the job's hashes name the frames).
 * - Scene jobs: the deterministic renderer and the same metrics over views
 *   drawn from a seed derived from the job id and the candidate's hash (the
 *   job id commits to the candidate, so whoever made the candidate could not
 *   know the views before committing to it). When the network made the
 *   candidate (`job.optimize`), the node first re-runs the optimizer on the
 *   reference and checks that its output hashes to the candidate: a mismatch
 *   is a failed check (`candidateHashMatches: false`, a vote for failure), and
 *   the candidate is still measured so that honest votes stay comparable.
 *   The node that made the candidate passes the hash of its own optimizer
 *   output (`optimized`) instead of running the optimizer a second time.
 * - A grey-zone round (round 1) draws a larger sample from a fresh seed
 *   (protocol/sampling/rounds.ts) and, for scenes, twice as many views.
 */
import { sha256Hex } from '../../protocol/hash.ts'
import { deriveSeed } from '../../protocol/sampling/prng.ts'
import { DEFAULT_MEASUREMENT_ENGINE } from '../../protocol/constants.ts'
import { cochranForRound, roundSeedParts } from '../../protocol/sampling/rounds.ts'
import type { JobAnnouncement } from '../../protocol/job.ts'
import type { MeasurePort, Measurement } from '../job/ports.ts'
import type { EvidenceOptions } from '../measure/evidence.ts'
import type { EncodedEvidence } from '../measure/evidence-files.ts'
import { parseProfile } from '../optimizer/analysis-rules.ts'
import type { OptimizationReport } from '../optimizer/report.ts'

/** Domain of the sampling seed of frames jobs. */
export const FRAMES_SEED_DOMAIN = 'trust-engine/frames-sample/v1'
/** Domain of the view seed of scene jobs. */
export const SCENE_SEED_DOMAIN = 'trust-engine/scene-views/v1'

/**
 * Id of this measurement engine (renderer, samplers, metrics). A network file
 * pins one (`measurement.engine`); a validator whose engine differs refuses to
 * start, and votes carry the id. Bump with DEFAULT_MEASUREMENT_ENGINE whenever
 * a change can alter a measured bit.
 */
export const MEASUREMENT_ENGINE = DEFAULT_MEASUREMENT_ENGINE

/** Views of a scene measurement in round 0; a grey-zone round doubles them. */
export const SCENE_VIEWS = 64

/** Re-execution results kept for a job's later round (a few jobs are open at once). */
const RE_EXECUTION_CACHE = 16

/** Optimizer re-execution results by job id, for a job's later round (bounded). */
const reExecuted = new Map<string, boolean>()

/**
 * A measurement as the work pool hands it on: with, when asked for, its
 * evidence (node/measure/evidence.ts) encoded as files, still being made when
 * the measurement arrives (the vote never waits for it; undefined when none
 * could be made), and, when this measurement re-ran the optimizer of a
 * network-optimized scene job, the optimizer's report of that run.
 */
export type EvidencedMeasurement = Measurement & { evidence?: Promise<EncodedEvidence | undefined>, optimizerReport?: OptimizationReport }

/**
 * A measurement made in this thread, with, when asked for, the work that
 * makes its evidence: a function to run once the numbers are handed on.
 */
export type MeasuredJob = Measurement & { evidence?: () => Promise<EncodedEvidence>, optimizerReport?: OptimizationReport }

/**
 * Measures one job for round `round` with the job's sampling seed (fixed by
 * its seed certificate, protocol/seed.ts), in this thread. Deterministic: the
 * same job, blobs, round and seed give bit-identical numbers in every process
 * and thread. With `evidence`, the result also carries the function that
 * makes the measurement's evidence files (after it, never changing its
 * numbers), so the numbers can be voted on first.
 */
export async function measureJob (job: JobAnnouncement, jobId: string, blobs: { reference: Uint8Array[], candidate: Uint8Array[] }, round: number, seed: string, evidence?: EvidenceOptions, optimized?: string): Promise<MeasuredJob> {
  {
    const plan = { cochran: cochranForRound(round) }
    if (job.kind === 'frames') {
      const framesSeed = deriveSeed(FRAMES_SEED_DOMAIN, seed, ...roundSeedParts(round))
      // A blob the job names several times is decoded and measured once (its hash names its bytes).
      const { measureFrames } = await import('../measure/measure-frames.ts')
      const m = await measureFrames(blobs.reference, blobs.candidate, { seed: framesSeed, plan, frameIds: { reference: job.reference, candidate: job.candidate } })
      const result: MeasuredJob = { metrics: m.metrics, intervals: m.intervals, samples: m.samples, plan: m.plan }
      if (evidence !== undefined) {
        result.evidence = async () => {
          const [{ framesEvidence }, { encodeEvidence }] = await Promise.all([import('../measure/frames-evidence.ts'), import('../measure/evidence-files.ts')])
          const chosen = await framesEvidence(blobs.reference, blobs.candidate, m, framesSeed, evidence)
          return encodeEvidence({ input: 'frames', seed: framesSeed, metrics: m.metrics, perSample: m.perSample, evidence: chosen })
        }
      }
      return result
    }
    const reference = blobs.reference[0]!
    const candidate = blobs.candidate[0]!
    let checks: Measurement['checks']
    let optimizerReport: OptimizationReport | undefined
    if (job.optimize !== undefined) {
      let matches = optimized === undefined ? reExecuted.get(jobId) : optimized === job.candidate[0]
      if (matches === undefined) {
        const { optimizeScene } = await import('../optimizer/optimize.ts')
        const own = await optimizeScene(reference, { profile: parseProfile(job.optimize.profile), ratio: job.optimize.ratio })
        matches = sha256Hex(own.bytes) === job.candidate[0]
        optimizerReport = own.report
        if (reExecuted.size >= RE_EXECUTION_CACHE) reExecuted.delete(reExecuted.keys().next().value!)
        reExecuted.set(jobId, matches)
      }
      checks = { candidateHashMatches: matches }
    }
    const [{ measureScenes }, { sceneCaveats }] = await Promise.all([import('../render/measure-scene.ts'), import('../render/caveats.ts')])
    const sceneSeed = deriveSeed(SCENE_SEED_DOMAIN, seed, job.candidate[0]!, ...roundSeedParts(round))
    const m = await measureScenes(reference, candidate, {
      seed: sceneSeed,
      plan,
      views: SCENE_VIEWS * (round === 0 ? 1 : 2),
      ...(evidence === undefined ? {} : { evidence })
    })
    const result: MeasuredJob = {
      metrics: m.metrics,
      intervals: m.intervals,
      samples: m.samples,
      plan: { kind: 'scene', views: m.plan.views.length, samples: m.samples, animated: m.plan.animated },
      ...(checks === undefined ? {} : { checks }),
      caveats: sceneCaveats(m.renderStats.appearanceIgnored),
      ...(optimizerReport === undefined ? {} : { optimizerReport })
    }
    const images = m.evidence
    if (images !== undefined) {
      // The renders are made with the measurement; their PNG files after it.
      result.evidence = async () => {
        const { encodeEvidence } = await import('../measure/evidence-files.ts')
        return encodeEvidence({ input: 'scenes', seed: sceneSeed, metrics: m.metrics, perSample: m.perSample.map((s) => ({ ...s, frame: s.view })), evidence: images })
      }
    }
    return result
  }
}

/** The in-thread measurement port (see measure-worker-pool.ts for the default, off the event loop). */
export function measurePort (): MeasurePort {
  return async (job, jobId, blobs, _signal, round, seed) => await measureJob(job, jobId, blobs, round, seed)
}
