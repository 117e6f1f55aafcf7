/**
 * JPEG inputs of the decoder tests: files made by jpeg-js (an encoder
 * independent of the decoder under test), a fixed golden one, and the same
 * file with an EXIF orientation segment added.
 */
import jpeg from 'jpeg-js'
import { instantiateEmscripten } from '../../../node/image/wasm-module.ts'

/** A jpeg-js JPEG of `w` x `h` pixels of `noise` over a gradient, at `quality`. */
export function makeJpeg (w: number, h: number, quality: number, noise: Uint8Array): Uint8Array {
  const data = new Uint8Array(w * h * 4)
  for (let i = 0; i < w * h; i++) {
    const n = noise[i % noise.length]!
    data[i * 4] = (i * 7 + n) & 0xff; data[i * 4 + 1] = (i % w) * 3 + (n >> 2) & 0xff; data[i * 4 + 2] = n; data[i * 4 + 3] = 255
  }
  return new Uint8Array(jpeg.encode({ width: w, height: h, data }, quality).data)
}

/** The golden file: 97 x 61 at quality 83 (odd sizes: partial blocks on both edges). */
export function goldenJpeg (): Uint8Array {
  return makeJpeg(97, 61, 83, Uint8Array.of(12, 240, 7, 99, 180, 33))
}

/** sha256 of the RGBA8 pixels the decoder gives for {@link goldenJpeg}: any change of decoder or build shows here. */
export const GOLDEN_JPEG_PIXELS_SHA256 = '316ec7f934fb56adb5772b5afe6cb992edf2c778237759f3f4a8abb234e8ebf7'

/** `bytes` with an APP1 EXIF segment (little-endian TIFF, one Orientation entry) inserted after SOI. */
export function withExifOrientation (bytes: Uint8Array, orientation: number): Uint8Array {
  const tiff = [0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, orientation, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
  const payload = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00, ...tiff]
  const length = payload.length + 2
  const segment = [0xff, 0xe1, length >> 8, length & 0xff, ...payload]
  return Uint8Array.from([...bytes.subarray(0, 2), ...segment, ...bytes.subarray(2)])
}

/** mozjpeg's encoder (the same package as the decoder), for progressive files: jpeg-js writes baseline only. */
interface MozjpegEncoder { encode: (data: Uint8Array, width: number, height: number, options: Record<string, unknown>) => Uint8Array }
let mozjpeg: MozjpegEncoder | null = null

/** A progressive JPEG of `w` x `h` pixels (mozjpeg's default progressive script), mid-grey with a gradient. */
export function progressiveJpeg (w: number, h: number): Uint8Array {
  mozjpeg ??= instantiateEmscripten<MozjpegEncoder>('@jsquash/jpeg/codec/enc/mozjpeg_enc')
  const data = new Uint8Array(w * h * 4)
  for (let i = 0; i < w * h; i++) { data[i * 4] = (i % w) & 0xff; data[i * 4 + 1] = 128; data[i * 4 + 2] = (i / w) & 0xff; data[i * 4 + 3] = 255 }
  return mozjpeg.encode(data, w, h, {
    quality: 75, baseline: false, arithmetic: false, progressive: true, optimize_coding: true, smoothing: 0, color_space: 3, quant_table: 3,
    trellis_multipass: false, trellis_opt_zero: false, trellis_opt_table: false, trellis_loops: 1, auto_subsample: true, chroma_subsample: 2,
    separate_chroma_quality: false, chroma_quality: 75
  }).slice()
}

/** `bytes` with its last scan (SOS segment and entropy-coded data) repeated `copies` more times before EOI. */
export function withRepeatedLastScan (bytes: Uint8Array, copies: number): Uint8Array {
  let last = -1
  for (let i = 2; i + 1 < bytes.length; i++) if (bytes[i] === 0xff && bytes[i + 1] === 0xda) last = i
  const scan = bytes.subarray(last, bytes.length - 2)
  const out = new Uint8Array(bytes.length + copies * scan.length)
  out.set(bytes.subarray(0, bytes.length - 2))
  for (let c = 0; c < copies; c++) out.set(scan, bytes.length - 2 + c * scan.length)
  out.set([0xff, 0xd9], out.length - 2)
  return out
}
