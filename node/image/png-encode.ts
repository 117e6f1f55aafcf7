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

function paeth (a: number, b: number, c: number): number {
  const p = a + b - c
  const pa = Math.abs(p - a); const pb = Math.abs(p - b); const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
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
  const candidate = new Uint8Array(rowBytes)
  const best = new Uint8Array(rowBytes)
  for (let y = 0; y < height; y++) {
    const row = raw.subarray(y * rowBytes, (y + 1) * rowBytes)
    const prev = y > 0 ? raw.subarray((y - 1) * rowBytes, y * rowBytes) : null
    let bestFilter = 0
    let bestScore = Infinity
    for (let f = 0; f <= 4; f++) {
      let score = 0
      for (let i = 0; i < rowBytes; i++) {
        const a = i >= channels ? row[i - channels]! : 0
        const b = prev !== null ? prev[i]! : 0
        const c = prev !== null && i >= channels ? prev[i - channels]! : 0
        const x = row[i]!
        const v = f === 0 ? x : f === 1 ? x - a : f === 2 ? x - b : f === 3 ? x - ((a + b) >> 1) : x - paeth(a, b, c)
        const r = v & 0xff
        candidate[i] = r
        score += r < 128 ? r : 256 - r
      }
      if (score < bestScore) { bestScore = score; bestFilter = f; best.set(candidate) }
    }
    filtered[y * (rowBytes + 1)] = bestFilter
    filtered.set(best, y * (rowBytes + 1) + 1)
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
