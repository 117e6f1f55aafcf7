/**
 * PNG pixel reconstruction from the inflated image data (PNG spec, clauses 9
 * and 8.2): each scanline is unfiltered in place (filter types 0–4, the row
 * above being the previous scanline of the same Adam7 pass, already
 * reconstructed), then its samples are written straight into the RGBA8
 * output, so a decode holds the inflated data and the output and nothing
 * else of the image's size.
 *
 * The output is, byte for byte, what pngjs 7 gave with `skipRescale: true`
 * followed by the conversion {@link PixelOptions} describes (what the node
 * did before): palettes and grey expand to RGB; a tRNS colour (grey, RGB)
 * matched by a pixel's raw samples makes it (0, 0, 0, 0); 16-bit samples are
 * rounded (⌊v · 255 / 65535 + 0.5⌋) or keep their high byte; grey of 1, 2
 * or 4 bits is scaled exactly (×255, ×85, ×17); `over-black` composites every
 * pixel that is not opaque, c' = ⌊(c · a + 127) / 255⌋, a' = 255.
 */
import { ERR_IMAGE_DECODE, imageError } from './errors.ts'
import { PNG_COLOR_TYPES, type PngLayout } from './image-header.ts'
import type { PixelOptions } from './png-decode.ts'

/** Adam7 passes: x start, y start, x step, y step. */
export const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const

/** The one "pass" of an image that is not interlaced. */
const WHOLE = [[0, 0, 1, 1]] as const

/** What the chunks around the image data say about its colours. */
export interface PngColours {
  /** RGBA of each palette entry, 4 bytes apiece (colour type 3); null when the image has no usable palette (then it is refused). */
  palette: Uint8Array | null
  /** tRNS's transparent colour, raw samples (one for grey, three for RGB), or null. */
  transparent: readonly number[] | null
}

/** Width and height of each Adam7 pass that has pixels (or of the whole image), with its placement. */
export function pngPasses (h: PngLayout): Array<{ xs: number, ys: number, dx: number, dy: number, width: number, height: number }> {
  const passes = []
  for (const [xs, ys, dx, dy] of h.interlaced ? ADAM7 : WHOLE) {
    const width = h.width > xs ? Math.ceil((h.width - xs) / dx) : 0
    const height = h.height > ys ? Math.ceil((h.height - ys) / dy) : 0
    if (width > 0 && height > 0) passes.push({ xs, ys, dx, dy, width, height })
  }
  return passes
}

/** Bytes of one scanline (filter byte excluded) of `width` pixels of `bitsPerPixel` bits. */
export function scanlineBytes (width: number, bitsPerPixel: number): number {
  return Math.ceil((width * bitsPerPixel) / 8)
}

/**
 * Reconstructs the image from `inflated` (exactly the size the header
 * implies, checked by the caller; unfiltered in place) and returns its RGBA8
 * pixels as `pixels` asks. Throws `ERR_IMAGE_DECODE` for an unknown filter
 * type, a palette index beyond the palette, or a palette image without one.
 */
export function unfilterToRgba (inflated: Uint8Array, h: PngLayout, colours: PngColours, pixels: PixelOptions): Uint8Array {
  if (h.colorType === 3 && colours.palette === null) throw imageError(ERR_IMAGE_DECODE, 'PNG palette image without a palette')
  const bitsPerPixel = PNG_COLOR_TYPES[h.colorType]!.channels * h.bitDepth
  const bpp = Math.max(1, bitsPerPixel >> 3)
  const convert = rowConverter(h, colours, pixels)
  const out = new Uint8Array(h.width * h.height * 4)
  let pos = 0
  let scanline = 0
  for (const pass of pngPasses(h)) {
    const rowBytes = scanlineBytes(pass.width, bitsPerPixel)
    for (let r = 0; r < pass.height; r++, scanline++) {
      unfilterRow(inflated, pos, rowBytes, bpp, r === 0 ? -1 : pos - rowBytes - 1, scanline)
      convert(inflated, pos + 1, pass.width, out, ((pass.ys + r * pass.dy) * h.width + pass.xs) * 4, pass.dx * 4)
      pos += rowBytes + 1
    }
  }
  return out
}

/**
 * Unfilters, in place, the scanline whose filter byte is at `start`, given
 * the previous scanline of its pass at `prev` (−1 for a pass's first row,
 * whose row above counts as zeros). `bpp`: bytes per pixel, at least 1.
 */
function unfilterRow (d: Uint8Array, start: number, rowBytes: number, bpp: number, prev: number, scanline: number): void {
  const filter = d[start]!
  const c = start + 1
  const u = prev + 1
  const end = c + rowBytes
  if (filter === 0 || (filter === 2 && prev < 0)) return
  if (filter === 1 || (filter === 4 && prev < 0)) {
    // Sub, and Paeth with no row above (its predictor is then the left byte).
    for (let i = c + bpp; i < end; i++) d[i] = d[i]! + d[i - bpp]!
  } else if (filter === 2) {
    for (let i = c, j = u; i < end; i++, j++) d[i] = d[i]! + d[j]!
  } else if (filter === 3) {
    if (prev < 0) {
      for (let i = c + bpp; i < end; i++) d[i] = d[i]! + (d[i - bpp]! >> 1)
    } else {
      for (let i = c, j = u; i < c + bpp && i < end; i++, j++) d[i] = d[i]! + (d[j]! >> 1)
      for (let i = c + bpp, j = u + bpp; i < end; i++, j++) d[i] = d[i]! + ((d[i - bpp]! + d[j]!) >> 1)
    }
  } else if (filter === 4) {
    for (let i = c, j = u; i < c + bpp && i < end; i++, j++) d[i] = d[i]! + d[j]!
    for (let i = c + bpp, j = u + bpp; i < end; i++, j++) {
      const a = d[i - bpp]!
      const b = d[j]!
      const ul = d[j - bpp]!
      const pa = Math.abs(b - ul)
      const pb = Math.abs(a - ul)
      const pc = Math.abs(a + b - 2 * ul)
      d[i] = d[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : ul)
    }
  } else {
    throw imageError(ERR_IMAGE_DECODE, `PNG scanline ${scanline} has unknown filter type ${filter}`, { scanline, filter })
  }
}

