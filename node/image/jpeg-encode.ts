/**
 * Baseline JPEG encoding (4:4:4 YCbCr, the standard Huffman tables of
 * ITU-T T.81 Annex K, quality-scaled Annex K quantization tables) that writes
 * the bytes jpeg-js 0.4 writes for the same pixels and quality, but for its
 * final padding byte (below; test/node/image/jpeg-encode.test.ts compares
 * them), several times faster.
 *
 * jpeg-js, a port of Adobe's AS3 encoder, was the optimizer's JPEG writer;
 * its output is the optimizer's format, so this encoder keeps it to the
 * byte, with the same arithmetic in the same order: integer colour
 * conversion, the AAN forward DCT in IEEE double precision with the same
 * constants and evaluation order, quantization by multiplying with the same
 * reciprocal table and rounding half away from zero. What changes is how:
 * typed arrays instead of arrays of numbers, a 32-bit bit accumulator and a
 * growing byte buffer instead of one array push per bit, tables built once.
 * No transcendental function is used, so the bytes are the same on every
 * node.
 *
 * One detail of jpeg-js is kept on purpose: edge blocks repeat the last row
 * and column. One is not (optimizer format 10): where the data end on a byte
 * boundary, jpeg-js pads them with a whole 0xFF byte (stuffed with 0x00),
 * which libjpeg reports as extraneous bytes; this encoder pads only a
 * partial last byte with one bits.
 *
 * Derived from jpeg-js's encoder (BSD-3-Clause, Copyright (c) 2014 Eugene Ware; itself from Adobe's AS3 encoder, BSD, Copyright (c) 2008 Adobe Systems Incorporated; the notices are in NOTICE).
 */
import type { RgbaImage } from './rgba-image.ts'

