/**
 * The figures of a scene compared before and after a change (an optimization
 * report, the size reductions a scene measurement reports), and their ratios.
 */
import type { SceneStats } from './scene-stats.ts'

/** The figures compared before and after. */
export interface ReportFigures {
  triangles: number
  vertices: number
  drawCalls: number
  materials: number
  textures: number
  textureMemoryBytes: number
  geometryBytes: number
  fileBytes: number
}

/** The report's figures of one scene's stats. */
export function figures (s: SceneStats): ReportFigures {
  return {
    triangles: s.triangles,
    vertices: s.vertices,
    drawCalls: s.drawCalls,
    materials: s.materials,
    textures: s.textures,
    textureMemoryBytes: s.textureMemoryBytes,
    geometryBytes: s.geometryBytes,
    fileBytes: s.fileBytes
  }
}

/** after / before for every figure (1 where before is 0). */
export function figureRatios (before: ReportFigures, after: ReportFigures): ReportFigures {
  return Object.fromEntries(Object.keys(before).map((k) => {
    const key = k as keyof ReportFigures
    return [k, before[key] === 0 ? 1 : after[key] / before[key]]
  })) as unknown as ReportFigures
}
