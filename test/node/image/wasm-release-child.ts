/**
 * Child process of the WebAssembly memory test (run with --expose-gc):
 * decodes a 4096² JPEG four times in one synchronous turn (each decode grows
 * its instance past KEEP_MEMORY_BYTES, so each instance is dropped), collects
 * garbage in the same turn and prints the bytes of memory outside the
 * JavaScript heap it grew by (beyond a first decode's), and the decoder
 * instances made.
 */
import { decodeImage } from '../../../node/image/decode-image.ts'
import { encodeJpeg } from '../../../node/image/jpeg-encode.ts'
import { jpegDecoderInstances } from '../../../node/image/jpeg-decode.ts'

const side = 4096
const data = new Uint8Array(side * side * 4)
for (let i = 0; i < side * side; i++) { data[i * 4] = i & 0xff; data[i * 4 + 1] = (i >> 12) & 0xff; data[i * 4 + 2] = 90; data[i * 4 + 3] = 255 }
const bytes = encodeJpeg({ width: side, height: side, data }, 50)
const gc = (globalThis as unknown as { gc: () => void }).gc
decodeImage(bytes)
gc()
const before = process.memoryUsage().external
for (let i = 0; i < 4; i++) decodeImage(bytes)
gc()
process.stdout.write(JSON.stringify({ grown: process.memoryUsage().external - before, instances: jpegDecoderInstances() }) + '\n')
