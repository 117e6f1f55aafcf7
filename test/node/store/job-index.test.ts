/**
 * The job index on a real LevelDB store: pages in the same order, with the
 * same status filter and paging, as sorting every stored record; an index
 * built once for a store written without it; and a page that reads no more
 * index entries than it returns.
 */
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../../../node/store/db.ts'
import { BUCKETS } from '../../../node/store/buckets.ts'
import { ERR_STORE_BAD_KEY, ERR_STORE_BAD_VALUE } from '../../../node/store/errors.ts'
import { concatBytes, hex32Bytes, stringKey } from '../../../node/store/key-codec.ts'
import {
  createRepositories, ensureJobIndex, INDEXED_JOB_STATUSES, META_JOB_INDEX, type IndexedJobStatus, type Repositories
} from '../../../node/store/repositories/index.ts'
import { removeTempDirs, tempDir } from './helpers.ts'

afterAll(removeTempDirs)

type Rec = { jobId: string, status: IndexedJobStatus, job: { createdAt: number } }

/** A deterministic spread of records: job ids from a counter's hash-like mix, createdAt values that often collide. */
function records (n: number): Rec[] {
  const out: Rec[] = []
  let x = 0x9e3779b9
  const next = (): number => { x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0; return x }
  for (let i = 0; i < n; i++) {
    const jobId = Array.from({ length: 8 }, () => next().toString(16).padStart(8, '0')).join('')
    out.push({ jobId, status: INDEXED_JOB_STATUSES[next() % 4] as IndexedJobStatus, job: { createdAt: 1_790_000_000_000 + (next() % 97) } })
  }
  return out
}

/** The order the jobs list had before the index: every record read and sorted. */
function sortedLikeBefore (recs: Rec[], status?: IndexedJobStatus): string[] {
  return recs.filter((r) => status === undefined || r.status === status)
    .sort((a, b) => b.job.createdAt - a.job.createdAt || (a.jobId < b.jobId ? -1 : 1))
    .map((r) => r.jobId)
}

/** Every page of the index of `limit` jobs, each starting after the last job of the previous one. */
async function allPages (repos: Repositories, byId: Map<string, Rec>, limit: number, status?: IndexedJobStatus): Promise<string[][]> {
  const pages: string[][] = []
  let before: { createdAt: number, jobId: string } | undefined
  for (;;) {
    const page = await repos.jobs.page({ limit, ...(status === undefined ? {} : { status }), ...(before === undefined ? {} : { before }) })
    expect(page.entriesRead).toBe(page.jobIds.length)
    if (page.jobIds.length === 0) return pages
    pages.push(page.jobIds)
    const last = byId.get(page.jobIds.at(-1) as string) as Rec
    before = { createdAt: last.job.createdAt, jobId: last.jobId }
  }
}

function chunks (ids: string[], size: number): string[][] {
  const out: string[][] = []
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size))
  return out
}

/** The store under test, its folder and its repositories (a fresh LevelDB per test). */
let dir: string
let store: Store
let repos: Repositories

/** Opens (or reopens) the store in `dir`. */
async function open (): Promise<void> {
  store = await openStore(dir)
  repos = createRepositories(store)
}

beforeEach(async () => { dir = join(tempDir(), 'db'); await open() })
afterEach(async () => { await store.close() })

