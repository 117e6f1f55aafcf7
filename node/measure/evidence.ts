/**
 * Evidence of a measurement that a person can look at: for the worst samples
 * (by worst-tile SSIM, the local SSIM of local-ssim.ts) and a few seeded
 * random ones, the reference and candidate images exactly as measured, an
 * SSIM map and an absolute-difference image, as PNG files, with a JSON
 * manifest and an index page.
 *
 * - Selection ({@link selectEvidence}) is deterministic: the `worst` distinct
 *   samples by worst tile (ties to the earlier sample in plan order), then
 *   `random` more drawn without replacement from the rest with the seeded
 *   PRNG over `deriveSeed("trust-engine/evidence/v1", seed)`. The same
 *   measurement gives the same evidence in every process.
 * - SSIM map: one pixel per 11×11 window position (so 10 pixels smaller than
 *   the sample in each dimension), white where SSIM is 1 and red where it is
 *   0 or below: R = 255, G = B = round(255 · clamp(SSIM, 0, 1)).
 * - Difference: |reference − candidate| per RGB channel, times 4 (clamped to
 *   255) so small differences show; alpha 255.
 * - File names are fixed patterns (`sample-<i>-reference.png`, …), never
 *   derived from input, so an evidence folder holds nothing else.
 */
import { pngCodec } from '../image/codecs.ts'
import { deriveSeed, SeededPrng } from '../../protocol/sampling/prng.ts'
import { sampleKey, type SampleKind, type SampleRect } from '../../protocol/sampling/plan.ts'
import { lumaPlane, type RgbaImage } from './image.ts'
import { sampleSsim } from './local-ssim.ts'
import { colourPlanes, colourSampleSsim } from './colour-ssim.ts'
import type { SampleMeasurement } from './measure-frames.ts'
import { guardedZlib } from '../image/zlib-guard.ts'

/** How many samples evidence shows. */
export interface EvidenceOptions {
  /** Worst samples by worst-tile SSIM. */
  worst: number
  /** Seeded random samples among the rest. */
  random: number
}

/** Defaults of evidence: a handful of pictures, small enough to keep per job. */
export const DEFAULT_EVIDENCE_OPTIONS: Readonly<EvidenceOptions> = Object.freeze({
  /** 4: the worst samples are where a person looks first. */
  worst: 4,
  /** 2: a couple of ordinary samples, so the worst ones can be seen against typical ones. */
  random: 2
})

/** A sample as measured, with what evidence needs to find it again: the fields of a {@link SampleMeasurement} it reads. */
export type EvidenceSample = Pick<SampleMeasurement, 'kind' | 'frame' | 'rect' | 'ssim' | 'worstTile' | 'psnr'>

/** One chosen sample. */
export interface EvidenceChoice {
  /** Index of the sample in the measurement's plan order. */
  index: number
  reason: 'worst' | 'random'
}

/**
 * Chooses the samples evidence shows (see the module comment); repeated
 * samples (same key) are shown once.
 */
export function selectEvidence (samples: readonly EvidenceSample[], seed: string, options: EvidenceOptions = DEFAULT_EVIDENCE_OPTIONS): EvidenceChoice[] {
  const firstOfKey = new Map<string, number>()
  samples.forEach((s, i) => { const k = sampleKey(s); if (!firstOfKey.has(k)) firstOfKey.set(k, i) })
  const distinct = [...firstOfKey.values()]
  const byWorst = [...distinct].sort((a, b) => (samples[a]!.worstTile - samples[b]!.worstTile) || (a - b))
  const worst = byWorst.slice(0, Math.max(0, options.worst))
  const rest = distinct.filter((i) => !worst.includes(i))
  const prng = new SeededPrng(deriveSeed('trust-engine/evidence/v1', seed))
  const random: number[] = []
  for (let k = 0; k < options.random && rest.length > 0; k++) random.push(rest.splice(prng.nextInt(rest.length), 1)[0]!)
  return [...worst.map((index) => ({ index, reason: 'worst' as const })), ...random.map((index) => ({ index, reason: 'random' as const }))]
}

/** The four images of one sample of evidence. */
export interface EvidenceImages {
  reference: RgbaImage
  candidate: RgbaImage
  ssimMap: RgbaImage
  difference: RgbaImage
  /** Worst tile in map coordinates. */
  worstRect: { x: number, y: number, width: number, height: number }
}

/**
 * The SSIM map and difference images of a sample's two images (the images of
 * a temporal sample are its change images, as measured). With `colour` (scene
 * measurements), the map and worst tile are colour-aware as measured
 * (colour-ssim.ts): the per-position minimum over luma, Cb and Cr.
 */
