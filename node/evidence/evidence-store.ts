/**
 * The evidence a node keeps for the jobs it measured (node/measure/evidence.ts):
 * per job, the PNG files of the worst and a few seeded random samples and a
 * manifest, in `<dataDir>/evidence/<jobId>/`, served by `GET
 * /v1/jobs/:id/evidence`.
 *
 * - Bounded: at most `maxJobs` jobs and `maxBytes` bytes in all; the oldest
 *   jobs' evidence is deleted first when a new one would exceed either. A
 *   job's evidence larger than `maxJobBytes` is not kept.
 * - A later round's evidence (grey zone) replaces an earlier one's; an
 *   earlier round never replaces a later one.
 * - Written into a temporary folder, then renamed into place, so a reader (or
 *   a restart) never sees half a job's evidence; leftovers of a crash are
 *   removed when the store opens.
 * - Evidence still being made when its measurement is voted on is announced
 *   with {@link EvidenceStore.putWhenMade}: readers of that job's evidence
 *   wait for it, so a job's evidence reads as held from the moment its
 *   measurement is handed on, never as missing and then present.
 * - File names come from a fixed pattern (evidenceFileNames) and job ids are
 *   64 hex characters, both checked here again, so no request can name a path
 *   outside the store.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream, type ReadStream } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TrustEngineError } from '../../protocol/errors.ts'
import { DEFAULT_EVIDENCE_OPTIONS, type EvidenceManifest, type EvidenceOptions } from '../measure/evidence.ts'
import type { EncodedEvidence } from '../measure/evidence-files.ts'
import { ERR_EVIDENCE_OPTIONS } from './errors.ts'

/** Options of an {@link EvidenceStore}. */
export interface EvidenceStoreOptions {
  /** Keep evidence at all; off, the node measures without making any. */
  enabled: boolean
  /** How many samples each job's evidence shows. */
  samples: EvidenceOptions
  /** Most jobs whose evidence is kept. */
  maxJobs: number
  /** Most bytes of evidence kept in all. */
  maxBytes: number
  /** Largest evidence of one job that is kept. */
  maxJobBytes: number
}

/** Defaults of {@link EvidenceStoreOptions}. */
export const DEFAULT_EVIDENCE_STORE_OPTIONS: Readonly<EvidenceStoreOptions> = Object.freeze({
  enabled: true,
  // The same samples as `trust-engine measure --evidence`: 4 worst, 2 random.
  samples: DEFAULT_EVIDENCE_OPTIONS,
  // 1000 jobs: a day of a busy small network; the console shows recent jobs.
  maxJobs: 1000,
  // 1 GiB: a 1080p frames job's evidence is about 6 × 4 PNGs of 0.5–3 MiB, so a few hundred of those;
  // small next to the 32 GiB blob quota (node/p2p/blob-dir.ts).
  maxBytes: 1024 * 1024 * 1024,
  // 128 MiB: evidence of 4K frames fits; one job never evicts most of the others.
  maxJobBytes: 128 * 1024 * 1024
})

/** The manifest a node serves: the measurement's evidence manifest, the job and the round it was made in. */
export interface JobEvidenceManifest extends EvidenceManifest {
  jobId: string
  round: number
}

/** Name of a file of a job's evidence: the manifest or one of the PNG files. */
export const EVIDENCE_FILE_NAME = /^sample-(0|[1-9][0-9]{0,2})-(reference|candidate|ssim-map|difference)\.png$/

const JOB_ID = /^[0-9a-f]{64}$/
const MANIFEST = 'manifest.json'

interface Held { bytes: number, round: number }

/** Resolves `options` over the defaults and checks them (`ERR_EVIDENCE_OPTIONS`). */
export function resolveEvidenceStoreOptions (options: Partial<EvidenceStoreOptions> = {}): EvidenceStoreOptions {
  const o: EvidenceStoreOptions = { ...DEFAULT_EVIDENCE_STORE_OPTIONS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) }
  for (const k of ['maxJobs', 'maxBytes', 'maxJobBytes'] as const) {
    if (!Number.isSafeInteger(o[k]) || o[k] < 0) throw new TrustEngineError(ERR_EVIDENCE_OPTIONS, `${k} must be a non-negative integer`)
  }
  for (const k of ['worst', 'random'] as const) {
    if (!Number.isSafeInteger(o.samples[k]) || o.samples[k] < 0 || o.samples[k] > 64) throw new TrustEngineError(ERR_EVIDENCE_OPTIONS, `samples.${k} must be an integer in [0, 64]`)
  }
  return o
}

/** The evidence folders of a node (see the module comment). */
export class EvidenceStore {
  readonly #root: string
  readonly options: EvidenceStoreOptions
  /** Jobs held, oldest first (Map order). */
  readonly #held = new Map<string, Held>()
  #total = 0
  #queue: Promise<void> = Promise.resolve()
  /** Evidence announced but not stored yet, by job: readers of the job wait for it. */
  readonly #coming = new Map<string, Promise<unknown>>()

  private constructor (root: string, options: EvidenceStoreOptions) {
    this.#root = root
    this.options = options
  }