describe('the job index', () => {
  it('pages in the order, with the status filter and paging, of sorting every record', async () => {
    const recs = records(400)
    // Written in small batches, then a third of them change status, as decided jobs do.
    for (const part of chunks(recs.map((r) => r.jobId), 50)) {
      await store.write(async (b) => { for (const id of part) await repos.jobs.putRecord(b, id, { ...recs.find((r) => r.jobId === id) as Rec, status: 'pending' }) })
    }
    await store.write(async (b) => { for (const r of recs) await repos.jobs.putRecord(b, r.jobId, { ...r }) })
    const byId = new Map(recs.map((r) => [r.jobId, r]))
    for (const limit of [1, 7, 50, 1000]) {
      expect(await allPages(repos, byId, limit)).toEqual(chunks(sortedLikeBefore(recs), limit))
      for (const status of INDEXED_JOB_STATUSES) {
        expect(await allPages(repos, byId, limit, status)).toEqual(chunks(sortedLikeBefore(recs, status), limit))
      }
    }
    // Every status holds some jobs, so the filter was really exercised.
    for (const status of INDEXED_JOB_STATUSES) expect(sortedLikeBefore(recs, status).length).toBeGreaterThan(50)
  })

  it('reads at most limit index entries for a page, wherever it starts', async () => {
    const recs = records(300)
    await store.write(async (b) => { for (const r of recs) await repos.jobs.putRecord(b, r.jobId, r) })
    const order = sortedLikeBefore(recs)
    const byId = new Map(recs.map((r) => [r.jobId, r]))
    for (const [at, limit] of [[0, 10], [150, 10], [290, 25], [0, 1]] as const) {
      const from = byId.get(order[at] as string) as Rec
      const page = await repos.jobs.page({ limit, before: { createdAt: from.job.createdAt, jobId: from.jobId } })
      expect(page.entriesRead).toBeLessThanOrEqual(limit + 1)
      expect(page.jobIds).toEqual(order.slice(at + 1, at + 1 + limit))
    }
    const pending = await repos.jobs.page({ limit: 5, status: 'pending' })
    expect([pending.entriesRead, pending.jobIds]).toEqual([5, sortedLikeBefore(recs, 'pending').slice(0, 5)])
  })

  it('moves a job between statuses within one batch, and removes it with its record', async () => {
    const [a, b] = records(2) as [Rec, Rec]
    await store.write(async (batch) => {
      await repos.jobs.putRecord(batch, a.jobId, { ...a, status: 'pending' })
      await repos.jobs.putRecord(batch, a.jobId, { ...a, status: 'disputed' })
    })
    expect((await repos.jobs.page({ limit: 10, status: 'pending' })).jobIds).toEqual([])
    expect((await repos.jobs.page({ limit: 10, status: 'disputed' })).jobIds).toEqual([a.jobId])
    await store.write(async (batch) => { await repos.jobs.putRecord(batch, a.jobId, a) })
    await store.write(async (batch) => { await repos.jobs.putRecord(batch, a.jobId, a); await repos.jobs.putRecord(batch, b.jobId, b) })
    expect(() => { repos.jobs.put(undefined as never, a.jobId, a) }).toThrow(expect.objectContaining({ code: ERR_STORE_BAD_VALUE }))
    expect(() => { repos.jobs.del(undefined as never, a.jobId) }).toThrow(expect.objectContaining({ code: ERR_STORE_BAD_KEY }))
    await store.write((batch) => { repos.jobs.remove(batch, a.jobId, a) })
    expect((await repos.jobs.page({ limit: 10 })).jobIds).toEqual([b.jobId])
    expect((await repos.jobs.page({ limit: 10, status: a.status })).jobIds).toEqual(a.status === b.status ? [b.jobId] : [])
  })

  it('is built once, at start, for a store written without it', async () => {
    const recs = records(250)
    // Job records as an older version wrote them: the record alone, no index entries.
    await store.write((b) => {
      for (const r of recs) b.put(concatBytes(Uint8Array.of(BUCKETS.jobs), hex32Bytes(r.jobId)), r)
    })
    expect((await repos.jobs.page({ limit: 10 })).jobIds).toEqual([])
    await store.close()
    await open()
    expect(await ensureJobIndex(store)).toBe(250)
    const metaKey = concatBytes(Uint8Array.of(BUCKETS.meta), stringKey.encode(META_JOB_INDEX))
    expect(await store.get(metaKey)).not.toBeNull()
    const byId = new Map(recs.map((r) => [r.jobId, r]))
    expect(await allPages(repos, byId, 40)).toEqual(chunks(sortedLikeBefore(recs), 40))
    expect(await allPages(repos, byId, 40, 'rejected')).toEqual(chunks(sortedLikeBefore(recs, 'rejected'), 40))
    // Recorded: a second start does not index again.
    expect(await ensureJobIndex(store)).toBe(0)
    // An index of an older layout version is built again, with the same pages.
    await store.write((b) => { b.put(metaKey, 1) })
    expect(await ensureJobIndex(store)).toBe(250)
    expect(await allPages(repos, byId, 40, 'rejected')).toEqual(chunks(sortedLikeBefore(recs, 'rejected'), 40))
    // The end markers are not listed.
    expect((await repos.jobs.page({ limit: 1000 })).jobIds).toEqual(sortedLikeBefore(recs))
  })
})
