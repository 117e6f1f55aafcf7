/**
 * JPEG inputs of the decoder tests: files made by jpeg-js (an encoder
 * independent of the decoder under test), a fixed golden one, and the same
 * file with an EXIF orientation segment added.
 */
import jpeg from 'jpeg-js'

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
