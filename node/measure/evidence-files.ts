/**
 * Writes an evidence folder (evidence.ts): the four PNG files of each chosen
 * sample, `manifest.json` and `index.html`. The folder is created when
 * missing; files are written under fixed names only, each atomically (a
 * temporary name, then a rename), so a reader never sees half a file.
 */
import { join } from 'node:path'
import { ERR_OUTPUT_WRITE_FAILED, writeFileAtomic } from '../files/write-atomic.ts'
import { ensureDir } from '../files/ensure-dir.ts'
import { metricToWire, type MetricNumbers } from '../../protocol/metrics.ts'
import {
  type EvidenceChoice, type EvidenceEntry, type EvidenceImages, type EvidenceManifest, type EvidenceSample, EVIDENCE_MANIFEST_VERSION,
  encodeRgbaPng, evidenceFileNames, evidenceHtml
} from './evidence.ts'

/** What {@link writeEvidence} needs: the measurement's samples and the chosen samples' images. */
export interface EvidenceInput {
  input: 'frames' | 'scenes'
  seed: string
  metrics: MetricNumbers
  perSample: readonly EvidenceSample[]
  evidence: ReadonlyArray<{ choice: EvidenceChoice, images: EvidenceImages }>
}

/** An evidence folder in memory: its manifest, and each file's name and bytes (PNG files, then `manifest.json` and `index.html`). */
export interface EncodedEvidence {
  manifest: EvidenceManifest
  files: Array<{ name: string, bytes: Uint8Array }>
}

/** Encodes the evidence of a measurement: the PNG files of each chosen sample, the manifest and the index page. */
export function encodeEvidence (e: EvidenceInput): EncodedEvidence {
  const samples: EvidenceEntry[] = []
  const files: EncodedEvidence['files'] = []
  for (const [id, { choice, images }] of e.evidence.entries()) {
    const s = e.perSample[choice.index]!
    const names = evidenceFileNames(id)
    files.push({ name: names.reference, bytes: encodeRgbaPng(images.reference) })
    files.push({ name: names.candidate, bytes: encodeRgbaPng(images.candidate) })
    files.push({ name: names.ssimMap, bytes: encodeRgbaPng(images.ssimMap) })
    files.push({ name: names.difference, bytes: encodeRgbaPng(images.difference) })
    const entry: EvidenceEntry = {
      id, reason: choice.reason, sample: choice.index, kind: s.kind, frame: s.frame, ssim: s.ssim, worstTile: s.worstTile,
      worstRect: images.worstRect, psnr: metricToWire(s.psnr), files: names
    }
    if (s.rect !== undefined) entry.rect = { ...s.rect }
    samples.push(entry)
  }
  const manifest: EvidenceManifest = {
    version: EVIDENCE_MANIFEST_VERSION,
    input: e.input,
    seed: e.seed,
    metrics: { ssim: metricToWire(e.metrics.ssim), psnr: metricToWire(e.metrics.psnr), ssimLocal: metricToWire(e.metrics.ssimLocal) },
    samples
  }
  files.push({ name: 'manifest.json', bytes: new TextEncoder().encode(JSON.stringify(manifest, null, 2) + '\n') })
  files.push({ name: 'index.html', bytes: new TextEncoder().encode(evidenceHtml(manifest)) })
  return { manifest, files }
}

/** Writes the evidence folder `dir` and returns its manifest. */
export async function writeEvidence (dir: string, e: EvidenceInput): Promise<EvidenceManifest> {
  ensureDir(dir, ERR_OUTPUT_WRITE_FAILED, 'the evidence folder')
  const { manifest, files } = encodeEvidence(e)
  // The manifest and the index last, so a folder with a manifest has all its images.
  for (const f of files) await writeFileAtomic(join(dir, f.name), f.bytes)
  return manifest
}