export function evidenceImages (reference: RgbaImage, candidate: RgbaImage, colour = false): EvidenceImages {
  const s = colour
    ? colourSampleSsim(colourPlanes(reference), colourPlanes(candidate), undefined, true)
    : sampleSsim(lumaPlane(reference), lumaPlane(candidate), undefined, true)
  const map = s.map!
  const ssimMap = new Uint8Array(map.width * map.height * 4)
  for (let i = 0; i < map.data.length; i++) {
    const v = map.data[i]!
    const g = Math.round(255 * (v < 0 ? 0 : v > 1 ? 1 : v))
    ssimMap[i * 4] = 255; ssimMap[i * 4 + 1] = g; ssimMap[i * 4 + 2] = g; ssimMap[i * 4 + 3] = 255
  }
  const difference = new Uint8Array(reference.data.length)
  for (let i = 0; i < difference.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = reference.data[i + c]! - candidate.data[i + c]!
      difference[i + c] = Math.min(255, 4 * (d < 0 ? -d : d))
    }
    difference[i + 3] = 255
  }
  return {
    reference,
    candidate,
    ssimMap: { width: map.width, height: map.height, data: ssimMap },
    difference: { width: reference.width, height: reference.height, data: difference },
    worstRect: s.worstRect
  }
}

/**
 * PNG bytes (RGBA8) of an image. pngjs makes native zlib streams (its
 * packer's and its deflate), so the whole encoding is one guarded call: a
 * measurement worker, which makes evidence after handing its numbers on, is
 * never terminated inside it (node/image/zlib-guard.ts).
 */
export function encodeRgbaPng (img: RgbaImage): Uint8Array {
  const { PNG } = pngCodec()
  return guardedZlib(() => {
    const png = new PNG({ width: img.width, height: img.height })
    png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength)
    return new Uint8Array(PNG.sync.write(png, { colorType: 6 }))
  })
}

/** Version of the manifest's shape. */
export const EVIDENCE_MANIFEST_VERSION = 1

/** One sample in the manifest. */
export interface EvidenceEntry {
  /** Position in the evidence (0-based). */
  id: number
  reason: 'worst' | 'random'
  /** Index in the measurement's plan order. */
  sample: number
  kind: SampleKind
  /** Frame index (frame sets) or view index (scenes). */
  frame: number
  rect?: SampleRect
  ssim: number
  worstTile: number
  /** Worst tile in SSIM-map coordinates. */
  worstRect: { x: number, y: number, width: number, height: number }
  /** `"Infinity"` for identical images. */
  psnr: number | 'Infinity'
  /** File names in the evidence folder. */
  files: { reference: string, candidate: string, ssimMap: string, difference: string }
}

/** The JSON manifest of an evidence folder. */
export interface EvidenceManifest {
  version: number
  /** `frames` or `scenes`. */
  input: string
  seed: string
  /** The measurement's metrics, wire form. */
  metrics: Record<string, number | 'Infinity'>
  samples: EvidenceEntry[]
}

/** The file names of evidence sample `id`. */
export function evidenceFileNames (id: number): EvidenceEntry['files'] {
  return {
    reference: `sample-${id}-reference.png`,
    candidate: `sample-${id}-candidate.png`,
    ssimMap: `sample-${id}-ssim-map.png`,
    difference: `sample-${id}-difference.png`
  }
}


function escapeHtml (s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** The index page of an evidence folder: one row per sample with its four images and values. */
export function evidenceHtml (m: EvidenceManifest): string {
  const rows = m.samples.map((s) => {
    const where = s.rect === undefined ? '' : ` at (${s.rect.x}, ${s.rect.y}) ${s.rect.width}×${s.rect.height}`
    const img = (f: string, alt: string): string => `<figure><img src="${escapeHtml(f)}" alt="${escapeHtml(alt)}"><figcaption>${escapeHtml(alt)}</figcaption></figure>`
    return `<section><h2>${escapeHtml(`#${s.id} ${s.reason}: ${s.kind} ${s.frame}${where}`)}</h2>` +
      `<p>SSIM ${s.ssim.toFixed(6)} · worst tile ${s.worstTile.toFixed(6)} at (${s.worstRect.x}, ${s.worstRect.y}) · PSNR ${escapeHtml(String(s.psnr === 'Infinity' ? 'Infinity' : s.psnr.toFixed(3)))} dB</p>` +
      `<div class="row">${img(s.files.reference, 'reference')}${img(s.files.candidate, 'candidate')}${img(s.files.ssimMap, 'SSIM map (red = low)')}${img(s.files.difference, '|difference| × 4')}</div></section>`
  }).join('\n')
  const metrics = Object.entries(m.metrics).map(([k, v]) => `${escapeHtml(k)} ${escapeHtml(String(v))}`).join(' · ')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Trust Engine measurement evidence</title>
<style>body{font-family:sans-serif;margin:1em}img{image-rendering:pixelated;width:256px;border:1px solid #ccc}figure{display:inline-block;margin:0 .5em .5em 0}figcaption{font-size:.8em}</style>
</head><body><h1>Measurement evidence</h1><p>${escapeHtml(m.input)} · seed ${escapeHtml(m.seed)} · ${metrics}</p>
${rows}
</body></html>
`
}
