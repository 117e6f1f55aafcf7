/**
 * What a WebP file declares about itself, read from its RIFF container before
 * any decoder runs: the simple lossy form (`VP8 ` chunk), the simple lossless
 * form (`VP8L`) and the extended form (`VP8X` with a canvas size, then one
 * `VP8 ` or `VP8L` image chunk, optionally `ALPH`, `ICCP`, `EXIF`, `XMP `).
 * The extended form's canvas and its image chunk must declare the same size,
 * so a file cannot claim a small canvas around a large bitstream. Animated
 * WebP is refused (a texture is one image).
 */
import { ERR_IMAGE_DECODE, ERR_IMAGE_UNSUPPORTED, imageError } from './errors.ts'

/** What a WebP header declares. */
export interface WebpImageHeader {
  mimeType: 'image/webp'
  width: number
  height: number
  /** `VP8L` (lossless) or `VP8 ` (lossy) image chunk. */
  lossless: boolean
}

/** True when `bytes` start with a RIFF header of form type WEBP. */
export function isWebp (bytes: Uint8Array): boolean {
  return bytes.length >= 12 && bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[2] === 0x46 && bytes[3] === 0x46 &&
    bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50
}

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8)
const u24 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)
const u32 = (b: Uint8Array, o: number): number => (u24(b, o) + b[o + 3]! * 0x1000000)
const fourcc = (b: Uint8Array, o: number): string => String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!)
const bad = (message: string): never => { throw imageError(ERR_IMAGE_DECODE, message) }

/** Size declared by the image chunk (`VP8 ` or `VP8L`) whose data starts at `at` and is `size` bytes long. */
function bitstreamSize (bytes: Uint8Array, kind: string, at: number, size: number): { width: number, height: number, lossless: boolean } {
  if (kind === 'VP8 ') {
    // Frame tag (3 bytes, bit 0 clear for a key frame), start code 9d 01 2a, 14-bit width and height.
    if (size < 10) bad('WebP VP8 chunk too short')
    if ((bytes[at]! & 1) !== 0) bad('WebP VP8 data is not a key frame')
    if (bytes[at + 3] !== 0x9d || bytes[at + 4] !== 0x01 || bytes[at + 5] !== 0x2a) bad('WebP VP8 start code missing')
    return { width: u16(bytes, at + 6) & 0x3fff, height: u16(bytes, at + 8) & 0x3fff, lossless: false }
  }
  // VP8L: signature 0x2f, then width − 1 and height − 1 in 14 bits each, an alpha hint bit and a 3-bit version (0).
  if (size < 5) bad('WebP VP8L chunk too short')
  if (bytes[at] !== 0x2f) bad('WebP VP8L signature missing')
  const bits = u32(bytes, at + 1)
  if ((bits >>> 29) !== 0) bad('WebP VP8L version is not 0')
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, lossless: true }
}

/**
 * Reads a WebP header; `checkDimensions` is called with the declared size
 * before anything else of the file is trusted. Throws `ERR_IMAGE_DECODE` for a
 * malformed or inconsistent header and `ERR_IMAGE_UNSUPPORTED` for animation.
 */
export function readWebpHeader (bytes: Uint8Array, checkDimensions: (width: number, height: number) => void): WebpImageHeader {
  if (bytes.length < 20) bad('WebP truncated before its first chunk')
  const riffEnd = 8 + u32(bytes, 4)
  if (riffEnd > bytes.length || riffEnd < 20) bad('WebP RIFF size does not match the file')
  const chunkAt = (pos: number): { kind: string, data: number, size: number, next: number } => {
    if (pos + 8 > riffEnd) bad('WebP chunk header past the end of the file')
    const size = u32(bytes, pos + 4)
    if (pos + 8 + size > riffEnd) bad('WebP chunk past the end of the file')
    return { kind: fourcc(bytes, pos), data: pos + 8, size, next: pos + 8 + size + (size & 1) }
  }
  const first = chunkAt(12)
  if (first.kind === 'VP8 ' || first.kind === 'VP8L') {
    const s = bitstreamSize(bytes, first.kind, first.data, first.size)
    if (s.width === 0 || s.height === 0) bad('WebP declares a zero dimension')
    checkDimensions(s.width, s.height)
    return { mimeType: 'image/webp', ...s }
  }
  if (first.kind !== 'VP8X') return bad(`WebP starts with an unknown chunk "${first.kind}"`)
  // VP8X: flags (1 byte: ICC 0x20, alpha 0x10, EXIF 0x08, XMP 0x04, animation 0x02), 3 reserved, canvas width − 1 and height − 1 in 24 bits each.
  if (first.size < 10) bad('WebP VP8X chunk too short')
  if ((bytes[first.data]! & 0x02) !== 0) throw imageError(ERR_IMAGE_UNSUPPORTED, 'animated WebP images are not supported', { format: 'WebP (animated)' })
  const width = u24(bytes, first.data + 4) + 1
  const height = u24(bytes, first.data + 7) + 1
  checkDimensions(width, height)
  for (let pos = first.next; pos < riffEnd;) {
    const c = chunkAt(pos)
    if (c.kind === 'VP8 ' || c.kind === 'VP8L') {
      const s = bitstreamSize(bytes, c.kind, c.data, c.size)
      if (s.width !== width || s.height !== height) bad(`WebP canvas ${width}x${height} holds an image of ${s.width}x${s.height}`)
      return { mimeType: 'image/webp', width, height, lossless: s.lossless }
    }
    if (c.kind === 'ANIM' || c.kind === 'ANMF') throw imageError(ERR_IMAGE_UNSUPPORTED, 'animated WebP images are not supported', { format: 'WebP (animated)' })
    pos = c.next
  }
  return bad('WebP without an image chunk')
}
