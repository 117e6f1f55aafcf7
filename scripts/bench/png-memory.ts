/**
 * Peak memory and CPU time of decoding large PNGs with the node's decoder
 * (node/image/decode-image.ts), each decode in a child process of its own so
 * that its peak resident memory (`process.resourceUsage().maxRSS`) is the
 * decode's alone:
 * - an 8192² 16-bit RGBA texture (the render budget's largest texture,
 *   straight alpha, rounded 16-bit samples);
 * - a 4096² 8-bit RGB frame (composited onto black, high byte).
 *
 *     node scripts/bench/png-memory.ts [--root DIR] [--runs N]
 *
 * `--root` is the checkout whose decoder is measured (default: this one), so
 * two checkouts can be measured in alternation on the same files. The PNGs
 * are written once to the system's temporary folder (deterministic content,
 * a mix of filter types, deflate level 1). Prints one JSON line per run:
 * case, peak RSS before and after the decode (MB), and user + system CPU
 * seconds of the decode.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { deflateSync } from 'node:zlib'
import { chunk } from '../../test/node/measure/fixtures.ts'

/** A measured case: image layout and the decode options the node uses for it. */
interface Case { name: string, side: number, bitDepth: 8 | 16, colorType: 2 | 6, options: Record<string, unknown> }

const CASES: readonly Case[] = [
  { name: 'texture 8192² RGBA16', side: 8192, bitDepth: 16, colorType: 6, options: { formats: ['image/png'], limits: { maxPixels: 8192 * 8192, maxDimension: 8192, maxFileBytes: 2 ** 31 } } },
  { name: 'frame 4096² RGB8', side: 4096, bitDepth: 8, colorType: 2, options: { formats: ['image/png'], alpha: 'over-black', sixteenBit: 'high-byte' } }
]

/** A deterministic PNG of `c`'s layout: smooth gradients with two bits of hashed noise at 8 bits, a pattern repeating every 256 pixels at 16 bits, filter type y mod 5. */
function writePng (c: Case, path: string): void {
  const channels = c.colorType === 6 ? 4 : 3
  const bytesPerSample = c.bitDepth / 8
  const rowBytes = c.side * channels * bytesPerSample
  const raw = Buffer.alloc(c.side * (rowBytes + 1))
  for (let y = 0; y < c.side; y++) {
    const row = y * (rowBytes + 1)
    raw[row] = y % 5
    for (let x = 0; x < c.side; x++) {
      const noise = bytesPerSample === 2 ? 0 : Math.imul(x * 7919 + y * 104729, 0x9e3779b1) >>> 30
      const v = bytesPerSample === 2
        ? [((x & 255) << 8) | (y & 255), ((x * 3) & 255) << 8, y << 3, 65535 - ((x & 255) << 4)]
        : [x * 8 + noise, y * 8 + noise, (x + y) * 4, 65535 - x * 4]
      for (let ch = 0; ch < channels; ch++) {
        const p = row + 1 + (x * channels + ch) * bytesPerSample
        if (bytesPerSample === 2) raw.writeUInt16BE(v[ch]! & 0xffff, p)
        else raw[p] = (v[ch]! >> 5) & 0xff
      }
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(c.side, 0)
  header.writeUInt32BE(c.side, 4)
  header[8] = c.bitDepth
  header[9] = c.colorType
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  writeFileSync(path, Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 1 })), chunk('IEND', new Uint8Array(0))]))
}

const args = process.argv.slice(2)
if (args[0] === '--write') {
  // Writer: a process of its own, so that the decoding children (whose peak
  // RSS starts from their parent's on Linux) are spawned by a small parent.
  writePng(CASES[Number(args[1])]!, args[2]!)
} else if (args[0] === '--child') {
  // Child: read the file, then decode it once; print peak RSS and CPU of the decode.
  const [, root, file, options] = args as [string, string, string, string]
  const { decodeImage } = await import(join(root, 'node/image/decode-image.ts')) as typeof import('../../node/image/decode-image.ts')
  const file_ = readFileSync(file)
  const bytes = new Uint8Array(file_.buffer, file_.byteOffset, file_.byteLength)
  const before = process.resourceUsage()
  const image = decodeImage(bytes, JSON.parse(options))
  const after = process.resourceUsage()
  const cpu = (after.userCPUTime + after.systemCPUTime - before.userCPUTime - before.systemCPUTime) / 1e6
  console.log(JSON.stringify({ beforeMB: Math.round(before.maxRSS / 1024), peakMB: Math.round(after.maxRSS / 1024), cpuS: Number(cpu.toFixed(2)), pixels: image.data.length / 4 }))
} else {
  const root = resolve(args.includes('--root') ? args[args.indexOf('--root') + 1]! : '.')
  const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 1
  for (const c of CASES) {
    const file = join(tmpdir(), `png-memory-${c.side}-${c.bitDepth}-${c.colorType}.png`)
    if (!existsSync(file)) execFileSync(process.execPath, [import.meta.filename, '--write', String(CASES.indexOf(c)), file])
    for (let r = 0; r < runs; r++) {
      const out = execFileSync(process.execPath, [import.meta.filename, '--child', root, file, JSON.stringify(c.options)], { encoding: 'utf8', maxBuffer: 1 << 20 })
      console.log(JSON.stringify({ case: c.name, root, ...JSON.parse(out) }))
    }
  }
}
