/**
 * Bounded WebP decoding to RGBA8 (straight alpha) with libwebp in
 * WebAssembly (webp-codec.ts), after {@link readImageHeader} has checked the
 * declared size against the limits: the bitstream's own size was compared with
 * the header's there, so the decoder allocates no more than the limits allow,
 * and an image that decodes to another size is refused. libwebp's lossy path
 * converts YUV to RGB in fixed-point integer arithmetic, so every node gets
 * the same pixels.
 *
 * Memory: as for JPEG (jpeg-decode.ts), the instance is dropped after a
 * failure (an abort leaves it unusable, and every later WebP would fail on
 * this node alone) and after any image that grew its linear memory past
 * {@link KEEP_MEMORY_BYTES}: an 8192² WebP grows it to 309 MB, which a
 * long-lived measurement worker otherwise held for good. A decode that
 * fails because the host refused the instance memory is `ERR_IMAGE_MEMORY`.
 */
import { ERR_IMAGE_DECODE, imageError, imageMemoryError, isAllocationFailure } from './errors.ts'
import type { RgbaImage } from './rgba-image.ts'
import { dropWebpDecoder, webpDecoder } from './webp-codec.ts'
import type { WebpImageHeader } from './webp-header.ts'
import { KEEP_MEMORY_BYTES, memoryRefused, wasmMemoryBytes } from './wasm-module.ts'

/** Decodes the WebP whose header `header` was read from `bytes`. Throws `ERR_IMAGE_DECODE`, or `ERR_IMAGE_MEMORY` when this machine had no memory for it. */
export function decodeWebpPixels (bytes: Uint8Array, header: WebpImageHeader): RgbaImage {
  const codec = webpDecoder()
  let img: { width: number, height: number, data: Uint8ClampedArray } | null = null
  let failure: unknown = null
  try {
    img = codec.decode(bytes)
  } catch (err) {
    failure = err
  }
  if (failure !== null || img === null || wasmMemoryBytes(codec) > KEEP_MEMORY_BYTES) dropWebpDecoder()
  // Without memory libwebp returns no image, as for a bad stream: that failure is this node's, not the image's.
  if ((failure !== null || img === null) && (memoryRefused(codec) || isAllocationFailure(failure))) throw imageMemoryError('WebP', failure ?? undefined)
  if (failure !== null || img === null) throw imageError(ERR_IMAGE_DECODE, 'WebP image does not decode', undefined, failure ?? undefined)
  if (img.width !== header.width || img.height !== header.height) {
    throw imageError(ERR_IMAGE_DECODE, `WebP decodes to ${img.width}x${img.height}, its header declares ${header.width}x${header.height}`)
  }
  // The binding copies the pixels out of the instance's memory: they are not copied again.
  return { width: img.width, height: img.height, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) }
}
