/**
 * Size figures of an original scene and its candidate, as the optimizer's
 * report gives them (triangles, vertices, draw calls, materials, textures,
 * texture memory, geometry and file bytes), with candidate/original ratios.
 * Works for candidates from any tool: meshopt-compressed files are unpacked
 * first, the way the renderer reads them (file bytes are those of the files
 * as given).
 */
import { loadSceneSafely, resolveSceneLimits, type SceneLimits } from '../scene/load-scene.ts'
import { type ReportFigures, figureRatios, figures } from '../scene/scene-figures.ts'
import { measureScene } from '../scene/scene-stats.ts'
import { unpackMeshopt } from './meshopt-unpack.ts'

/** Figures of both scenes and their ratios (candidate / original). */
export interface SizeReductions {
  original: ReportFigures
  candidate: ReportFigures
  ratios: ReportFigures
}

/** Size figures of `original` and `candidate` and their ratios. */
export async function sizeReductions (original: Uint8Array, candidate: Uint8Array, limits: Partial<SceneLimits> = {}): Promise<SizeReductions> {
  const l = resolveSceneLimits(limits)
  const figuresOf = async (bytes: Uint8Array): Promise<ReportFigures> => {
    const loaded = await loadSceneSafely(await unpackMeshopt(bytes, l), l)
    return { ...figures(measureScene(loaded.document, bytes.byteLength)), fileBytes: bytes.byteLength }
  }
  const a = await figuresOf(original)
  const b = await figuresOf(candidate)
  return { original: a, candidate: b, ratios: figureRatios(a, b) }
}
