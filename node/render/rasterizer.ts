/**
 * Triangle setup and rasterization.
 *
 * - Culling and orientation are decided in camera space (sign of the face
 *   normal against the view ray), so they do not depend on projection rounding.
 * - Triangles are clipped (Sutherland–Hodgman, always interpolating from the
 *   inside vertex) against the near plane and a guard band of ±2^15 pixels,
 *   so projected coordinates stay bounded.
 * - Projected vertices are snapped to 1/16 pixel; edge functions are then
 *   integers below 2^42, exact in float64, and the top-left fill rule is
 *   applied exactly: a pixel centre on an edge shared by two triangles is
 *   drawn exactly once.
 * - Depth is 1/w, interpolated linearly in screen space; a fragment passes
 *   when strictly nearer than the stored one (ties keep the earlier draw).
 * - Attributes are interpolated perspective-correctly through the
 *   barycentrics of the original triangle.
 */
import type { Framebuffer } from './framebuffer.ts'
import { ALPHA_MASK, type PreparedMaterial } from './scene-reader.ts'

/**
 * What the rasterizer needs from a shader: the material (alpha mode, sides,
 * blending), a per-triangle set-up and a per-pixel shade.
 */
export interface PixelShader {
  readonly material: PreparedMaterial
  /**
   * Selects triangle (i0, i1, i2) with its set-up as `triangleSetup` wrote
   * it: the unit camera-space face normal in [0..2], the facing in [3]
   * (negative: seen from the back; its magnitude is the distance of the
   * plane from the eye) and twice the camera-space area in [4].
   */
  setTriangle: (i0: number, i1: number, i2: number, setup: Float64Array) => void
  /**
   * Shades the fragment `frag` = [b0, b1, b2, w] (barycentrics and view
   * depth; an array, so no number is boxed on the call) into `out`: linear
   * RGB in [0..2] and alpha in [3]; for blended materials [0..2] is the
   * premultiplied colour added to the pixel and [4..6] the factor that
   * multiplies what lies behind.
   */
  shade: (frag: Float64Array, out: Float64Array) => void
  /**
   * Optional cache of set-ups (deferred.ts): selects triangle t (its index in
   * the primitive) as setTriangle last did, or returns false when not held.
   */
  restoreTriangle?: (t: number) => boolean
  /** Optional: keeps the current set-up as triangle t's for restoreTriangle. */
  rememberTriangle?: (t: number) => void
  /**
   * Texture level-of-detail bias in levels: log2(ss) while one shade stands
   * for a whole pixel of ss × ss samples (deferred.ts), 0 for one sample.
   */
  lodBias: number
}

/** Counters of one render. */
export interface RasterStats {
  /** Triangles submitted (after expansion of instances). */
  triangles: number
  /** Culled as back faces of single-sided materials. */
  culled: number
  /** Skipped: non-finite positions, out-of-range indices, zero area in camera space. */
  degenerate: number
  /** Entirely outside the near plane or guard band. */
  clippedAway: number
  /** Fragments shaded (passed coverage and depth). */
  fragments: number
}

/** A fresh zeroed stats object. */
export function emptyStats (): RasterStats {
  return { triangles: 0, culled: 0, degenerate: 0, clippedAway: 0, fragments: 0 }
}

/** Guard band half-size in pixels: clipped coordinates stay within ±2^15 px so snapped edge products stay exact. */
const GUARD = 32768
/** Sub-pixel precision: 4 bits (1/16 pixel). */
const SUB = 16

/**
 * Deferred shading buffers (one entry per sample): which draw item and
 * triangle is visible and its perspective-correct barycentrics. Opaque
 * fragments record these instead of being shaded; `resolveDeferred`
 * (deferred.ts) shades each visible surface once per pixel where all the
 * pixel's samples see the same triangle.
 */
export interface DeferredBuffers {
  /** Draw item index per sample, −1 when the colour is final (background, or shaded while drawing). */
  item: Int32Array
  /** Triangle index within the item's primitive. */
  tri: Int32Array
  /** Barycentrics, three per sample. */
  bary: Float64Array
}