const ZIGZAG = Int32Array.from([
  0, 1, 5, 6, 14, 15, 27, 28, 2, 4, 7, 13, 16, 26, 29, 42,
  3, 8, 12, 17, 25, 30, 41, 43, 9, 11, 18, 24, 31, 40, 44, 53,
  10, 19, 23, 32, 39, 45, 52, 54, 20, 22, 33, 38, 46, 51, 55, 60,
  21, 34, 37, 47, 50, 56, 59, 61, 35, 36, 48, 49, 57, 58, 62, 63
])
const Y_QT = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
  14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
  49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99
]
const UV_QT = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
  24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99
]
const AASF = [1.0, 1.387039845, 1.306562965, 1.175875602, 1.0, 0.785694958, 0.541196100, 0.275899379]
const DC_LUM_CODES = [0, 0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
const DC_LUM_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
const AC_LUM_CODES = [0, 0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d]
const AC_LUM_VALUES = [
  0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
  0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
  0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
  0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
  0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
  0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
  0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
  0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
  0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
  0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
  0xf9, 0xfa
]
const DC_CHR_CODES = [0, 0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
const DC_CHR_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
const AC_CHR_CODES = [0, 0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77]
const AC_CHR_VALUES = [
  0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
  0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
  0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
  0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
  0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
  0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
  0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
  0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
  0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
  0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
  0xf9, 0xfa
]

/** A Huffman table: code and length per symbol (length 0: no code). */
interface Huffman { code: Int32Array, length: Int32Array }

/** The canonical codes of a table given as counts per length and symbols (T.81 Annex C). */
function huffman (counts: number[], symbols: number[]): Huffman {
  const code = new Int32Array(256)
  const length = new Int32Array(256)
  let value = 0
  let at = 0
  for (let k = 1; k <= 16; k++) {
    for (let j = 1; j <= counts[k]!; j++) {
      code[symbols[at]!] = value
      length[symbols[at]!] = k
      at++
      value++
    }
    value *= 2
  }
  return { code, length }
}

const DC_LUM = huffman(DC_LUM_CODES, DC_LUM_VALUES)
const AC_LUM = huffman(AC_LUM_CODES, AC_LUM_VALUES)
const DC_CHR = huffman(DC_CHR_CODES, DC_CHR_VALUES)
const AC_CHR = huffman(AC_CHR_CODES, AC_CHR_VALUES)

/** Integer colour conversion table, jpeg-js's: eight 256-entry rows of fixed-point products. */
const RGB_YUV = (() => {
  const t = new Int32Array(2048)
  for (let i = 0; i < 256; i++) {
    t[i] = 19595 * i
    t[i + 256] = 38470 * i
    t[i + 512] = 7471 * i + 0x8000
    t[i + 768] = -11059 * i
    t[i + 1024] = -21709 * i
    t[i + 1280] = 32768 * i + 0x807FFF
    t[i + 1536] = -27439 * i
    t[i + 1792] = -5329 * i
  }
  return t
})()

/** Quantization tables (zigzag order, as written) and the forward DCT's reciprocal tables (natural order) for a quality. */
interface Tables { yTable: Uint8Array, uvTable: Uint8Array, fdtblY: Float64Array, fdtblUV: Float64Array }

function tablesFor (quality: number): Tables {
  if (quality === 0 || Number.isNaN(quality)) quality = 50 // jpeg-js's default for a falsy quality
  if (quality <= 0) quality = 1
  if (quality > 100) quality = 100
  const sf = quality < 50 ? Math.floor(5000 / quality) : Math.floor(200 - quality * 2)
  const yTable = new Uint8Array(64)
  const uvTable = new Uint8Array(64)
  for (let i = 0; i < 64; i++) {
    yTable[ZIGZAG[i]!] = Math.min(255, Math.max(1, Math.floor((Y_QT[i]! * sf + 50) / 100)))
    uvTable[ZIGZAG[i]!] = Math.min(255, Math.max(1, Math.floor((UV_QT[i]! * sf + 50) / 100)))
  }
  const fdtblY = new Float64Array(64)
  const fdtblUV = new Float64Array(64)
  for (let row = 0, k = 0; row < 8; row++) {
    for (let col = 0; col < 8; col++, k++) {
      fdtblY[k] = 1.0 / (yTable[ZIGZAG[k]!]! * AASF[row]! * AASF[col]! * 8.0)
      fdtblUV[k] = 1.0 / (uvTable[ZIGZAG[k]!]! * AASF[row]! * AASF[col]! * 8.0)
    }
  }
  return { yTable, uvTable, fdtblY, fdtblUV }
}

/** A growing byte buffer with a bit accumulator; 0xFF in entropy-coded data is followed by a stuffed 0x00. */
class BitWriter {
  bytes: Uint8Array
  at = 0
  private acc = 0
  private bits = 0

  constructor (capacity: number) {
    this.bytes = new Uint8Array(Math.max(1024, capacity))
  }

  private room (n: number): void {
    if (this.at + n <= this.bytes.length) return
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.at + n))
    grown.set(this.bytes.subarray(0, this.at))
    this.bytes = grown
  }

  byte (value: number): void {
    this.room(1)
    this.bytes[this.at++] = value
  }

  word (value: number): void {
    this.room(2)
    this.bytes[this.at++] = (value >> 8) & 0xff
    this.bytes[this.at++] = value & 0xff
  }

  array (values: ArrayLike<number>): void {
    this.room(values.length)
    for (let i = 0; i < values.length; i++) this.bytes[this.at++] = values[i]!
  }

  /** Appends the low `length` bits of `value` (length ≤ 16), most significant first. */
  bitsOf (value: number, length: number): void {
    this.acc = (this.acc << length) | (value & ((1 << length) - 1))
    this.bits += length
    while (this.bits >= 8) {
      this.bits -= 8
      const b = (this.acc >> this.bits) & 0xff
      this.room(2)
      this.bytes[this.at++] = b
      if (b === 0xff) this.bytes[this.at++] = 0
    }
    this.acc &= (1 << this.bits) - 1
  }

  /**
   * The final fill: one bits up to the next byte boundary, nothing when no
   * bit is pending. (jpeg-js writes a whole stuffed 0xFF byte in that case,
   * two bytes libjpeg warns about as corrupt data before the end marker.)
   */
  fill (): void {
    if (this.bits !== 0) this.bitsOf((1 << (8 - this.bits)) - 1, 8 - this.bits)
  }

  result (): Uint8Array {
    return this.bytes.slice(0, this.at)
  }
}

