/**
 * Bounded WebP decoding to RGBA8 (straight alpha) with libwebp in
 * WebAssembly (webp-codec.ts), after {@link readImageHeader} has checked the
 * declared size against the limits: the bitstream's own size was compared with
 * the header's there, so the decoder allocates no more than the limits allow,
 * and an image that decodes to another size is refused. libwebp's lossy path
 * converts YUV to RGB in fixed-point integer arithmetic, so every node gets
 * the same pixels.
 */
import { ERR_IMAGE_DECODE, imageError } from './errors.ts'
import type { RgbaImage } from './rgba-image.ts'
import { webpDecoder } from './webp-codec.ts'
import type { WebpImageHeader } from './webp-header.ts'

/** Decodes the WebP whose header `header` was read from `bytes`. Throws `ERR_IMAGE_DECODE`. */
export function decodeWebpPixels (bytes: Uint8Array, header: WebpImageHeader): RgbaImage {
  let img: { width: number, height: number, data: Uint8ClampedArray } | null
  try {
    img = webpDecoder().decode(bytes)
  } catch (err) {
    throw imageError(ERR_IMAGE_DECODE, 'WebP image does not decode', undefined, err)
  }
  if (img === null) throw imageError(ERR_IMAGE_DECODE, 'WebP image does not decode')
  if (img.width !== header.width || img.height !== header.height) {
    throw imageError(ERR_IMAGE_DECODE, `WebP decodes to ${img.width}x${img.height}, its header declares ${header.width}x${header.height}`)
  }
  return { width: img.width, height: img.height, data: new Uint8Array(img.data.buffer.slice(img.data.byteOffset, img.data.byteOffset + img.data.byteLength)) }
}
