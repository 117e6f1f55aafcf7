/**
 * `trust-engine measure`: measures a candidate against a reference and prints
 * SSIM, PSNR, their confidence intervals, the sample count and the plan.
 *
 *   trust-engine measure REF.png CAND.png                       one frame pair
 *   trust-engine measure --reference r1.png r2.png --candidate c1.png c2.png
 *                                                              frame sets, in order
 *   trust-engine measure original.glb candidate.glb            scenes (rendered views)
 *
 * When both inputs are .glb/.gltf, the scenes are rendered and measured by
 * `measureScenes` (node/render/measure-scene.ts); otherwise the inputs are
 * PNG frames measured by `measureFrames` (node/measure). The seed defaults to
 * one derived from the inputs' sha256, so a repeated run draws the same plan.
 * With `--json` an infinite PSNR is the string "Infinity".
 *
 * Exit codes: 0 measured (and, with `--thresholds`, passed them); 1 measured
 * but below the thresholds; 2 error (bad arguments, unreadable or invalid
 * files, different sizes or counts: the `ERR_...` code is printed).
 */
import { CommanderError, type Command } from 'commander'
import type { MetricIntervals, MetricNumbers, Thresholds } from '../../../protocol/metrics.ts'
import { badArgs, parseThresholds } from '../args.ts'

function usageErrorsExit2 (err: CommanderError): never {
  if (err.exitCode === 0) throw err
  throw new CommanderError(2, err.code, err.message)
}

const SCENE_EXTENSION = /\.(glb|gltf)$/i

interface MeasureFlags {
  reference?: string[]
  candidate?: string[]
  seed?: string
  complexity?: string
  thresholds?: string
  samples?: boolean
  json?: boolean
  evidence?: string
}

/** Result fields shared by frame and scene measurements, in memory form. */
interface Measured {
  metrics: MetricNumbers
  intervals: MetricIntervals
  samples: number
}