/** Projection and target of a draw. */
export interface RasterTarget {
  fb: Framebuffer
  focal: number
  near: number
  /** When set, opaque (not MASK, not blended) fragments are recorded here with this item index instead of shaded. */
  deferred?: { buffers: DeferredBuffers, item: number }
}

/** Camera-space set-up of triangle t: written to out = [nx, ny, nz, facing, nl]; false when degenerate (non-finite or zero area). */
export function triangleSetup (pos: Float64Array, i0: number, i1: number, i2: number, mirrored: boolean, out: Float64Array): boolean {
  const x0 = pos[i0 * 3]!; const y0 = pos[i0 * 3 + 1]!; const z0 = pos[i0 * 3 + 2]!
  const x1 = pos[i1 * 3]!; const y1 = pos[i1 * 3 + 1]!; const z1 = pos[i1 * 3 + 2]!
  const x2 = pos[i2 * 3]!; const y2 = pos[i2 * 3 + 1]!; const z2 = pos[i2 * 3 + 2]!
  // camera-space face normal (counter-clockwise winding) and facing
  const ax = x1 - x0; const ay = y1 - y0; const az = z1 - z0
  const bx = x2 - x0; const by = y2 - y0; const bz = z2 - z0
  let nx = ay * bz - az * by; let ny = az * bx - ax * bz; let nz = ax * by - ay * bx
  const nl = Math.sqrt(nx * nx + ny * ny + nz * nz)
  if (!(nl > 0) || !Number.isFinite(nl) || !Number.isFinite(x0 + y0 + z0 + x1 + y1 + z1 + x2 + y2 + z2)) return false
  if (mirrored) { nx = -nx; ny = -ny; nz = -nz }
  nx /= nl; ny /= nl; nz /= nl
  out[0] = nx; out[1] = ny; out[2] = nz
  out[3] = -(nx * x0 + ny * y0 + nz * z0) // > 0: the viewer at the origin sees the front
  out[4] = nl
  return true
}

const out4 = new Float64Array(8)
const frag = new Float64Array(4)

/** Clip-space polygon vertex: x, y, w and the original triangle's barycentrics. */
type ClipVertex = [number, number, number, number, number, number]

