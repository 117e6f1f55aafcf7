/**
 * Render budget: a verifier refuses, before rendering anything, a job whose
 * triangles × views or image sizes would take too long, instead of hanging.
 */
import { ERR_RENDER_BUDGET, renderError } from './errors.ts'

/** Limits on the work of one measurement. */
export interface RenderBudgetOptions {
  /**
   * Largest sum over all renders of the triangles submitted. The renderer
   * draws about 1–3 M small triangles/s on one core (docs/renderer.md), so
   * the default 3·10^8 bounds a measurement to a few minutes at worst.
   */
  maxTriangleViews: number
  /** Largest image (width × height) of one render: 4096 × 4096, beyond which one render alone costs seconds and half a gigabyte of buffers. */
  maxPixelsPerView: number
  /** Largest texture decoded (width × height): 8192 × 8192, the common maximum texture size of desktop GPUs. */
  maxTexturePixels: number
}

/** Default budget (see each field for the reason of its number). */
export const DEFAULT_RENDER_BUDGET_OPTIONS: RenderBudgetOptions = {
  maxTriangleViews: 300_000_000,
  maxPixelsPerView: 4096 * 4096,
  maxTexturePixels: 8192 * 8192
}

/** Work planned for a measurement. */
export interface PlannedWork {
  /** Triangles per render of each scene, summed over the renders planned. */
  triangleViews: number
  /** Largest render (width × height). */
  largestView: number
}

/** Throws `ERR_RENDER_BUDGET` when planned work exceeds the budget. */
export function checkBudget (work: PlannedWork, budget: RenderBudgetOptions): void {
  if (!(work.triangleViews <= budget.maxTriangleViews)) {
    throw renderError(ERR_RENDER_BUDGET, `rendering needs ${work.triangleViews} triangle-views, over the budget of ${budget.maxTriangleViews}`, { triangleViews: work.triangleViews, maxTriangleViews: budget.maxTriangleViews })
  }
  if (!(work.largestView <= budget.maxPixelsPerView)) {
    throw renderError(ERR_RENDER_BUDGET, `a render of ${work.largestView} pixels exceeds the budget of ${budget.maxPixelsPerView}`, { largestView: work.largestView, maxPixelsPerView: budget.maxPixelsPerView })
  }
}