/** Declares `measure`. */
export function register (program: Command): void {
  program
    .command('measure')
    .description('measure SSIM and PSNR of a candidate against a reference: PNG frames or glTF/GLB scenes')
    .argument('[reference]', 'reference PNG (or .glb/.gltf scene) for a single pair')
    .argument('[candidate]', 'candidate PNG (or .glb/.gltf scene) for a single pair')
    .option('--reference <files...>', 'reference frame set: PNG files in frame order')
    .option('--candidate <files...>', 'candidate frame set: PNG files in frame order, as many as the reference')
    .option('--seed <hex>', 'sampling seed, lowercase hex (default: derived from the inputs\' sha256)')
    .option('--complexity <c>', 'scene complexity in [0, 1] for the sample size (frames default 0; scenes default to the analysis of the original)')
    .option('--thresholds <spec>', 'quality thresholds, e.g. ssim=0.98,psnr=35: exit code 1 when the measurement is below them')
    .option('--samples', 'also print every sample\'s values')
    .option('--json', 'print the result as JSON')
    .option('--evidence <dir>', 'write the worst and a few seeded random samples as PNG (reference, candidate, SSIM map, difference) with manifest.json and index.html into DIR')
    .exitOverride(usageErrorsExit2)
    .action(async (refArg: string | undefined, candArg: string | undefined, flags: MeasureFlags) => {
      const { reference, candidate } = inputs(refArg, candArg, flags)
      const complexity = flags.complexity === undefined ? undefined : parseComplexity(flags.complexity)
      const thresholds = flags.thresholds === undefined ? undefined : parseThresholdFlag(flags.thresholds)

      const { sha256Hex } = await import('../../../protocol/hash.ts')
      const { deriveSeed, isSeed } = await import('../../../protocol/sampling/prng.ts')
      const { readFileBounded } = await import('../../files/read-bounded.ts')
      if (flags.seed !== undefined && !isSeed(flags.seed)) throw badArgs('--seed', 'expected lowercase hex of 1 to 64 bytes')

      if (flags.evidence !== undefined && flags.evidence.length === 0) throw badArgs('--evidence', 'expected a folder')
      const isScene = reference.length === 1 && SCENE_EXTENSION.test(reference[0]!) && SCENE_EXTENSION.test(candidate[0]!)
      if (!isScene && [...reference, ...candidate].some((p) => SCENE_EXTENSION.test(p))) {
        throw badArgs('measure', 'scenes are measured as one .glb/.gltf pair; frames are PNG files')
      }

      let out: Record<string, unknown>
      let measured: Measured
      if (isScene) {
        const { DEFAULT_SCENE_LIMITS } = await import('../../optimizer/index.ts')
        const a = await readFileBounded(reference[0]!, DEFAULT_SCENE_LIMITS.maxFileBytes, 'reference scene')
        const b = await readFileBounded(candidate[0]!, DEFAULT_SCENE_LIMITS.maxFileBytes, 'candidate scene')
        const seed = flags.seed ?? deriveSeed('trust-engine/measure-cli', 'scenes', sha256Hex(a), sha256Hex(b))
        // Dispatch point for scenes: rendered views measured like frames.
        const { measureScenes } = await import('../../render/measure-scene.ts')
        const { DEFAULT_EVIDENCE_OPTIONS } = await import('../../measure/evidence.ts')
        const m = await measureScenes(a, b, { seed, ...(complexity === undefined ? {} : { complexity }), ...(flags.evidence === undefined ? {} : { evidence: DEFAULT_EVIDENCE_OPTIONS }) })
        if (flags.evidence !== undefined) {
          const { writeEvidence } = await import('../../measure/evidence-files.ts')
          await writeEvidence(flags.evidence, { input: 'scenes', seed, metrics: m.metrics, perSample: m.perSample.map((s) => ({ ...s, frame: s.view })), evidence: m.evidence! })
        }
        measured = m
        const { sizeReductions } = await import('../../render/size-reductions.ts')
        const sizes = await sizeReductions(a, b)
        const p = m.plan.samplePlan
        // Counts as measured: a static scene's temporal samples are measured (and reported) as frame samples.
        const counts = { frame: 0, region: 0, full: 0, temporal: 0 }
        for (const s of m.perSample) counts[s.kind] += 1
        out = {
          input: 'scenes',
          seed,
          plan: { views: p.frameCount, width: p.width, height: p.height, analysis: p.analysis, complexity: p.complexity, counts, animated: m.plan.animated },
          renderStats: m.renderStats,
          sizes,
          perSample: m.perSample
        }
      } else {
        const { DEFAULT_PNG_LIMITS, measureFrames } = await import('../../measure/index.ts')
        const read = async (paths: string[], what: string): Promise<Uint8Array[]> => {
          const frames: Uint8Array[] = []
          for (const p of paths) frames.push(await readFileBounded(p, DEFAULT_PNG_LIMITS.maxFileBytes, what))
          return frames
        }
        const refFrames = await read(reference, 'reference frame')
        const candFrames = await read(candidate, 'candidate frame')
        const seed = flags.seed ?? deriveSeed('trust-engine/measure-cli', 'frames', ...refFrames.map(sha256Hex), ...candFrames.map(sha256Hex))
        const m = await measureFrames(refFrames, candFrames, { seed, ...(complexity === undefined ? {} : { complexity }) })
        if (flags.evidence !== undefined) {
          // The files a node keeps for a frames job it measured (node/wiring/measure-port.ts), from this seed.
          const [{ DEFAULT_EVIDENCE_OPTIONS }, { framesEvidence }, { writeEvidence }] = await Promise.all([
            import('../../measure/evidence.ts'), import('../../measure/frames-evidence.ts'), import('../../measure/evidence-files.ts')])
          const chosen = await framesEvidence(refFrames, candFrames, m, seed, DEFAULT_EVIDENCE_OPTIONS)
          await writeEvidence(flags.evidence, { input: 'frames', seed, metrics: m.metrics, perSample: m.perSample, evidence: chosen })
        }
        measured = m
        const p = m.plan
        out = {
          input: 'frames',
          seed,
          plan: { frames: p.frameCount, width: p.width, height: p.height, analysis: p.analysis, complexity: p.complexity, counts: p.counts },
          perSample: m.perSample
        }
      }

      const { intervalsToWire, metricsToWire, metricToWire, passesThresholds } = await import('../../../protocol/metrics.ts')
      const { DEFAULT_CONFIDENCE } = await import('../../../protocol/stats/student-t.ts')
      const passes = thresholds === undefined ? undefined : passesThresholds(measured.metrics, thresholds)
      if (passes === false) process.exitCode = 1
      if (flags.json === true) {
        const perSample = flags.samples === true
          ? (out.perSample as Array<Record<string, unknown> & { ssim: number, psnr: number }>).map((s) => ({ ...s, ssim: metricToWire(s.ssim), psnr: metricToWire(s.psnr) }))
          : undefined
        const json = {
          ...out,
          metrics: metricsToWire(measured.metrics),
          intervals: intervalsToWire(measured.intervals),
          confidence: DEFAULT_CONFIDENCE,
          samples: measured.samples,
          ...(thresholds === undefined ? {} : { thresholds, passes }),
          perSample
        }
        process.stdout.write(JSON.stringify(json, null, 2) + '\n')
        return
      }
      process.stdout.write(textReport(out, measured, flags.samples === true, thresholds, passes))
    })
}

