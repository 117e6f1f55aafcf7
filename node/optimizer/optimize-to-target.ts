/**
 * Optimization to a quality target: the smallest output whose measurement
 * against the input, by the network's own renderer and sampling
 * (node/render/measure-scene.ts), meets `ssim ≥ ssimMin` and
 * `psnr ≥ psnrMin`.
 *
 * The search walks a fixed ladder of settings, from the most aggressive
 * (few triangles, small lossy textures) to the most conservative (every
 * triangle, lossless textures at full size). The most conservative rung is
 * measured first: if it fails, no setting can meet the target
 * (`ERR_OPTIMIZER_TARGET_UNREACHABLE`, nothing is returned). Then a binary
 * search finds the most aggressive rung that passes, assuming quality grows
 * along the ladder; every rung measured is reported, and the smallest passing
 * output is chosen. Measurements use a seed derived from the input's hash and
 * the target, so the same input and target give the same search and the same
 * bytes on every node (the re-execution check of scene jobs holds). The input
 * is prepared and rendered once for the whole search (a scene reference,
 * node/render/scene-reference.ts), with the same numbers as measuring each
 * rung on its own.
 */
import { z } from 'zod'
import { sha256Hex } from '../../protocol/hash.ts'
import type { SceneReference } from '../render/scene-reference.ts'
import { PROFILES, type Profile } from './analysis-rules.ts'
import { ERR_OPTIMIZER_NOTHING_LEFT, ERR_OPTIMIZER_OPTIONS_INVALID, ERR_OPTIMIZER_TARGET_UNREACHABLE, fail } from './errors.ts'
import { isTrustEngineError } from '../../protocol/errors.ts'
import { optimizeScene, type OptimizeOptions, type OptimizeResult } from './optimize.ts'

/** The quality a result must reach (the network's thresholds: SSIM and PSNR minimums). */
export interface QualityTarget { ssimMin: number, psnrMin: number }

/** One rung of the search ladder: the settings it overrides on the profile. */
export interface TargetRung { ratio: number, error: number, maxTextureSize: number, textureQuality: number | false }

/**
 * The ladder, most aggressive first. Each rung relaxes every dimension a
 * little: triangle ratio and error bound, texture size, JPEG quality; the last
 * rung keeps every triangle and lossless textures up to the loader's 8192 px.
 */
export const TARGET_LADDER: readonly TargetRung[] = Object.freeze([
  { ratio: 0.1, error: 0.05, maxTextureSize: 256, textureQuality: 50 },
  { ratio: 0.15, error: 0.03, maxTextureSize: 512, textureQuality: 60 },
  { ratio: 0.25, error: 0.02, maxTextureSize: 512, textureQuality: 70 },
  { ratio: 0.35, error: 0.01, maxTextureSize: 1024, textureQuality: 75 },
  { ratio: 0.5, error: 0.005, maxTextureSize: 1024, textureQuality: 80 },
  { ratio: 0.65, error: 0.002, maxTextureSize: 2048, textureQuality: 85 },
  { ratio: 0.8, error: 0.001, maxTextureSize: 2048, textureQuality: 90 },
  { ratio: 0.9, error: 5e-4, maxTextureSize: 4096, textureQuality: 95 },
  { ratio: 1, error: 1e-4, maxTextureSize: 8192, textureQuality: false }
])

/** Options of {@link optimizeToTarget}. */
export interface TargetOptions {
  /** Profile for everything the ladder does not set (quantization, instancing, meshopt). */
  profile: Profile
  /** Write EXT_meshopt_compression (default: the profile's). */
  meshopt?: boolean
  /** Texture output formats, `core` or `webp` (default: the profile's). */
  textureFormat?: 'core' | 'webp'
  /** Seeded views per measurement (default: the renderer's default, as the network measures). */
  views?: number
}

/** Default target options. */
export const DEFAULT_TARGET_OPTIONS: Readonly<TargetOptions> = Object.freeze({
  // Balanced: quantization and instancing on, no meshopt, like the default profile.
  profile: 'balanced' as Profile
})

/** One measured rung. */
export interface TargetStep {
  rung: number
  settings: TargetRung
  bytes: number
  triangles: number
  ssim: number
  psnr: number
  passed: boolean
}

/** What the search did. */
export interface TargetSearch {
  target: QualityTarget
  /** Hex seed of every measurement. */
  seed: string
  steps: TargetStep[]
  /** The rung whose output was chosen. */
  chosen: number
  inputBytes: number
}

