/**
 * The one in-memory image type of the code base: 8-bit RGBA, row-major, top
 * row first. Decoding (`decode-image.ts`), measurement (`node/measure/`), the
 * optimizer's texture pass and the renderer's textures all use it.
 */

/** An 8-bit RGBA image, rows top to bottom, 4 bytes per pixel. */
export interface RgbaImage {
  width: number
  height: number
  /** width · height · 4 bytes. */
  data: Uint8Array
}
