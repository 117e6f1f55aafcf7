/**
 * The render target: a window of a full image (a whole view, or a crop of it
 * rendered at full resolution), holding linear RGB colour and a depth buffer
 * of 1/w (larger is nearer; 0 means empty).
 */
import { linearToSrgb8, SRGB8_TO_LINEAR } from './color.ts'

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
  /** Linear RGB, 3 per pixel. */
  readonly color: Float64Array
  /** 1/w of the nearest opaque or masked surface per pixel (0 = background). */
  readonly depth: Float64Array

  constructor (fullWidth: number, fullHeight: number, window?: { x: number, y: number, width: number, height: number }) {
    this.fullWidth = fullWidth
    this.fullHeight = fullHeight
    this.x0 = window?.x ?? 0
    this.y0 = window?.y ?? 0
    this.width = window?.width ?? fullWidth
    this.height = window?.height ?? fullHeight
    const n = this.width * this.height
    this.color = new Float64Array(n * 3)
    this.depth = new Float64Array(n)
    const bg = BACKGROUND_SRGB8.map((c) => SRGB8_TO_LINEAR[c]!)
    for (let i = 0; i < n; i++) { this.color[i * 3] = bg[0]!; this.color[i * 3 + 1] = bg[1]!; this.color[i * 3 + 2] = bg[2]! }
  }

  /** Encodes the window to opaque RGBA8 sRGB. */
  toRgba8 (): RgbaPixels {
    const n = this.width * this.height
    const data = new Uint8Array(n * 4)
    for (let i = 0; i < n; i++) {
      data[i * 4] = linearToSrgb8(this.color[i * 3]!)
      data[i * 4 + 1] = linearToSrgb8(this.color[i * 3 + 1]!)
      data[i * 4 + 2] = linearToSrgb8(this.color[i * 3 + 2]!)
      data[i * 4 + 3] = 255
    }
    return { width: this.width, height: this.height, data }
  }
}