/**
 * One pass of the AAN forward DCT over the 8 values `data[off + k · step]`,
 * in place: jpeg-js's arithmetic in its order (rows are step 1, columns step 8).
 */
function fdct8 (data: Float64Array, off: number, step: number): void {
  const d0 = data[off]!; const d1 = data[off + step]!; const d2 = data[off + 2 * step]!; const d3 = data[off + 3 * step]!
  const d4 = data[off + 4 * step]!; const d5 = data[off + 5 * step]!; const d6 = data[off + 6 * step]!; const d7 = data[off + 7 * step]!
  const tmp0 = d0 + d7; const tmp7 = d0 - d7; const tmp1 = d1 + d6; const tmp6 = d1 - d6
  const tmp2 = d2 + d5; const tmp5 = d2 - d5; const tmp3 = d3 + d4; const tmp4 = d3 - d4
  let tmp10 = tmp0 + tmp3; const tmp13 = tmp0 - tmp3; let tmp11 = tmp1 + tmp2; let tmp12 = tmp1 - tmp2
  data[off] = tmp10 + tmp11
  data[off + 4 * step] = tmp10 - tmp11
  const z1 = (tmp12 + tmp13) * 0.707106781
  data[off + 2 * step] = tmp13 + z1
  data[off + 6 * step] = tmp13 - z1
  tmp10 = tmp4 + tmp5; tmp11 = tmp5 + tmp6; tmp12 = tmp6 + tmp7
  const z5 = (tmp10 - tmp12) * 0.382683433
  const z2 = 0.541196100 * tmp10 + z5
  const z4 = 1.306562965 * tmp12 + z5
  const z3 = tmp11 * 0.707106781
  const z11 = tmp7 + z3; const z13 = tmp7 - z3
  data[off + 5 * step] = z13 + z2
  data[off + 3 * step] = z13 - z2
  data[off + step] = z11 + z4
  data[off + 7 * step] = z11 - z4
}

/** The forward DCT of one 8 × 8 block in place (rows, then columns), then quantization into `out` (natural order). */
function fdctQuant (data: Float64Array, fdtbl: Float64Array, out: Int32Array): void {
  for (let row = 0; row < 64; row += 8) fdct8(data, row, 1)
  for (let col = 0; col < 8; col++) fdct8(data, col, 8)
  for (let i = 0; i < 64; i++) {
    const q = data[i]! * fdtbl[i]!
    out[i] = q > 0.0 ? (q + 0.5) | 0 : (q - 0.5) | 0
  }
}

/** Bit length of a nonzero coefficient's magnitude (its JPEG category). */
function category (v: number): number {
  let m = v < 0 ? -v : v
  let c = 0
  while (m !== 0) { c++; m >>= 1 }
  return c
}

/** The per-call state of one encode: block buffers. */
interface Blocks { quant: Int32Array, zz: Int32Array }

/** Entropy-codes one block (jpeg-js's processDU); returns its DC value for the next block's difference. */
function codeBlock (w: BitWriter, block: Float64Array, fdtbl: Float64Array, dc: number, hdc: Huffman, hac: Huffman, b: Blocks): number {
  fdctQuant(block, fdtbl, b.quant)
  const du = b.zz
  for (let j = 0; j < 64; j++) du[ZIGZAG[j]!] = b.quant[j]!
  const diff = du[0]! - dc
  if (diff === 0) {
    w.bitsOf(hdc.code[0]!, hdc.length[0]!)
  } else {
    const cat = category(diff)
    w.bitsOf(hdc.code[cat]!, hdc.length[cat]!)
    w.bitsOf(diff < 0 ? (1 << cat) - 1 + diff : diff, cat)
  }
  let end = 63
  while (end > 0 && du[end] === 0) end--
  if (end === 0) {
    w.bitsOf(hac.code[0]!, hac.length[0]!)
    return du[0]!
  }
  let i = 1
  while (i <= end) {
    const start = i
    while (du[i] === 0 && i <= end) i++
    let zeros = i - start
    if (zeros >= 16) {
      for (let n = zeros >> 4; n > 0; n--) w.bitsOf(hac.code[0xf0]!, hac.length[0xf0]!)
      zeros &= 0xf
    }
    const v = du[i]!
    const cat = category(v)
    const sym = (zeros << 4) + cat
    w.bitsOf(hac.code[sym]!, hac.length[sym]!)
    w.bitsOf(v < 0 ? (1 << cat) - 1 + v : v, cat)
    i++
  }
  if (end !== 63) w.bitsOf(hac.code[0]!, hac.length[0]!)
  return du[0]!
}