/** The chosen output, its optimization report and the search. */
export interface TargetResult extends OptimizeResult { search: TargetSearch }

const targetSchema = z.object({ ssimMin: z.number().min(-1).max(1), psnrMin: z.number().min(0).max(1000) }).strict()

/**
 * Searches the ladder for the smallest output that meets `target`; see the
 * module comment. Throws `ERR_OPTIMIZER_TARGET_UNREACHABLE` when even the most
 * conservative rung fails, `ERR_OPTIMIZER_OPTIONS_INVALID` for bad options,
 * and the loader's and renderer's codes for bad input. A rung whose
 * simplification removes every triangle (`ERR_OPTIMIZER_NOTHING_LEFT`) fails
 * without being measured: its step has 0 bytes, SSIM -1 and PSNR 0.
 */
export async function optimizeToTarget (bytes: Uint8Array, target: QualityTarget, options: Partial<TargetOptions> = {}): Promise<TargetResult> {
  const t = targetSchema.safeParse(target)
  if (!t.success) fail(ERR_OPTIMIZER_OPTIONS_INVALID, 'target must give ssimMin in [-1, 1] and psnrMin >= 0')
  const o = { ...DEFAULT_TARGET_OPTIONS, ...options }
  if (!PROFILES.includes(o.profile)) fail(ERR_OPTIMIZER_OPTIONS_INVALID, `unknown profile ${String(o.profile)}`)
  const [{ measureAgainstReference }, { prepareSceneReference }] = await Promise.all([import('../render/measure-scene.ts'), import('../render/scene-reference.ts')])
  const seed = sha256Hex(`trust-engine/optimize-target\0${sha256Hex(bytes)}\0${t.data.ssimMin}\0${t.data.psnrMin}`)
  // every rung is measured against the same input, views and plan: the input is rendered once for all of them
  // (prepared after the first optimization, so a bad input fails with the optimizer's codes as before)
  let reference: SceneReference | undefined
  const results = new Map<number, OptimizeResult>()
  const steps: TargetStep[] = []
  const tryRung = async (rung: number): Promise<boolean> => {
    const settings = TARGET_LADDER[rung]!
    const opts: Partial<OptimizeOptions> = { profile: o.profile, ...settings, ...(o.meshopt === undefined ? {} : { meshopt: o.meshopt }), ...(o.textureFormat === undefined ? {} : { textureFormat: o.textureFormat }) }
    let out: OptimizeResult
    try {
      out = await optimizeScene(bytes, opts)
    } catch (err) {
      // Settings that simplify every triangle away fail the target without a measurement (the worst SSIM and PSNR).
      if (!isTrustEngineError(err) || err.code !== ERR_OPTIMIZER_NOTHING_LEFT) throw err
      steps.push({ rung, settings, bytes: 0, triangles: 0, ssim: -1, psnr: 0, passed: false })
      return false
    }
    reference ??= await prepareSceneReference(bytes, { seed, ...(o.views === undefined ? {} : { views: o.views }) })
    const m = await measureAgainstReference(reference, out.bytes)
    const passed = m.metrics.ssim >= t.data.ssimMin && m.metrics.psnr >= t.data.psnrMin
    steps.push({ rung, settings, bytes: out.bytes.byteLength, triangles: out.report.after.triangles, ssim: m.metrics.ssim, psnr: m.metrics.psnr, passed })
    if (passed) results.set(rung, out)
    return passed
  }
  let hi = TARGET_LADDER.length - 1
  if (!await tryRung(hi)) {
    fail(ERR_OPTIMIZER_TARGET_UNREACHABLE, `even the most conservative settings measure below the target (ssim ${steps[0]!.ssim.toFixed(4)}, psnr ${steps[0]!.psnr.toFixed(2)})`, { steps })
  }
  let lo = 0
  // Invariant: rung hi passes; every rung below lo that was measured failed.
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (await tryRung(mid)) hi = mid
    else lo = mid + 1
  }
  let chosen = hi
  for (const [rung, r] of results) if (r.bytes.byteLength < results.get(chosen)!.bytes.byteLength) chosen = rung
  const best = results.get(chosen)!
  return { ...best, search: { target: t.data, seed, steps, chosen, inputBytes: bytes.byteLength } }
}