/** Draws the triangles of one primitive (camera-space `pos`) with `shader`. */
export function rasterizePrimitive (target: RasterTarget, indices: Uint32Array, pos: Float64Array, vertexCount: number, mirrored: boolean, shader: PixelShader, stats: RasterStats): void {
  const fb = target.fb
  const W = fb.fullWidth; const H = fb.fullHeight
  const s = target.focal * H / 2 // pixels per unit of x/w and y/w (square pixels)
  const cx = W / 2 - fb.x0; const cy = H / 2 - fb.y0
  const near = target.near
  // clip planes a·x + b·y + c·w + e ≥ 0: near, then the guard band left, right, top, bottom
  const planes = Float64Array.of(
    0, 0, 1, -near,
    s, 0, W / 2 + GUARD, 0,
    -s, 0, GUARD - W / 2, 0,
    0, -s, H / 2 + GUARD, 0,
    0, s, GUARD - H / 2, 0
  )
  const mat = shader.material
  const triCount = indices.length / 3
  const sx = new Float64Array(3); const sy = new Float64Array(3); const iw = new Float64Array(3); const q = new Float64Array(9)
  const setup = new Float64Array(5)
  const defer = target.deferred !== undefined && mat.alphaMode !== ALPHA_MASK && !mat.blended ? target.deferred : null
  for (let t = 0; t < triCount; t++) {
    stats.triangles++
    const i0 = indices[t * 3]!; const i1 = indices[t * 3 + 1]!; const i2 = indices[t * 3 + 2]!
    if (i0 >= vertexCount || i1 >= vertexCount || i2 >= vertexCount) { stats.degenerate++; continue }
    if (!triangleSetup(pos, i0, i1, i2, mirrored, setup)) { stats.degenerate++; continue }
    const x0 = pos[i0 * 3]!; const y0 = pos[i0 * 3 + 1]!; const z0 = pos[i0 * 3 + 2]!
    const x1 = pos[i1 * 3]!; const y1 = pos[i1 * 3 + 1]!; const z1 = pos[i1 * 3 + 2]!
    const x2 = pos[i2 * 3]!; const y2 = pos[i2 * 3 + 1]!; const z2 = pos[i2 * 3 + 2]!
    const facing = setup[3]!
    if (!(facing !== 0)) { stats.degenerate++; continue }
    const back = facing < 0
    if (back && !mat.doubleSided) { stats.culled++; continue }

    const w0 = -z0; const w1 = -z1; const w2 = -z2
    // outcodes against the five planes
    let allIn = true
    let rejected = false
    for (let k = 0; k < 20; k += 4) {
      const a = planes[k]!; const b = planes[k + 1]!; const c = planes[k + 2]!; const e = planes[k + 3]!
      const d0 = a * x0 + b * y0 + c * w0 + e; const d1 = a * x1 + b * y1 + c * w1 + e; const d2 = a * x2 + b * y2 + c * w2 + e
      if (d0 < 0 && d1 < 0 && d2 < 0) { rejected = true; break }
      if (d0 < 0 || d1 < 0 || d2 < 0) allIn = false
    }
    if (rejected) { stats.clippedAway++; continue }

    if (defer === null) shader.setTriangle(i0, i1, i2, setup)

    if (allIn) {
      const v0 = 1 / w0; const v1 = 1 / w1; const v2 = 1 / w2
      sx[0] = Math.floor((s * x0 * v0 + cx) * SUB + 0.5); sy[0] = Math.floor((-s * y0 * v0 + cy) * SUB + 0.5)
      sx[1] = Math.floor((s * x1 * v1 + cx) * SUB + 0.5); sy[1] = Math.floor((-s * y1 * v1 + cy) * SUB + 0.5)
      sx[2] = Math.floor((s * x2 * v2 + cx) * SUB + 0.5); sy[2] = Math.floor((-s * y2 * v2 + cy) * SUB + 0.5)
      iw[0] = v0; iw[1] = v1; iw[2] = v2
      q.fill(0); q[0] = v0; q[4] = v1; q[8] = v2
      fillTriangle(fb, sx, sy, iw, q, shader, stats, defer, t)
      continue
    }
    let poly: ClipVertex[] = [[x0, y0, w0, 1, 0, 0], [x1, y1, w1, 0, 1, 0], [x2, y2, w2, 0, 0, 1]]
    for (let k = 0; k < 20; k += 4) {
      poly = clipPolygon(poly, planes[k]!, planes[k + 1]!, planes[k + 2]!, planes[k + 3]!)
      if (poly.length < 3) break
    }
    if (poly.length < 3) { stats.clippedAway++; continue }
    const px: number[] = []; const py: number[] = []; const pw: number[] = []
    for (const v of poly) {
      const inv = 1 / v[2]
      px.push(Math.floor((s * v[0] * inv + cx) * SUB + 0.5))
      py.push(Math.floor((-s * v[1] * inv + cy) * SUB + 0.5))
      pw.push(inv)
    }
    for (let k = 1; k + 1 < poly.length; k++) {
      const idx = [0, k, k + 1]
      for (let j = 0; j < 3; j++) {
        const v = poly[idx[j]!]!
        const inv = pw[idx[j]!]!
        sx[j] = px[idx[j]!]!; sy[j] = py[idx[j]!]!; iw[j] = inv
        q[j * 3] = v[3] * inv; q[j * 3 + 1] = v[4] * inv; q[j * 3 + 2] = v[5] * inv
      }
      fillTriangle(fb, sx, sy, iw, q, shader, stats, defer, t)
    }
  }
}

