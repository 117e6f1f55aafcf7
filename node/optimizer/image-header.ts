/**
 * Reads the dimensions of a PNG or JPEG image from its header alone, without
 * decoding pixels, so that the loader can refuse images whose decoded size
 * would exhaust memory before any decoder sees them.
 */
import { ERR_SCENE_IMAGE_INVALID, ERR_SCENE_IMAGE_UNSUPPORTED, fail } from './errors.ts'

/** Format and dimensions of an image, as its header declares them. */
export interface ImageHeader {
  mimeType: 'image/png' | 'image/jpeg'
  width: number
  height: number
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** True when `bytes` start with the PNG signature. */
export function isPng (bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)
}

/** True when `bytes` start with the JPEG start-of-image marker. */
export function isJpeg (bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff
}

/**
 * Returns the format and dimensions declared by a PNG (IHDR chunk) or JPEG
 * (first SOFn marker) header. Throws `ERR_SCENE_IMAGE_INVALID` for anything
 * else, including a header that ends early or declares a zero dimension.
 */
export function readImageHeader (bytes: Uint8Array): ImageHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (isPng(bytes)) {
    // Signature (8) + IHDR length (4) + type "IHDR" (4) + width (4) + height (4).
    if (bytes.length < 24 || view.getUint32(12) !== 0x49484452) fail(ERR_SCENE_IMAGE_INVALID, 'PNG without an IHDR chunk')
    return checked('image/png', view.getUint32(16), view.getUint32(20))
  }
  if (isJpeg(bytes)) {
    let pos = 2
    while (pos + 4 <= bytes.length) {
      if (bytes[pos] !== 0xff) fail(ERR_SCENE_IMAGE_INVALID, 'JPEG marker expected')
      const marker = bytes[pos + 1]!
      if (marker === 0xff) { pos += 1; continue } // fill byte
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { pos += 2; continue } // no length
      const length = view.getUint16(pos + 2)
      if (length < 2) fail(ERR_SCENE_IMAGE_INVALID, 'JPEG segment with a bad length')
      // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
      if (isSof) {
        if (pos + 9 > bytes.length) break
        return checked('image/jpeg', view.getUint16(pos + 7), view.getUint16(pos + 5))
      }
      if (marker === 0xda || marker === 0xd9) break // scan data or end before any frame header
      pos += 2 + length
    }
    fail(ERR_SCENE_IMAGE_INVALID, 'JPEG without a frame header')
  }
  const format = knownUnsupportedFormat(bytes)
  if (format !== null) fail(ERR_SCENE_IMAGE_UNSUPPORTED, `${format} images are not supported (only PNG and JPEG)`, { format })
  return fail(ERR_SCENE_IMAGE_INVALID, 'image is neither PNG nor JPEG')
}

/** Names image formats recognised by their signature but not decoded here (WebP, KTX2, AVIF, GIF, BMP), or null. */
function knownUnsupportedFormat (bytes: Uint8Array): string | null {
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to))
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP'
  if (bytes.length >= 12 && bytes[0] === 0xab && ascii(1, 7) === 'KTX 20') return 'KTX2'
  if (bytes.length >= 12 && ascii(4, 8) === 'ftyp' && /^avi[fs]$/.test(ascii(8, 12))) return 'AVIF'
  if (bytes.length >= 6 && ascii(0, 4) === 'GIF8') return 'GIF'
  if (bytes.length >= 2 && ascii(0, 2) === 'BM') return 'BMP'
  return null
}

function checked (mimeType: ImageHeader['mimeType'], width: number, height: number): ImageHeader {
  if (width === 0 || height === 0) fail(ERR_SCENE_IMAGE_INVALID, `${mimeType} declares a zero dimension`)
  return { mimeType, width, height }
}
