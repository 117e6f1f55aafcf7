/**
 * Writes an evidence folder (evidence.ts): the four PNG files of each chosen
 * sample, `manifest.json` and `index.html`. The folder is created when
 * missing; files are written under fixed names only, each atomically (a
 * temporary name, then a rename), so a reader never sees half a file.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
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

async function writeAtomic (path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp`
  await writeFile(tmp, bytes)
  await rename(tmp, path)
}

/** Writes the evidence folder `dir` and returns its manifest. */
export async function writeEvidence (dir: string, e: EvidenceInput): Promise<EvidenceManifest> {
  await mkdir(dir, { recursive: true })
  const samples: EvidenceEntry[] = []
  for (const [id, { choice, images }] of e.evidence.entries()) {
    const s = e.perSample[choice.index]!
    const files = evidenceFileNames(id)
    await writeAtomic(join(dir, files.reference), encodeRgbaPng(images.reference))
    await writeAtomic(join(dir, files.candidate), encodeRgbaPng(images.candidate))
    await writeAtomic(join(dir, files.ssimMap), encodeRgbaPng(images.ssimMap))
    await writeAtomic(join(dir, files.difference), encodeRgbaPng(images.difference))
    const entry: EvidenceEntry = {
      id, reason: choice.reason, sample: choice.index, kind: s.kind, frame: s.frame, ssim: s.ssim, worstTile: s.worstTile,
      worstRect: images.worstRect, psnr: metricToWire(s.psnr), files
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
  await writeAtomic(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n')
  await writeAtomic(join(dir, 'index.html'), evidenceHtml(manifest))
  return manifest
}