/** Clips a convex polygon to a·x + b·y + c·w + e ≥ 0. */
function clipPolygon (poly: ClipVertex[], a: number, b: number, c: number, e: number): ClipVertex[] {
  const out: ClipVertex[] = []
  const n = poly.length
  for (let k = 0; k < n; k++) {
    const S = poly[k]!; const E = poly[(k + 1) % n]!
    const dS = a * S[0] + b * S[1] + c * S[2] + e
    const dE = a * E[0] + b * E[1] + c * E[2] + e
    const sIn = dS >= 0; const eIn = dE >= 0
    if (sIn) out.push(S)
    if (sIn !== eIn) {
      // interpolate from the inside vertex so a shared edge is cut at the same point by both triangles
      const I = sIn ? S : E; const O = sIn ? E : S
      const dI = sIn ? dS : dE; const dO = sIn ? dE : dS
      const t = dI / (dI - dO)
      const v: ClipVertex = [0, 0, 0, 0, 0, 0]
      for (let j = 0; j < 6; j++) v[j] = I[j]! + t * (O[j]! - I[j]!)
      out.push(v)
    }
  }
  return out
}

/**
 * Rasterizes one screen triangle with snapped coordinates (1/16 px, window
 * space), 1/w per vertex and q = original barycentrics × 1/w per vertex.
 */
