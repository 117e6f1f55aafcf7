/**
 * A deterministic PNG encoder. It uses fflate's pure-JavaScript deflate rather
 * than the platform's zlib, whose output may differ between builds and CPUs;
 * with it, the same pixels give the same PNG bytes on every node, which
 * re-execution of an optimization requires.
 */
import { crc32 } from 'node:zlib'
import { zlibSync } from 'fflate'
import type { RgbaImage } from './rgba-image.ts'

/** Options of {@link encodePng}. */
export interface PngEncodeOptions {
  /** Deflate level 0-9. */
  level: number
}

/** Default PNG encoding options. */
export const DEFAULT_PNG_ENCODE_OPTIONS: Readonly<PngEncodeOptions> = Object.freeze({
  // 9: the smallest output; textures are encoded once per optimization, so speed matters less than size.
  level: 9
})

function chunk (type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, data.length)
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i)
  out.set(data, 8)
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)))
  return out
}

// Cost of one residual byte in the filter choice: its absolute value as a signed byte.
const COST = new Uint8Array(256)
for (let r = 0; r < 256; r++) COST[r] = r < 128 ? r : 256 - r

function paeth (a: number, b: number, c: number): number {
  const p = a + b - c
  const pa = Math.abs(p - a); const pb = Math.abs(p - b); const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

/**
 * The filter (0-4) of one row with the smallest sum of absolute residuals, ties to the lower number; `prev`
 * is the row above (zeros for the first row, which is what the filters read there). One pass, no writes.
 */
function chooseFilter (row: Uint8Array, prev: Uint8Array, channels: number): number {
  let s0 = 0; let s1 = 0; let s2 = 0; let s3 = 0; let s4 = 0
  const n = row.length
  for (let i = 0; i < n; i++) {
    const x = row[i]!
    const b = prev[i]!
    const a = i >= channels ? row[i - channels]! : 0
    const c = i >= channels ? prev[i - channels]! : 0
    s0 += COST[x]!
    s1 += COST[(x - a) & 0xff]!
    s2 += COST[(x - b) & 0xff]!
    s3 += COST[(x - ((a + b) >> 1)) & 0xff]!
    s4 += COST[(x - paeth(a, b, c)) & 0xff]!
  }
  let best = 0; let score = s0
  if (s1 < score) { best = 1; score = s1 }
  if (s2 < score) { best = 2; score = s2 }
  if (s3 < score) { best = 3; score = s3 }
  if (s4 < score) best = 4
  return best
}

/** Writes `row` filtered with `filter` into `out` from `o`. */
function writeFiltered (filter: number, row: Uint8Array, prev: Uint8Array, channels: number, out: Uint8Array, o: number): void {
  const n = row.length
  for (let i = 0; i < n; i++) {
    const x = row[i]!
    const b = prev[i]!
    const a = i >= channels ? row[i - channels]! : 0
    const c = i >= channels ? prev[i - channels]! : 0
    const v = filter === 0 ? x : filter === 1 ? x - a : filter === 2 ? x - b : filter === 3 ? x - ((a + b) >> 1) : x - paeth(a, b, c)
    out[o + i] = v & 0xff
  }
}

/**
 * Encodes RGBA pixels as PNG: RGB when every pixel is opaque, RGBA otherwise;
 * per row, the filter with the smallest sum of absolute residuals (the usual
 * heuristic), ties to the lower filter number; deflate by fflate.
 */
export function encodePng (image: RgbaImage, options: PngEncodeOptions = DEFAULT_PNG_ENCODE_OPTIONS): Uint8Array {
  const { width, height, data } = image
  let opaque = true
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) { opaque = false; break }
  const channels = opaque ? 3 : 4
  const rowBytes = width * channels
  const raw = new Uint8Array(rowBytes * height)
  for (let p = 0, q = 0; p < data.length; p += 4) {
    raw[q++] = data[p]!; raw[q++] = data[p + 1]!; raw[q++] = data[p + 2]!
    if (!opaque) raw[q++] = data[p + 3]!
  }
  const filtered = new Uint8Array((rowBytes + 1) * height)
  const zeros = new Uint8Array(rowBytes)
  for (let y = 0; y < height; y++) {
    const row = raw.subarray(y * rowBytes, (y + 1) * rowBytes)
    const prev = y > 0 ? raw.subarray((y - 1) * rowBytes, y * rowBytes) : zeros
    const filter = chooseFilter(row, prev, channels)
    filtered[y * (rowBytes + 1)] = filter
    writeFiltered(filter, row, prev, channels, filtered, y * (rowBytes + 1) + 1)
  }
  const ihdr = new Uint8Array(13)
  const hv = new DataView(ihdr.buffer)
  hv.setUint32(0, width); hv.setUint32(4, height)
  ihdr[8] = 8 // bit depth
  ihdr[9] = opaque ? 2 : 6 // colour type: truecolour or truecolour with alpha
  const idat = zlibSync(filtered, { level: options.level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9, mem: 8 })
  const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  const parts = [signature, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}
