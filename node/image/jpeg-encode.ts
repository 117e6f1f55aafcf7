/**
 * JPEG encoding with jpeg-js (pure JavaScript): fixed constants and IEEE
 * double arithmetic with no transcendental functions, so the same pixels and
 * quality give the same JPEG bytes on every node.
 */
import { jpegCodec } from './codecs.ts'
import type { RgbaImage } from './rgba-image.ts'

/** Encodes RGBA pixels as a baseline JPEG at `quality` (1-100); alpha is dropped. */
export function encodeJpeg (image: RgbaImage, quality: number): Uint8Array {
  const out = jpegCodec().encode({ width: image.width, height: image.height, data: image.data }, quality)
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength)
}
