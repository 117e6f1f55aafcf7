/**
 * libwebp built to WebAssembly (`@jsquash/webp`, the Squoosh build), loaded
 * on first use and instantiated synchronously, so the WebP decoder and
 * encoder keep the synchronous signatures of the PNG and JPEG codecs.
 *
 * The encoder package ships two builds and picks the SIMD one where the
 * engine supports SIMD; here the plain build is always loaded, so every node
 * runs the same WebAssembly code whatever its CPU and engine (WebAssembly
 * itself is deterministic for the integer and IEEE arithmetic libwebp uses;
 * no threads are used). The `.wasm` files are read from the installed
 * package and compiled here, never fetched.
 */
import { instantiateEmscripten } from './wasm-module.ts'

/** libwebp's `WebPConfig` fields as the Squoosh binding takes them. */
export interface WebpEncodeConfig {
  quality: number
  target_size: number
  target_PSNR: number
  method: number
  sns_strength: number
  filter_strength: number
  filter_sharpness: number
  filter_type: number
  partitions: number
  segments: number
  pass: number
  show_compressed: number
  preprocessing: number
  autofilter: number
  partition_limit: number
  alpha_compression: number
  alpha_filtering: number
  alpha_quality: number
  lossless: number
  exact: number
  image_hint: number
  emulate_jpeg_size: number
  thread_level: number
  low_memory: number
  near_lossless: number
  use_delta_palette: number
  use_sharp_yuv: number
}

/** The decoder's exports: RGBA8 straight alpha, or null for a stream libwebp refuses. */
interface WebpDecoderModule {
  decode: (data: Uint8Array) => { width: number, height: number, data: Uint8ClampedArray } | null
}

/** The encoder's exports: the WebP file, or null when libwebp fails. */
interface WebpEncoderModule {
  encode: (data: Uint8Array, width: number, height: number, config: WebpEncodeConfig) => Uint8Array | null
}

let decoder: WebpDecoderModule | null = null
let encoder: WebpEncoderModule | null = null

let decoderInstances = 0

/** libwebp's decoder, loaded on the first call (and again after {@link dropWebpDecoder}). */
export function webpDecoder (): WebpDecoderModule {
  if (decoder === null) {
    decoder = instantiateEmscripten<WebpDecoderModule>('@jsquash/webp/codec/dec/webp_dec')
    decoderInstances++
  }
  return decoder
}

/** Forgets the decoder instance (and so its memory); the next call of {@link webpDecoder} makes a fresh one. */
export function dropWebpDecoder (): void {
  decoder = null
}

/** How many decoder instances this thread has made so far (for tests). */
export function webpDecoderInstances (): number {
  return decoderInstances
}

/** libwebp's encoder (the plain, non-SIMD build), loaded on the first call. */
export function webpEncoder (): WebpEncoderModule {
  encoder ??= instantiateEmscripten<WebpEncoderModule>('@jsquash/webp/codec/enc/webp_enc')
  return encoder
}