function writeHeaders (w: BitWriter, t: Tables, width: number, height: number): void {
  w.word(0xffd8)
  w.word(0xffe0); w.word(16); w.array([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0]); w.word(1); w.word(1); w.byte(0); w.byte(0)
  w.word(0xffdb); w.word(132); w.byte(0); w.array(t.yTable); w.byte(1); w.array(t.uvTable)
  w.word(0xffc0); w.word(17); w.byte(8); w.word(height); w.word(width)
  w.array([3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1])
  w.word(0xffc4); w.word(0x01a2)
  w.byte(0); w.array(DC_LUM_CODES.slice(1)); w.array(DC_LUM_VALUES)
  w.byte(0x10); w.array(AC_LUM_CODES.slice(1)); w.array(AC_LUM_VALUES)
  w.byte(1); w.array(DC_CHR_CODES.slice(1)); w.array(DC_CHR_VALUES)
  w.byte(0x11); w.array(AC_CHR_CODES.slice(1)); w.array(AC_CHR_VALUES)
  w.word(0xffda); w.word(12); w.array([3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0])
}

const tableCache = new Map<number, Tables>()

/** Encodes RGBA pixels as a baseline JPEG at `quality` (1-100); alpha is dropped. The bytes are jpeg-js's. */
export function encodeJpeg (image: RgbaImage, quality: number): Uint8Array {
  let t = tableCache.get(quality)
  if (t === undefined) {
    t = tablesFor(quality)
    if (tableCache.size < 128) tableCache.set(quality, t)
  }
  const { width, height, data } = image
  const w = new BitWriter(1024 + width * height)
  writeHeaders(w, t, width, height)
  const yb = new Float64Array(64)
  const ub = new Float64Array(64)
  const vb = new Float64Array(64)
  const blocks: Blocks = { quant: new Int32Array(64), zz: new Int32Array(64) }
  let dcY = 0
  let dcU = 0
  let dcV = 0
  const rowBytes = width * 4
  for (let y = 0; y < height; y += 8) {
    for (let x = 0; x < rowBytes; x += 32) {
      for (let pos = 0; pos < 64; pos++) {
        const row = pos >> 3
        const col = (pos & 7) * 4
        let p = rowBytes * y + x + row * rowBytes + col
        if (y + row >= height) p -= rowBytes * (y + 1 + row - height)
        if (x + col >= rowBytes) p -= (x + col) - rowBytes + 4
        const r = data[p]!
        const g = data[p + 1]!
        const b = data[p + 2]!
        yb[pos] = ((RGB_YUV[r]! + RGB_YUV[g + 256]! + RGB_YUV[b + 512]!) >> 16) - 128
        ub[pos] = ((RGB_YUV[r + 768]! + RGB_YUV[g + 1024]! + RGB_YUV[b + 1280]!) >> 16) - 128
        vb[pos] = ((RGB_YUV[r + 1280]! + RGB_YUV[g + 1536]! + RGB_YUV[b + 1792]!) >> 16) - 128
      }
      dcY = codeBlock(w, yb, t.fdtblY, dcY, DC_LUM, AC_LUM, blocks)
      dcU = codeBlock(w, ub, t.fdtblUV, dcU, DC_CHR, AC_CHR, blocks)
      dcV = codeBlock(w, vb, t.fdtblUV, dcV, DC_CHR, AC_CHR, blocks)
    }
  }
  w.fill()
  w.word(0xffd9)
  return w.result()
}