function fillTriangle (fb: Framebuffer, sxIn: Float64Array, syIn: Float64Array, iwIn: Float64Array, qIn: Float64Array, shader: PixelShader, stats: RasterStats, defer: { buffers: DeferredBuffers, item: number } | null, tri: number): void {
  let X0 = sxIn[0]!; let Y0 = syIn[0]!; let X1 = sxIn[1]!; let Y1 = syIn[1]!; let X2 = sxIn[2]!; let Y2 = syIn[2]!
  let iw0 = iwIn[0]!; let iw1 = iwIn[1]!; let iw2 = iwIn[2]!
  let a0 = qIn[0]!; let a1 = qIn[1]!; let a2 = qIn[2]!
  let b0 = qIn[3]!; let b1 = qIn[4]!; let b2 = qIn[5]!
  const c0 = qIn[6]!; const c1 = qIn[7]!; const c2 = qIn[8]!
  let d0 = c0; let d1 = c1; let d2 = c2
  let area = (X1 - X0) * (Y2 - Y0) - (Y1 - Y0) * (X2 - X0)
  if (area === 0) return
  if (area < 0) {
    // make the winding positive by swapping vertices 1 and 2
    let tmp = X1; X1 = X2; X2 = tmp; tmp = Y1; Y1 = Y2; Y2 = tmp; tmp = iw1; iw1 = iw2; iw2 = tmp
    tmp = b0; b0 = d0; d0 = tmp; tmp = b1; b1 = d1; d1 = tmp; tmp = b2; b2 = d2; d2 = tmp
    area = -area
  }
  // vertex 0: (a0, a1, a2); vertex 1: (b0, b1, b2); vertex 2: (d0, d1, d2)
  // the edge functions' weights are multiplied by 1/area (once per triangle) instead of divided by it
  const invArea = 1 / area
  const w = fb.width; const h = fb.height
  const minX = Math.max(0, Math.ceil((Math.min(X0, X1, X2) - 8) / SUB))
  const maxX = Math.min(w - 1, Math.floor((Math.max(X0, X1, X2) - 8) / SUB))
  const minY = Math.max(0, Math.ceil((Math.min(Y0, Y1, Y2) - 8) / SUB))
  const maxY = Math.min(h - 1, Math.floor((Math.max(Y0, Y1, Y2) - 8) / SUB))
  if (minX > maxX || minY > maxY) return
  // edge e01 (weight of vertex 2), e12 (vertex 0), e20 (vertex 1); bias 1 on edges that are not top-left
  const bias01 = (Y1 - Y0 < 0 || (Y1 === Y0 && X1 > X0)) ? 0 : 1
  const bias12 = (Y2 - Y1 < 0 || (Y2 === Y1 && X2 > X1)) ? 0 : 1
  const bias20 = (Y0 - Y2 < 0 || (Y0 === Y2 && X0 > X2)) ? 0 : 1
  const px = minX * SUB + 8; const py = minY * SUB + 8
  let r01 = (X1 - X0) * (py - Y0) - (Y1 - Y0) * (px - X0)
  let r12 = (X2 - X1) * (py - Y1) - (Y2 - Y1) * (px - X1)
  let r20 = (X0 - X2) * (py - Y2) - (Y0 - Y2) * (px - X2)
  const dx01 = -(Y1 - Y0) * SUB; const dy01 = (X1 - X0) * SUB
  const dx12 = -(Y2 - Y1) * SUB; const dy12 = (X2 - X1) * SUB
  const dx20 = -(Y0 - Y2) * SUB; const dy20 = (X0 - X2) * SUB
  const depth = fb.depth; const red = fb.red; const green = fb.green; const blue = fb.blue
  const mat = shader.material
  const blend = mat.blended
  const mask = mat.alphaMode === ALPHA_MASK
  const cutoff = mat.alphaCutoff
  // a forward-shaded opaque fragment (MASK) over a deferred one makes the sample's colour final
  const deferredItem = fb.deferred === null ? null : fb.deferred.item
  for (let y = minY; y <= maxY; y++, r01 += dy01, r12 += dy12, r20 += dy20) {
    // the row's covered span, solved exactly from each edge function (integers: the quotients'
    // ceil/floor are exact), so pixels outside the triangle are never visited
    let xs = minX; let xe = maxX
    if (dx01 > 0) xs = Math.max(xs, minX + Math.ceil((bias01 - r01) / dx01))
    else if (dx01 < 0) xe = Math.min(xe, minX + Math.floor((r01 - bias01) / -dx01))
    else if (r01 < bias01) continue
    if (dx12 > 0) xs = Math.max(xs, minX + Math.ceil((bias12 - r12) / dx12))
    else if (dx12 < 0) xe = Math.min(xe, minX + Math.floor((r12 - bias12) / -dx12))
    else if (r12 < bias12) continue
    if (dx20 > 0) xs = Math.max(xs, minX + Math.ceil((bias20 - r20) / dx20))
    else if (dx20 < 0) xe = Math.min(xe, minX + Math.floor((r20 - bias20) / -dx20))
    else if (r20 < bias20) continue
    if (xs > xe) continue
    let e01 = r01 + (xs - minX) * dx01; let e12 = r12 + (xs - minX) * dx12; let e20 = r20 + (xs - minX) * dx20
    for (let x = xs; x <= xe; x++) {
      if (e01 >= bias01 && e12 >= bias12 && e20 >= bias20) {
        const l0 = e12 * invArea; const l1 = e20 * invArea; const l2 = e01 * invArea
        const z = l0 * iw0 + l1 * iw1 + l2 * iw2
        const p = y * w + x
        if (z > depth[p]!) {
          const iz = 1 / z
          const B0 = (l0 * a0 + l1 * b0 + l2 * d0) * iz
          const B1 = (l0 * a1 + l1 * b1 + l2 * d1) * iz
          const B2 = (l0 * a2 + l1 * b2 + l2 * d2) * iz
          if (defer !== null) {
            stats.fragments++
            depth[p] = z
            const d = defer.buffers
            d.item[p] = defer.item; d.tri[p] = tri
            d.bary[p * 3] = B0; d.bary[p * 3 + 1] = B1; d.bary[p * 3 + 2] = B2
            e01 += dx01; e12 += dx12; e20 += dx20
            continue
          }
          frag[0] = B0; frag[1] = B1; frag[2] = B2; frag[3] = iz
          shader.shade(frag, out4)
          const alpha = out4[3]!
          if (!(mask && !(alpha >= cutoff))) {
            stats.fragments++
            if (blend) {
              red[p] = out4[0]! + red[p]! * out4[4]!
              green[p] = out4[1]! + green[p]! * out4[5]!
              blue[p] = out4[2]! + blue[p]! * out4[6]!
            } else {
              red[p] = out4[0]!; green[p] = out4[1]!; blue[p] = out4[2]!
              depth[p] = z
              if (deferredItem !== null) deferredItem[p] = -1
            }
          }
        }
      }
      e01 += dx01; e12 += dx12; e20 += dx20
    }
  }
}