/** Writes `n` pixels of an unfiltered scanline starting at `p` to `out` from byte `o` on, `step` bytes apart. */
type RowConverter = (d: Uint8Array, p: number, n: number, out: Uint8Array, o: number, step: number) => void

/** The converter for `h`'s layout and `pixels`' options. */
function rowConverter (h: PngLayout, colours: PngColours, pixels: PixelOptions): RowConverter {
  const overBlack = pixels.alpha === 'over-black'
  const { bitDepth, colorType } = h
  if (colorType === 3) return paletteRow(colours.palette!, bitDepth, overBlack)
  if (bitDepth < 8) return lowGreyRow(bitDepth, colours.transparent, overBlack)
  const channels = PNG_COLOR_TYPES[colorType]!.channels
  const wide = bitDepth === 16
  // Raw sample → 8 bits: identity for 8 bits; for 16, rounded as pngjs rescaled, or the high byte.
  const to8 = new Uint8Array(wide ? 65536 : 256)
  for (let v = 0; v < to8.length; v++) to8[v] = !wide ? v : pixels.sixteenBit === 'rounded' ? Math.floor((v * 255) / 65535 + 0.5) : v >> 8
  const t = colours.transparent
  const t0 = t?.[0] ?? -1
  const t1 = t?.[1] ?? -1
  const t2 = t?.[2] ?? -1
  const bps = wide ? 2 : 1
  const px = channels * bps
  const at = (d: Uint8Array, p: number): number => (wide ? (d[p]! << 8) | d[p + 1]! : d[p]!)
  return (d, p, n, out, o, step) => {
    for (let i = 0; i < n; i++, p += px, o += step) {
      if (channels === 1) {
        const g = at(d, p)
        if (g === t0) put(out, o, 0, 0, 0, 0, overBlack)
        else put(out, o, to8[g]!, to8[g]!, to8[g]!, 255, overBlack)
      } else if (channels === 2) {
        const g = to8[at(d, p)]!
        put(out, o, g, g, g, to8[at(d, p + bps)]!, overBlack)
      } else if (channels === 3) {
        const r = at(d, p)
        const g = at(d, p + bps)
        const b = at(d, p + 2 * bps)
        if (r === t0 && g === t1 && b === t2) put(out, o, 0, 0, 0, 0, overBlack)
        else put(out, o, to8[r]!, to8[g]!, to8[b]!, 255, overBlack)
      } else {
        put(out, o, to8[at(d, p)]!, to8[at(d, p + bps)]!, to8[at(d, p + 2 * bps)]!, to8[at(d, p + 3 * bps)]!, overBlack)
      }
    }
  }
}

/** Grey of 1, 2 or 4 bits: samples most significant first, scaled exactly to 8 bits. */
function lowGreyRow (depth: number, transparent: readonly number[] | null, overBlack: boolean): RowConverter {
  const max = (1 << depth) - 1
  const scale = 255 / max
  const t0 = transparent?.[0] ?? -1
  return (d, p, n, out, o, step) => {
    for (let i = 0, bit = 0; i < n; i++, bit += depth, o += step) {
      const g = (d[p + (bit >> 3)]! >> (8 - depth - (bit & 7))) & max
      if (g === t0) put(out, o, 0, 0, 0, 0, overBlack)
      else put(out, o, g * scale, g * scale, g * scale, 255, overBlack)
    }
  }
}

/** Palette indices of 1, 2, 4 or 8 bits to the palette's RGBA; an index beyond the palette is refused. */
function paletteRow (palette: Uint8Array, depth: number, overBlack: boolean): RowConverter {
  const entries = palette.length >> 2
  const max = (1 << depth) - 1
  return (d, p, n, out, o, step) => {
    for (let i = 0, bit = 0; i < n; i++, bit += depth, o += step) {
      const k = (d[p + (bit >> 3)]! >> (8 - depth - (bit & 7))) & max
      if (k >= entries) throw imageError(ERR_IMAGE_DECODE, `PNG palette index ${k} beyond its ${entries} entries`, { index: k, entries })
      put(out, o, palette[4 * k]!, palette[4 * k + 1]!, palette[4 * k + 2]!, palette[4 * k + 3]!, overBlack)
    }
  }
}

/** Stores one RGBA8 pixel at `o`, composited onto black (and made opaque) when `overBlack` and it is not opaque. */
function put (out: Uint8Array, o: number, r: number, g: number, b: number, a: number, overBlack: boolean): void {
  if (overBlack && a !== 255) {
    r = ((r * a + 127) / 255) | 0
    g = ((g * a + 127) / 255) | 0
    b = ((b * a + 127) / 255) | 0
    a = 255
  }
  out[o] = r
  out[o + 1] = g
  out[o + 2] = b
  out[o + 3] = a
}
