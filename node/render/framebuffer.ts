/**
 * The render target: a window of a full image (a whole view, or a crop of it
 * rendered at full resolution), holding linear RGB colour and a depth buffer
 * of 1/w (larger is nearer; 0 means empty).
 */
import { linearToSrgb8, SRGB8_TO_LINEAR } from './color.ts'
import type { DeferredBuffers } from './rasterizer.ts'
import { inverseNeutralToe, neutralToneMap } from './tonemap.ts'

/** Background colour, 8-bit sRGB: a dark neutral grey, distinct from pure black geometry and from unlit white. */
export const BACKGROUND_SRGB8: readonly [number, number, number] = [48, 48, 48]

/** RGBA8 image, row-major, top row first (the same shape as node/measure's images). */
export interface RgbaPixels {
  width: number
  height: number
  data: Uint8Array
}

/** A linear colour + depth buffer for a window of a `fullWidth` × `fullHeight` image. */
export class Framebuffer {
  /** Size of the whole image the camera projects onto. */
  readonly fullWidth: number
  readonly fullHeight: number
  /** Window origin in the full image and its size (the pixels actually stored). */
  readonly x0: number
  readonly y0: number
  readonly width: number
  readonly height: number
  /** Linear red, green and blue planes, one value per pixel. */
  readonly red: Float64Array
  readonly green: Float64Array
  readonly blue: Float64Array
  /** 1/w of the nearest opaque or masked surface per pixel (0 = background). */
  readonly depth: Float64Array

  /** Whether colours are scene-referred (tone-mapped on output) or already display values. */
  readonly toneMapped: boolean
  /** The background's stored linear colour (what the colour planes start as). */
  readonly background: readonly [number, number, number]
  /**
   * Whether the colour planes hold the background where nothing was drawn.
   * A tone-mapped buffer made with `colour` false leaves them unfilled: only
   * deferred fragments may be drawn into it, and it is read only by
   * `resolveToRgba8` (deferred.ts), which takes the background for every
   * sample no fragment covered.
   */
  readonly colourFilled: boolean
  /** Deferred shading buffers (tone-mapped buffers only), or null. */
  readonly deferred: DeferredBuffers | null

  /**
   * `toneMapped`: the planes hold scene-referred linear light, tone-mapped
   * on output; the background is stored as the value that tone-maps to
   * BACKGROUND_SRGB8, so it encodes to the same code either way.
   * `colour` false (tone-mapped buffers only) skips filling the colour
   * planes (see `colourFilled`). `deferredStorage` (tone-mapped buffers with
   * `colour` false only) holds the depth and deferred buffers instead of the
   * per-thread pool: the WebAssembly resolve's memory (pbr-kernel.ts).
   */
  constructor (fullWidth: number, fullHeight: number, window?: { x: number, y: number, width: number, height: number }, toneMapped = false, colour = true, deferredStorage: DeferredStorage | null = null) {
    this.toneMapped = toneMapped
    this.fullWidth = fullWidth
    this.fullHeight = fullHeight
    this.x0 = window?.x ?? 0
    this.y0 = window?.y ?? 0
    this.width = window?.width ?? fullWidth
    this.height = window?.height ?? fullHeight
    const n = this.width * this.height
    const bg = (c: number): number => (toneMapped ? inverseNeutralToe(SRGB8_TO_LINEAR[c]!) : SRGB8_TO_LINEAR[c]!)
    const st = deferredStorage === null ? takeStorage(n) : { ...deferredStorage, red: EMPTY, green: EMPTY, blue: EMPTY }
    this.storage = deferredStorage === null ? st : null
    this.background = [bg(BACKGROUND_SRGB8[0]), bg(BACKGROUND_SRGB8[1]), bg(BACKGROUND_SRGB8[2])]
    this.colourFilled = colour || !toneMapped
    this.red = st.red.subarray(0, n); this.green = st.green.subarray(0, n); this.blue = st.blue.subarray(0, n)
    if (this.colourFilled) { this.red.fill(this.background[0]); this.green.fill(this.background[1]); this.blue.fill(this.background[2]) }
    this.depth = st.depth.subarray(0, n).fill(0)
    // tri and bary are read only where item ≥ 0, which every recorded sample writes first
    this.deferred = toneMapped ? { item: st.item.subarray(0, n).fill(-1), tri: st.tri.subarray(0, n), bary: st.bary.subarray(0, n * 3) } : null
  }

