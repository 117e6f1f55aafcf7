/**
 * Bounded JPEG decoding to RGBA8 with libjpeg (mozjpeg 4, the Squoosh build
 * repackaged as `@jsquash/jpeg`) in WebAssembly, after
 * {@link readImageHeader} has checked the header against the limits; an
 * image that decodes to another size than its header declares is refused.
 *
 * Why libjpeg: it decodes about four times faster than the pure-JavaScript
 * jpeg-js used before (a 2048² photo-like texture in 0.06 to 0.28 s against
 * 0.36 to 0.86 s; docs/optimizer.md), and it reads every JPEG process glTF
 * content uses (baseline and progressive, any chroma subsampling, restart
 * intervals, greyscale).
 * It decodes with its integer IDCT (`JDCT_ISLOW`, the default) and integer
 * chroma upsampling and colour conversion, and runs as one plain WebAssembly
 * build on every node (wasm-module.ts), so every machine gets the same pixels.
 *
 * Strictness: libjpeg goes on past corrupt data with a warning (grey blocks
 * where data is missing); here any message from the library refuses the
 * image, so a damaged file is never measured as if it were whole. The one
 * exception is {@link isTrailingPaddingWarning}: bytes between the last
 * scan's data and the end-of-image marker, written after every block was
 * decoded (jpeg-js pads one image in eight so), leave the pixels whole. An image
 * libjpeg cannot convert to RGB (CMYK, YCCK) is refused the same way. The
 * EXIF orientation is ignored, as glTF asks (the image is used as stored).
 *
 * Work: a scan costs a pass over every block of the components it covers,
 * whatever its size in the file, so a small file of many near-empty scans
 * (16 bytes each) would hold a decoder for seconds per thousand scans of a
 * large image. The scans are counted from the markers before decoding, and
 * a file with more than {@link MAX_JPEG_SCANS} is refused with
 * `ERR_IMAGE_TOO_LARGE`.
 *
 * Memory: the library's failures leave its instance in an unknown state (its
 * stack and heap are not unwound), and its linear memory only grows, so the
 * instance is dropped after a failure and after any image that grew it past
 * {@link KEEP_MEMORY_BYTES}; the next decode instantiates a fresh one from
 * the compiled module (a few milliseconds). A dropped instance is
 * collectable at once, even within the same synchronous turn (wasm-module.ts).
 * A decode that fails because the host refused the instance memory is the
 * node's failure, `ERR_IMAGE_MEMORY`, never `ERR_IMAGE_DECODE`: libjpeg's
 * abort for want of memory looks like its abort on a bad file.
 */
import { ERR_IMAGE_DECODE, ERR_IMAGE_TOO_LARGE, imageError, imageMemoryError, isAllocationFailure } from './errors.ts'
import type { JpegImageHeader } from './image-header.ts'
import type { RgbaImage } from './rgba-image.ts'
import { KEEP_MEMORY_BYTES, instantiateEmscripten, memoryRefused, wasmMemoryBytes } from './wasm-module.ts'

export { KEEP_MEMORY_BYTES } from './wasm-module.ts'

/**
 * Most scans a JPEG may have: encoders write 1 (baseline) to about 20
 * (libjpeg's progressive script has 10 for colour, mozjpeg's optimized ones
 * a few more); 64 leaves room and bounds a file's decoding to 64 passes.
 */
export const MAX_JPEG_SCANS = 64

/**
 * The number of start-of-scan markers in `bytes`, walking the segments and
 * skipping each scan's entropy-coded data (where 0xFF is followed by a
 * stuffed 0x00 or a restart marker). Stops at the end-of-image marker, at
 * the end of the bytes, or as soon as the count passes `stopAfter`.
 */
