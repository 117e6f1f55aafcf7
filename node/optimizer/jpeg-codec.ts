/**
 * JPEG decoding and encoding for the texture pass, with jpeg-js (pure
 * JavaScript). Decoding uses an integer IDCT; encoding uses fixed constants
 * and IEEE double arithmetic with no transcendental functions, so the same
 * pixels and quality give the same JPEG bytes on every node.
 */
import jpeg from 'jpeg-js'
import { ERR_SCENE_IMAGE_INVALID, fail } from './errors.ts'
import type { RgbaImage } from './png-codec.ts'

/**
 * Decodes JPEG bytes to RGBA, refusing an image that decodes to another size
 * than its header declared (`expected`, from the loader's header check): the
 * decoder is bounded to that many pixels, so a lying header costs nothing.
 */
export function decodeJpeg (bytes: Uint8Array, expected: { width: number, height: number }): RgbaImage {
  const pixels = expected.width * expected.height
  let img: { width: number, height: number, data: Uint8Array }
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: pixels / 1e6 + 1e-6,
      // jpeg-js counts its coefficient blocks, component planes and the RGBA output
      // (about 12 bytes a pixel for 4:4:4); 16 a pixel plus 64 MB leaves room for tables.
      maxMemoryUsageInMB: Math.ceil((pixels * 16) / 1048576) + 64
    })
  } catch (err) {
    return fail(ERR_SCENE_IMAGE_INVALID, 'JPEG image does not decode', undefined, err)
  }
  if (img.width !== expected.width || img.height !== expected.height) {
    fail(ERR_SCENE_IMAGE_INVALID, `JPEG decodes to ${img.width}x${img.height}, its header declares ${expected.width}x${expected.height}`)
  }
  return { width: img.width, height: img.height, data: img.data }
}

/** Encodes RGBA pixels as a baseline JPEG at `quality` (1-100); alpha is dropped. */
export function encodeJpeg (image: RgbaImage, quality: number): Uint8Array {
  const out = jpeg.encode({ width: image.width, height: image.height, data: image.data }, quality)
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength)
}