  private storage: Storage | null

  /** Returns the planes to the per-thread pool; the framebuffer must not be used afterwards. */
  release (): void {
    if (this.storage !== null && this.storage.red.length <= MAX_POOLED_SAMPLES) pool = this.storage
    this.storage = null
  }

  /**
   * Encodes the window to opaque RGBA8 sRGB, `ss` × `ss` samples per output
   * pixel: each sample tone-mapped (when the buffer is), the samples of a
   * pixel summed row by row in a fixed order and divided by their count.
   */
  toRgba8 (ss = 1): RgbaPixels {
    if (ss === 1 && !this.toneMapped) return this.encodeDirect()
    const ow = Math.floor(this.width / ss); const oh = Math.floor(this.height / ss)
    const data = new Uint8Array(ow * oh * 4)
    const red = this.red; const green = this.green; const blue = this.blue
    const tm = this.toneMapped
    const c = new Float64Array(3)
    let lr = NaN; let lg = NaN; let lb = NaN; let tr = 0; let tg = 0; let tb = 0
    const inv = 1 / (ss * ss)
    const W = this.width
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        let sr = 0; let sg = 0; let sb = 0
        for (let j = 0; j < ss; j++) {
          let i = (y * ss + j) * W + x * ss
          for (let k = 0; k < ss; k++, i++) {
            const r = red[i]!; const g = green[i]!; const b = blue[i]!
            if (r !== lr || g !== lg || b !== lb) {
              lr = r; lg = g; lb = b
              c[0] = r; c[1] = g; c[2] = b
              if (tm) neutralToneMap(c, 0)
              tr = c[0]!; tg = c[1]!; tb = c[2]!
            }
            sr += tr; sg += tg; sb += tb
          }
        }
        const o = (y * ow + x) * 4
        data[o] = linearToSrgb8(sr * inv); data[o + 1] = linearToSrgb8(sg * inv); data[o + 2] = linearToSrgb8(sb * inv); data[o + 3] = 255
      }
    }
    return { width: ow, height: oh, data }
  }

  /** One sample per pixel, no tone mapping (the Lambert model's output). */
  private encodeDirect (): RgbaPixels {
    const n = this.width * this.height
    const data = new Uint8Array(n * 4)
    const red = this.red; const green = this.green; const blue = this.blue
    // runs of equal colour (background, flat surfaces) are encoded once
    let lr = NaN; let lg = NaN; let lb = NaN; let er = 0; let eg = 0; let eb = 0
    for (let i = 0; i < n; i++) {
      const r = red[i]!; const g = green[i]!; const b = blue[i]!
      if (r !== lr) { lr = r; er = linearToSrgb8(r) }
      if (g !== lg) { lg = g; eg = linearToSrgb8(g) }
      if (b !== lb) { lb = b; eb = linearToSrgb8(b) }
      data[i * 4] = er; data[i * 4 + 1] = eg; data[i * 4 + 2] = eb; data[i * 4 + 3] = 255
    }
    return { width: this.width, height: this.height, data }
  }
}

/** The planes of a framebuffer, kept for reuse: allocating and zeroing ~60 MB per supersampled 512² render cost more than drawing it. */
interface Storage {
  red: Float64Array
  green: Float64Array
  blue: Float64Array
  depth: Float64Array
  item: Int32Array
  tri: Int32Array
  bary: Float64Array
}

/** Depth and deferred buffers held elsewhere (the WebAssembly resolve's memory, pbr-kernel.ts), for a tone-mapped framebuffer without colour planes. */
export interface DeferredStorage {
  depth: Float64Array
  item: Int32Array
  tri: Int32Array
  bary: Float64Array
}

const EMPTY = new Float64Array(0)

/** Largest storage kept for reuse: 2^22 samples (a 1024² view at 2 × 2 samples, about 270 MB); larger renders allocate and free their own. */
export const MAX_POOLED_SAMPLES = 1 << 22

/** One free storage per thread (renders in a thread run one at a time); every plane is refilled before use. */
let pool: Storage | null = null

function takeStorage (n: number): Storage {
  const p = pool
  if (p !== null && p.red.length >= n) { pool = null; return p }
  return { red: new Float64Array(n), green: new Float64Array(n), blue: new Float64Array(n), depth: new Float64Array(n), item: new Int32Array(n), tri: new Int32Array(n), bary: new Float64Array(n * 3) }
}
