/**
 * The quality each optimization profile's defaults reach, measured as the
 * network measures a scene job (node/render measureScenes, default views and
 * sampling), on the generated PBR, shapes and dense scenes of the optimizer
 * benchmark: SSIM beside the network's default threshold 0.98, PSNR beside
 * 35 dB (ratio ≥ 1 passes), and output bytes beside the input's.
 */
import { optimizeScene } from '../../node/optimizer/optimize.ts'
import { PROFILES } from '../../node/optimizer/analysis-rules.ts'
import { measureScenes } from '../../node/render/measure-scene.ts'
import { denseScene, pbrScene, shapesScene } from './optimizer-scenes.ts'
import { type BenchResult, type BenchSuite, result } from './types.ts'

/** The network's default thresholds (protocol/network.ts). */
const SSIM_MIN = 0.98
const PSNR_MIN = 35

async function profileFigures (label: string, input: Uint8Array): Promise<BenchResult[]> {
  const out: BenchResult[] = []
  for (const profile of PROFILES) {
    const r = await optimizeScene(input, { profile })
    const m = await measureScenes(input, r.bytes, { seed: `0badc0de${label.length.toString(16).padStart(2, '0')}` })
    out.push(
      result(`${profile} on ${label}: SSIM`, m.metrics.ssim, '', 'threshold', SSIM_MIN),
      result(`${profile} on ${label}: PSNR`, m.metrics.psnr, 'dB', 'threshold', PSNR_MIN),
      result(`${profile} on ${label}: output bytes`, r.bytes.byteLength, 'bytes', 'input', input.byteLength)
    )
  }
  return out
}

/** The profile-quality suite. */
export const optimizerProfilesSuite: BenchSuite = {
  name: 'optimizer-profiles',
  run: async () => [
    ...await profileFigures('pbr', await pbrScene()),
    ...await profileFigures('shapes', await shapesScene()),
    ...await profileFigures('dense', await denseScene())
  ]
}