export function countJpegScans (bytes: Uint8Array, stopAfter = MAX_JPEG_SCANS): number {
  let scans = 0
  let pos = 2
  while (pos + 1 < bytes.length) {
    if (bytes[pos] !== 0xff) { pos++; continue }
    const marker = bytes[pos + 1]!
    if (marker === 0xff) { pos++; continue }
    if (marker === 0xd9) break
    if (marker === 0x00 || marker === 0x01 || marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) { pos += 2; continue }
    if (pos + 3 >= bytes.length) break
    const length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!
    pos += 2 + length
    if (marker !== 0xda) continue
    if (++scans > stopAfter) break
    // Entropy-coded data: up to the next marker that is neither a stuffed zero nor a restart.
    while (pos + 1 < bytes.length && !(bytes[pos] === 0xff && bytes[pos + 1] !== 0x00 && (bytes[pos + 1]! < 0xd0 || bytes[pos + 1]! > 0xd7))) pos++
  }
  return scans
}

/**
 * Whether a libjpeg message is its warning about bytes before the
 * end-of-image marker (0xD9): libjpeg looks for that marker only after the
 * last scan's blocks are all decoded, so the image is whole. jpeg-js, the
 * most used JavaScript encoder, ends with a whole stuffed 0xFF byte of
 * padding whenever its data ends on a byte boundary, and browsers show such
 * files; refusing them would refuse one jpeg-js image in eight. The same
 * warning before any other marker (a next scan) is still a refusal.
 */
export function isTrailingPaddingWarning (message: string): boolean {
  return /^Corrupt JPEG data: \d+ extraneous bytes before marker 0xd9$/.test(message)
}

/** The decoder's export: RGBA8, or null for a stream it refuses. */
interface JpegDecoderModule {
  decode: (data: Uint8Array, preserveOrientation: boolean) => { width: number, height: number, data: Uint8ClampedArray } | null
}

let decoder: JpegDecoderModule | null = null
let messages: string[] = []
let instances = 0

/** How many decoder instances this thread has made so far (for tests). */
export function jpegDecoderInstances (): number {
  return instances
}

function jpegDecoder (): JpegDecoderModule {
  if (decoder === null) {
    decoder = instantiateEmscripten<JpegDecoderModule>('@jsquash/jpeg/codec/dec/mozjpeg_dec', {
      print: (text) => { messages.push(text) },
      printErr: (text) => { messages.push(text) }
    })
    instances++
  }
  return decoder
}

/**
 * Decodes the JPEG whose header `header` was read from `bytes` (opaque
 * RGBA8). Throws `ERR_IMAGE_DECODE`, or `ERR_IMAGE_MEMORY` when the decode
 * failed because this machine had no memory for it.
 */
export function decodeJpegPixels (bytes: Uint8Array, header: JpegImageHeader): RgbaImage {
  const scans = countJpegScans(bytes)
  if (scans > MAX_JPEG_SCANS) throw imageError(ERR_IMAGE_TOO_LARGE, `JPEG has more than ${MAX_JPEG_SCANS} scans`, { maxScans: MAX_JPEG_SCANS })
  const codec = jpegDecoder()
  messages = []
  let img: { width: number, height: number, data: Uint8ClampedArray } | null = null
  let failure: unknown = null
  try {
    img = codec.decode(bytes, false)
  } catch (err) {
    failure = err
  }
  const said = messages.filter((m) => !isTrailingPaddingWarning(m))
  messages = []
  if (failure !== null || img === null || said.length > 0 || wasmMemoryBytes(codec) > KEEP_MEMORY_BYTES) decoder = null
  if (failure !== null || img === null || said.length > 0) {
    // Without memory, libjpeg aborts as it would on a bad file: that failure is this node's, not the image's.
    if (memoryRefused(codec) || isAllocationFailure(failure)) throw imageMemoryError('JPEG', failure ?? undefined)
    const reason = said.length > 0 ? `: ${said.join('; ')}` : ''
    throw imageError(ERR_IMAGE_DECODE, `JPEG image does not decode${reason}`, said.length > 0 ? { messages: said } : undefined, failure ?? undefined)
  }
  if (img.width !== header.width || img.height !== header.height) {
    throw imageError(ERR_IMAGE_DECODE, `JPEG decodes to ${img.width}x${img.height}, its header declares ${header.width}x${header.height}`)
  }
  const data = img.data
  return { width: img.width, height: img.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }
}
