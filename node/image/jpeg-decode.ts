/**
 * Bounded JPEG decoding to RGBA8 with jpeg-js (pure JavaScript, integer
 * IDCT), after {@link readImageHeader} has checked the header against the
 * limits: the decoder is bounded to the pixels the header declares, so a lying
 * header costs nothing, and an image that decodes to another size is refused.
 *
 * Block arrays from slabs: jpeg-js allocates one `new Int32Array(64)` per 8 x 8
 * coefficient block of every component before it reads the scan (196,608 of
 * them for a 2048² 4:4:4 image), each with its own ArrayBuffer and off-heap
 * backing store; in a fresh process their allocation and the garbage
 * collection it causes were about half of the decoding time of a large
 * texture. While jpeg-js decodes (a synchronous call: no other code of this
 * thread runs meanwhile), the global `Int32Array` constructor is replaced by
 * one that answers `new Int32Array(64)` with a view of 64 zeroed elements of a
 * larger slab never handed out twice, and anything else with a real
 * `Int32Array`; the global is restored before the call returns or throws.
 * Every view starts zeroed as a new array does, so the decoded pixels are
 * exactly jpeg-js's (test/node/image/jpeg-decode.test.ts compares them).
 */
import { jpegCodec } from './codecs.ts'
import { ERR_IMAGE_DECODE, imageError } from './errors.ts'
import type { JpegImageHeader } from './image-header.ts'
import type { RgbaImage } from './rgba-image.ts'

/** Elements per slab: 1,024 blocks of 64 (256 KiB). */
const SLAB_ELEMENTS = 64 * 1024

const NativeInt32Array = Int32Array

/** Blocks served from slabs by the decodes of this thread so far (for tests and profiles). */
let slabBlocks = 0

/** How many 64-element block arrays the JPEG decodes of this thread have taken from slabs. */
export function jpegSlabBlocks (): number {
  return slabBlocks
}

/** Runs `decode` with `new Int32Array(64)` served from slabs (see the module comment). */
function withBlockSlabs<T> (decode: () => T): T {
  let slab = new ArrayBuffer(SLAB_ELEMENTS * 4)
  let used = 0
  function SlabInt32Array (this: unknown, length?: unknown): Int32Array {
    if (new.target === undefined) throw new TypeError("Constructor Int32Array requires 'new'")
    if (length !== 64 || arguments.length !== 1) return Reflect.construct(NativeInt32Array, Array.from(arguments), new.target === SlabInt32Array ? NativeInt32Array : new.target) as Int32Array
    if (used === SLAB_ELEMENTS) { slab = new ArrayBuffer(SLAB_ELEMENTS * 4); used = 0 }
    // A view made directly (subarray would look up the species constructor on every call).
    const view = new NativeInt32Array(slab, used * 4, 64)
    used += 64
    slabBlocks++
    return view
  }
  // Statics (BYTES_PER_ELEMENT, from, of) and instanceof behave as Int32Array's.
  Object.setPrototypeOf(SlabInt32Array, NativeInt32Array)
  SlabInt32Array.prototype = NativeInt32Array.prototype
  const global = globalThis as { Int32Array: Int32ArrayConstructor }
  global.Int32Array = SlabInt32Array as unknown as Int32ArrayConstructor
  try {
    return decode()
  } finally {
    global.Int32Array = NativeInt32Array
  }
}

/** Decodes the JPEG whose header `header` was read from `bytes` (opaque RGBA8). Throws `ERR_IMAGE_DECODE`. */
export function decodeJpegPixels (bytes: Uint8Array, header: JpegImageHeader): RgbaImage {
  const pixels = header.width * header.height
  const codec = jpegCodec()
  let img: { width: number, height: number, data: Uint8Array }
  try {
    img = withBlockSlabs(() => codec.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: pixels / 1e6 + 1e-6,
      // jpeg-js counts its coefficient blocks, component planes and the RGBA output
      // (about 12 bytes a pixel for 4:4:4); 16 a pixel plus 64 MB leaves room for tables.
      maxMemoryUsageInMB: Math.ceil((pixels * 16) / 1048576) + 64
    }))
  } catch (err) {
    throw imageError(ERR_IMAGE_DECODE, 'JPEG image does not decode', undefined, err)
  }
  if (img.width !== header.width || img.height !== header.height) {
    throw imageError(ERR_IMAGE_DECODE, `JPEG decodes to ${img.width}x${img.height}, its header declares ${header.width}x${header.height}`)
  }
  return { width: img.width, height: img.height, data: img.data }
}