  /** Opens the store in `root` (created when missing): removes crash leftovers, indexes what is there, oldest first. */
  static async open (root: string, options: Partial<EvidenceStoreOptions> = {}): Promise<EvidenceStore> {
    const store = new EvidenceStore(root, resolveEvidenceStoreOptions(options))
    await mkdir(root, { recursive: true })
    const found: Array<{ jobId: string, mtime: number, held: Held }> = []
    for (const name of await readdir(root)) {
      const dir = join(root, name)
      if (!JOB_ID.test(name)) { await rm(dir, { recursive: true, force: true }); continue }
      try {
        const manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as JobEvidenceManifest
        let bytes = 0
        for (const f of await readdir(dir)) bytes += (await stat(join(dir, f))).size
        found.push({ jobId: name, mtime: (await stat(join(dir, MANIFEST))).mtimeMs, held: { bytes, round: manifest.round } })
      } catch {
        await rm(dir, { recursive: true, force: true })
      }
    }
    found.sort((a, b) => a.mtime - b.mtime || (a.jobId < b.jobId ? -1 : 1))
    for (const f of found) { store.#held.set(f.jobId, f.held); store.#total += f.held.bytes }
    await store.#serial(async () => { await store.#evict(0) })
    return store
  }

  /** Jobs whose evidence is held. */
  get jobs (): number { return this.#held.size }

  /** Bytes of evidence held. */
  get bytes (): number { return this.#total }

  /**
   * Keeps `evidence` as the evidence of `jobId` made in `round`, evicting the
   * oldest jobs' evidence as the bounds need. Returns false when it is not kept
   * (larger than `maxJobBytes`, a store bounded to nothing, an earlier round
   * than the one held, or a malformed job id).
   */
  async put (jobId: string, round: number, evidence: EncodedEvidence): Promise<boolean> {
    if (!JOB_ID.test(jobId)) return false
    return await this.#serial(async () => {
      const earlier = this.#held.get(jobId)
      if (earlier !== undefined && earlier.round > round) return false
      const manifest: JobEvidenceManifest = { ...evidence.manifest, jobId, round }
      const files = evidence.files.filter((f) => EVIDENCE_FILE_NAME.test(f.name))
      files.push({ name: MANIFEST, bytes: new TextEncoder().encode(JSON.stringify(manifest, null, 2) + '\n') })
      const bytes = files.reduce((n, f) => n + f.bytes.byteLength, 0)
      if (bytes > this.options.maxJobBytes || this.options.maxJobs === 0 || bytes > this.options.maxBytes) return false
      await this.#remove(jobId)
      await this.#evict(bytes)
      const tmp = join(this.#root, `tmp-${randomBytes(8).toString('hex')}`)
      await mkdir(tmp)
      try {
        for (const f of files) await writeFile(join(tmp, f.name), f.bytes)
        await rename(tmp, join(this.#root, jobId))
      } catch (err) {
        await rm(tmp, { recursive: true, force: true })
        throw err
      }
      this.#held.set(jobId, { bytes, round })
      this.#total += bytes
      return true
    })
  }

  /**
   * {@link put} of evidence that is still being made (a measurement's, made
   * after its numbers): readers of `jobId`'s evidence wait until it is stored
   * or refused. Resolves as {@link put} does, false when `evidence` resolves
   * to undefined; rejects when it rejects.
   */
  async putWhenMade (jobId: string, round: number, evidence: Promise<EncodedEvidence | undefined>): Promise<boolean> {
    const done = evidence.then(async (e) => e === undefined ? false : await this.put(jobId, round, e))
    const settled = done.catch(() => {})
    this.#coming.set(jobId, settled)
    void settled.then(() => { if (this.#coming.get(jobId) === settled) this.#coming.delete(jobId) })
    return await done
  }

  /** Waits for evidence of `jobId` announced and not stored yet. */
  async #arrived (jobId: string): Promise<void> {
    await this.#coming.get(jobId)
  }

  /** The manifest of `jobId`'s evidence, or null when none is held. */
  async manifest (jobId: string): Promise<JobEvidenceManifest | null> {
    if (!JOB_ID.test(jobId)) return null
    await this.#arrived(jobId)
    if (!this.#held.has(jobId)) return null
    try {
      return JSON.parse(await readFile(join(this.#root, jobId, MANIFEST), 'utf8')) as JobEvidenceManifest
    } catch {
      return null // deleted by an eviction meanwhile
    }
  }

  /** A stream of one PNG file of `jobId`'s evidence and its size, or null when not held. */
  async file (jobId: string, name: string): Promise<{ size: number, stream: ReadStream } | null> {
    if (!JOB_ID.test(jobId) || !EVIDENCE_FILE_NAME.test(name)) return null
    await this.#arrived(jobId)
    if (!this.#held.has(jobId)) return null
    const path = join(this.#root, jobId, name)
    try {
      const s = await stat(path)
      if (!s.isFile()) return null
      return { size: s.size, stream: createReadStream(path) }
    } catch {
      return null
    }
  }

  /**
   * Deletes `jobId`'s evidence (for when the job's blobs are deleted, e.g. by
   * retention) and returns the bytes freed; 0 when none is held or the id is
   * malformed.
   */
  async delete (jobId: string): Promise<number> {
    if (!JOB_ID.test(jobId)) return 0
    return await this.#serial(async () => await this.#remove(jobId))
  }

  /** Waits for the writes under way, those of evidence announced and still being made included. */
  async flush (): Promise<void> {
    await Promise.all(this.#coming.values())
    await this.#serial(async () => {})
  }

  async #remove (jobId: string): Promise<number> {
    const held = this.#held.get(jobId)
    if (held === undefined) return 0
    this.#held.delete(jobId)
    this.#total -= held.bytes
    await rm(join(this.#root, jobId), { recursive: true, force: true })
    return held.bytes
  }

  /** Deletes the oldest jobs' evidence until `incoming` more bytes and one more job fit (or, with 0, until the bounds hold). */
  async #evict (incoming: number): Promise<void> {
    const jobs = incoming === 0 ? 0 : 1
    while (this.#held.size > 0 && (this.#held.size + jobs > this.options.maxJobs || this.#total + incoming > this.options.maxBytes)) {
      await this.#remove(this.#held.keys().next().value!)
    }
  }

  async #serial<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn)
    this.#queue = run.then(() => {}, () => {})
    return await run
  }
}
