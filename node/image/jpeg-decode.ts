/**
 * Bounded JPEG decoding to RGBA8 with jpeg-js (pure JavaScript, integer
 * IDCT), after {@link readImageHeader} has checked the header against the
 * limits: the decoder is bounded to the pixels the header declares, so a lying
 * header costs nothing, and an image that decodes to another size is refused.
 */
import { jpegCodec } from './codecs.ts'
import { ERR_IMAGE_DECODE, imageError } from './errors.ts'
import type { JpegImageHeader } from './image-header.ts'
import type { RgbaImage } from './rgba-image.ts'

/** Decodes the JPEG whose header `header` was read from `bytes` (opaque RGBA8). Throws `ERR_IMAGE_DECODE`. */
export function decodeJpegPixels (bytes: Uint8Array, header: JpegImageHeader): RgbaImage {
  const pixels = header.width * header.height
  let img: { width: number, height: number, data: Uint8Array }
  try {
    img = jpegCodec().decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: pixels / 1e6 + 1e-6,
      // jpeg-js counts its coefficient blocks, component planes and the RGBA output
      // (about 12 bytes a pixel for 4:4:4); 16 a pixel plus 64 MB leaves room for tables.
      maxMemoryUsageInMB: Math.ceil((pixels * 16) / 1048576) + 64
    })
  } catch (err) {
    throw imageError(ERR_IMAGE_DECODE, 'JPEG image does not decode', undefined, err)
  }
  if (img.width !== header.width || img.height !== header.height) {
    throw imageError(ERR_IMAGE_DECODE, `JPEG decodes to ${img.width}x${img.height}, its header declares ${header.width}x${header.height}`)
  }
  return { width: img.width, height: img.height, data: img.data }
}
