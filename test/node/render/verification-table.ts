/**
 * The table of the verification candidates (verification-scenes.ts) in
 * docs/measurement.md: one row per candidate with its SSIM, PSNR, local SSIM
 * and verdict at the network's default thresholds. One measurement and one
 * row format, shared by scripts/measurement-table.ts (which writes the table
 * between {@link TABLE_BEGIN} and {@link TABLE_END}) and
 * test/node/render/verification.test.ts (which checks each committed row
 * against its own measurement), so the table is what the code measures.
 */
import { type MetricNumbers, passesThresholds } from '../../../protocol/metrics.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { measureAgainstReference } from '../../../node/render/measure-scene.ts'
import { prepareSceneReference, type SceneReference } from '../../../node/render/scene-reference.ts'
import { acceptableCandidates, pbrSceneGlb, REJECTED } from './verification-scenes.ts'

/** The seed of every verification measurement. */
export const SEED = 'a1b2c3d4'

/** The network file's default thresholds (SSIM ≥ 0.98, PSNR ≥ 35 dB, local SSIM ≥ 0.9). */
export const THRESHOLDS = parseNetwork({ networkId: 'defaults', protocolVersion: 1, validators: [{ name: 'v', publicKey: 'aa'.repeat(32), weight: 1 }] }).thresholds

/** Where the table lives, and its markers. */
export const TABLE_DOC = 'docs/measurement.md'
export const TABLE_BEGIN = '<!-- verification table: written by scripts/measurement-table.ts -->'
export const TABLE_END = '<!-- end of verification table -->'

/** One candidate to measure. */
export interface Candidate {
  name: string
  bytes: Uint8Array
  /** What a person does with it. */
  person: 'rejects' | 'accepts'
}

/** Every candidate, rejected ones first, in the order of REJECTED, then the accepted ones. */
export async function allCandidates (original: Uint8Array): Promise<Candidate[]> {
  const out: Candidate[] = []
  for (const [name, change] of Object.entries(REJECTED)) out.push({ name, bytes: await pbrSceneGlb(change), person: 'rejects' })
  for (const [name, bytes] of Object.entries(await acceptableCandidates(original))) out.push({ name, bytes, person: 'accepts' })
  return out
}

/** A measured candidate. */
export interface CandidateResult {
  metrics: MetricNumbers
  passes: boolean
}

/** The original prepared for measuring candidates at the default measurement options, with {@link SEED} and complexity 0 (its renders kept, so it is rendered once for every candidate). */
export async function originalReference (original: Uint8Array): Promise<SceneReference> {
  return await prepareSceneReference(original, { seed: SEED, complexity: 0 })
}

/** Measures a candidate against the original's reference ({@link originalReference}) at the default measurement options and thresholds. */
export async function measureCandidate (original: SceneReference, candidate: Uint8Array): Promise<CandidateResult> {
  const m = await measureAgainstReference(original, candidate)
  return { metrics: m.metrics, passes: passesThresholds(m.metrics, THRESHOLDS) }
}

const fixed = (v: number, digits: number): string => (v === 1 ? '1' : v === Infinity ? 'Infinity' : v.toFixed(digits))

/** The verdict: "passes", or "fails" with the metrics below their thresholds. */
export function verdict (r: CandidateResult): string {
  if (r.passes) return 'passes'
  const below: string[] = []
  if (!(r.metrics.ssim >= THRESHOLDS.ssimMin)) below.push('SSIM')
  if (!(r.metrics.psnr >= THRESHOLDS.psnrMin)) below.push('PSNR')
  if (!(r.metrics.ssimLocal >= THRESHOLDS.ssimLocalMin)) below.push('local SSIM')
  return `fails (${below.join(', ')})`
}

/** The table row of a measured candidate. */
export function tableRow (c: Pick<Candidate, 'name' | 'person'>, r: CandidateResult): string {
  return `| ${c.name} | ${fixed(r.metrics.ssim, 5)} | ${fixed(r.metrics.psnr, 2)} | ${fixed(r.metrics.ssimLocal, 4)} | ${verdict(r)} | ${c.person} |`
}

/** The table's header lines. */
export const TABLE_HEADER = ['| candidate | SSIM | PSNR dB | local SSIM | verdict | a person |', '|---|---|---|---|---|---|']

/** The rows of the table in `doc` (between the markers), by candidate name. */
export function committedRows (doc: string): Map<string, string> {
  const begin = doc.indexOf(TABLE_BEGIN); const end = doc.indexOf(TABLE_END)
  const rows = new Map<string, string>()
  if (begin < 0 || end < begin) return rows
  for (const line of doc.slice(begin + TABLE_BEGIN.length, end).split('\n')) {
    if (!line.startsWith('| ') || TABLE_HEADER.includes(line)) continue
    rows.set(line.slice(2, line.indexOf(' | ')), line)
  }
  return rows
}

/** `doc` with the table between the markers replaced by `rows` (the markers must be present). */
export function withTable (doc: string, rows: readonly string[]): string {
  const begin = doc.indexOf(TABLE_BEGIN); const end = doc.indexOf(TABLE_END)
  if (begin < 0 || end < begin) throw new Error(`${TABLE_DOC} lacks the table markers`)
  return doc.slice(0, begin + TABLE_BEGIN.length) + '\n' + [...TABLE_HEADER, ...rows].join('\n') + '\n' + doc.slice(end)
}
