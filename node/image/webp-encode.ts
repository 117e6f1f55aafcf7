/**
 * WebP encoding with libwebp in WebAssembly (webp-codec.ts, always the plain
 * build), single-threaded with fixed settings, so the same pixels and settings
 * give the same bytes on every node (tested across processes).
 */
import { ERR_IMAGE_DECODE, imageError } from './errors.ts'
import type { RgbaImage } from './rgba-image.ts'
import { type WebpEncodeConfig, webpEncoder } from './webp-codec.ts'

/** How to encode: lossy at a quality (1-100, libwebp's scale), or lossless. */
export type WebpEncoding = { lossless: false, quality: number } | { lossless: true }

// libwebp's defaults (WebPConfigInit) as the Squoosh binding lists them.
const BASE: WebpEncodeConfig = {
  quality: 75,
  target_size: 0,
  target_PSNR: 0,
  method: 4, // libwebp's default speed/size trade-off (0 fastest .. 6 smallest)
  sns_strength: 50,
  filter_strength: 60,
  filter_sharpness: 0,
  filter_type: 1,
  partitions: 0,
  segments: 4,
  pass: 1,
  show_compressed: 0,
  preprocessing: 0,
  autofilter: 0,
  partition_limit: 0,
  alpha_compression: 1,
  alpha_filtering: 1,
  alpha_quality: 100, // alpha is encoded losslessly: materials that read it cut or blend by it
  lossless: 0,
  exact: 1, // keep the colour under fully transparent pixels (bilinear filtering reads it)
  image_hint: 0,
  emulate_jpeg_size: 0,
  thread_level: 0, // no threads
  low_memory: 0,
  near_lossless: 100, // 100 = off: lossless means lossless
  use_delta_palette: 0,
  use_sharp_yuv: 0
}

/**
 * Encodes RGBA pixels as WebP. An opaque image (every alpha 255) is written
 * without an alpha channel. Lossless uses effort 75 and method 4 (libwebp's
 * defaults). Throws `ERR_IMAGE_DECODE` if libwebp fails (it does not for valid
 * images up to 16383 a side).
 */
export function encodeWebp (image: RgbaImage, encoding: WebpEncoding): Uint8Array {
  const config: WebpEncodeConfig = encoding.lossless ? { ...BASE, lossless: 1 } : { ...BASE, quality: encoding.quality }
  const out = webpEncoder().encode(image.data, image.width, image.height, config)
  if (out === null) throw imageError(ERR_IMAGE_DECODE, `libwebp could not encode a ${image.width}x${image.height} image`)
  return Uint8Array.from(out)
}