/** The two input lists: a positional pair, or `--reference`/`--candidate` sets of equal length. */
function inputs (refArg: string | undefined, candArg: string | undefined, flags: MeasureFlags): { reference: string[], candidate: string[] } {
  const sets = flags.reference !== undefined || flags.candidate !== undefined
  if (sets) {
    if (refArg !== undefined) throw badArgs('measure', 'give either two files or --reference/--candidate, not both')
    if (flags.reference === undefined || flags.candidate === undefined) throw badArgs('--reference/--candidate', 'both frame sets are needed')
    if (flags.reference.length !== flags.candidate.length) {
      throw badArgs('--reference/--candidate', `frame sets differ in length (${flags.reference.length} and ${flags.candidate.length})`)
    }
    return { reference: flags.reference, candidate: flags.candidate }
  }
  if (refArg === undefined || candArg === undefined) throw badArgs('measure', 'expected REFERENCE CANDIDATE, or --reference FILES... --candidate FILES...')
  return { reference: [refArg], candidate: [candArg] }
}

function parseComplexity (value: string): number {
  const c = Number(value)
  if (!/^\d+(\.\d+)?$/.test(value) || !(c >= 0 && c <= 1)) throw badArgs('--complexity', 'expected a number in [0, 1]')
  return c
}

function parseThresholdFlag (value: string): Thresholds {
  const t = parseThresholds(value) // ranges checked there
  return { ssimMin: t.ssimMin ?? -1, psnrMin: t.psnrMin ?? 0, ssimLocalMin: t.ssimLocalMin ?? -1 }
}

function fmt (x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x)
}

function textReport (out: Record<string, unknown>, m: Measured, withSamples: boolean, thresholds: Thresholds | undefined, passes: boolean | undefined): string {
  const plan = out.plan as { width: number, height: number, analysis: { width: number, height: number }, complexity: number, counts: Record<string, number>, frames?: number, views?: number }
  const c = plan.counts
  const over = out.input === 'scenes' ? `${plan.views!} rendered views` : `${plan.frames!} frame${plan.frames === 1 ? '' : 's'}`
  const lines = [
    `SSIM     ${fmt(m.metrics.ssim, 6)}     95% CI [${fmt(m.intervals.ssim[0], 6)}, ${fmt(m.intervals.ssim[1], 6)}]`,
    `PSNR     ${fmt(m.metrics.psnr, 3)} dB  95% CI [${fmt(m.intervals.psnr[0], 3)}, ${fmt(m.intervals.psnr[1], 3)}] dB`,
    `local    ${fmt(m.metrics.ssimLocal, 6)}     95% CI [${fmt(m.intervals.ssimLocal[0], 6)}, ${fmt(m.intervals.ssimLocal[1], 6)}]  (${out.input === 'scenes' ? 'worst sample in a hundred' : '10th percentile'} of the samples' worst-tile SSIM${out.input === 'scenes' ? ', luma and chroma' : ''})`,
    `samples  ${m.samples} (frame ${c.frame}, region ${c.region}, full ${c.full}, temporal ${c.temporal}) over ${over} of ${plan.width}×${plan.height}, analysis ${plan.analysis.width}×${plan.analysis.height}, complexity ${fmt(plan.complexity, 4)}`,
    `seed     ${String(out.seed)}`
  ]
  const sizes = out.sizes as { original: Record<string, number>, candidate: Record<string, number>, ratios: Record<string, number> } | undefined
  if (sizes !== undefined) {
    for (const k of ['triangles', 'drawCalls', 'materials', 'textureMemoryBytes', 'fileBytes']) {
      lines.push(`${k.padEnd(19)} ${String(sizes.original[k]).padStart(10)} → ${String(sizes.candidate[k]).padStart(10)}  (×${fmt(sizes.ratios[k]!, 3)})`)
    }
  }
  if (thresholds !== undefined) lines.push(`verdict  ${passes === true ? 'passes' : 'below'} thresholds SSIM ≥ ${thresholds.ssimMin}, PSNR ≥ ${thresholds.psnrMin} dB, local SSIM ≥ ${thresholds.ssimLocalMin}`)
  if (withSamples) {
    for (const s of out.perSample as Array<{ kind: string, frame?: number, view?: number, rect?: { x: number, y: number, width: number, height: number }, ssim: number, worstTile: number, psnr: number }>) {
      const where = `${s.frame ?? s.view ?? ''}` + (s.rect === undefined ? '' : ` @${s.rect.x},${s.rect.y} ${s.rect.width}×${s.rect.height}`)
      lines.push(`  ${s.kind.padEnd(8)} ${where.padEnd(24)} SSIM ${fmt(s.ssim, 6)}  worst tile ${fmt(s.worstTile, 6)}  PSNR ${fmt(s.psnr, 3)}`)
    }
  }
  return lines.join('\n') + '\n'
}
