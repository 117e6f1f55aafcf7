/**
 * Jobs list paging: one page of `GET /v1/jobs` as the node reads it (a
 * bounded reverse scan of the job index, then the page's job records), at
 * 1,000 stored jobs beside the same at 100,000. The ratio is about 1 when a
 * page costs the same however many jobs the store holds. A third figure is
 * the listing as it was before the index (read every record, sort, slice)
 * at 100,000 jobs, beside the indexed page at the same size.
 *
 * Job records have the shape and about the size of real ones (a job
 * announcement with ids, thresholds and timings) and are written as the node
 * writes them: pending first, then decided in a later batch (validated,
 * rejected, disputed in turn), the newest 50 left pending. The pending page
 * index's pending range thus holds a delete for every decided job until
 * LevelDB compacts it away; the end markers of the index keep a page's seek
 * from stepping over them. Temporary folders are
 * removed afterwards. `BENCH_LISTING_JOBS` raises the large size (e.g.
 * 1000000, which takes minutes to write).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openStore, type Store } from '../../node/store/db.ts'
import { createRepositories, ensureJobIndex, INDEXED_JOB_STATUSES, type Repositories } from '../../node/store/repositories/index.ts'
import { measureRate, median, result, type BenchResult, type BenchSuite } from './types.ts'

/** Jobs per page (the API's default `limit`). */
const PAGE = 50
const SMALL = 1000
const LARGE = Number(process.env.BENCH_LISTING_JOBS ?? 100_000)
const CREATED = 1_790_000_000_000

function hex32 (i: number, salt: number): string {
  return (i.toString(16).padStart(8, '0') + salt.toString(16).padStart(8, '0')).repeat(4)
}

/** A stored job record of about the size of a real one. */
function record (i: number): Record<string, unknown> {
  const jobId = hex32(Math.imul(i + 1, 0x9e3779b1) >>> 0, i)
  return {
    jobId,
    status: INDEXED_JOB_STATUSES[1 + (i % 3)],
    reason: 'quorum',
    receivedAt: CREATED + i * 10 + 3,
    job: {
      kind: 'frames', createdAt: CREATED + i * 10, deadline: CREATED + i * 10 + 60_000, submitter: hex32(7, 7),
      reference: hex32(i, 1), candidate: hex32(i, 2), thresholds: { ssim: 0.95, psnr: 35 }, signature: 'ab'.repeat(64)
    },
    values: { ssim: 0.987654, psnr: 41.25 },
    byzantine: [],
    equivocators: []
  }
}

async function filled (dir: string, n: number): Promise<{ store: Store, repos: Repositories }> {
  const store = await openStore(join(dir, `jobs-${n}`))
  await ensureJobIndex(store)
  const repos = createRepositories(store)
  for (let from = 0; from < n; from += 1000) {
    const to = Math.min(n, from + 1000)
    // As the node writes them: accepted (pending), then decided in a later batch; the newest PAGE stay pending.
    await store.write(async (batch) => {
      for (let i = from; i < to; i++) {
        const r = record(i)
        await repos.jobs.putRecord(batch, r.jobId as string, { ...r, status: 'pending' })
      }
    })
    await store.write(async (batch) => {
      for (let i = from; i < Math.min(to, n - PAGE); i++) {
        const r = record(i)
        await repos.jobs.putRecord(batch, r.jobId as string, r)
      }
    })
  }
  return { store, repos }
}

/** One page as the jobs list reads it: index ids, then each record. */
async function page (repos: Repositories, status?: (typeof INDEXED_JOB_STATUSES)[number]): Promise<number> {
  const { jobIds } = await repos.jobs.page({ limit: PAGE, ...(status === undefined ? {} : { status }) })
  let n = 0
  for (const id of jobIds) if (await repos.jobs.get(id) !== null) n++
  if (n !== PAGE) throw new Error(`page of ${n} jobs, expected ${PAGE}`)
  return n
}

/** Pages read per call of {@link pages}. */
const PAGES_PER_RUN = 20

/** {@link PAGES_PER_RUN} pages. */
async function pages (repos: Repositories, status?: (typeof INDEXED_JOB_STATUSES)[number]): Promise<void> {
  for (let i = 0; i < PAGES_PER_RUN; i++) await page(repos, status)
}

/**
 * Median rates (pages/s) of `a` and `b`, timed alternately, one run of each
 * per repetition after a warm-up of each: LevelDB compacts in the background
 * after the stores are filled, and alternating gives both the same share of it.
 */
async function pairedRates (a: () => Promise<void>, b: () => Promise<void>, repetitions = 9): Promise<{ a: number, b: number }> {
  await a()
  await b()
  const ra: number[] = []
  const rb: number[] = []
  const time = async (fn: () => Promise<void>): Promise<number> => {
    const t0 = process.hrtime.bigint()
    await fn()
    return PAGES_PER_RUN / (Number(process.hrtime.bigint() - t0) / 1e9)
  }
  for (let i = 0; i < repetitions; i++) {
    ra.push(await time(a))
    rb.push(await time(b))
  }
  return { a: median(ra), b: median(rb) }
}

/** The listing before the index: every record read and sorted, then the page sliced. */
async function sortedScan (repos: Repositories): Promise<number> {
  const all: Array<Record<string, any>> = []
  for await (const { value } of repos.jobs.entries()) all.push(value)
  all.sort((a, b) => b.job.createdAt - a.job.createdAt || (a.jobId < b.jobId ? -1 : 1))
  return all.slice(0, PAGE).length
}

/** The listing suite. */
export const listingSuite: BenchSuite = {
  name: 'listing',
  run: async (): Promise<BenchResult[]> => {
    const dir = mkdtempSync(join(tmpdir(), 'trust-engine-bench-listing-'))
    const opened: Store[] = []
    try {
      const small = await filled(dir, SMALL)
      opened.push(small.store)
      const large = await filled(dir, LARGE)
      opened.push(large.store)
      const rejected = await pairedRates(async () => await pages(small.repos, 'rejected'), async () => await pages(large.repos, 'rejected'))
      const pending = await pairedRates(async () => await pages(small.repos, 'pending'), async () => await pages(large.repos, 'pending'))
      const all = await pairedRates(async () => await pages(small.repos), async () => await pages(large.repos))
      const scan = await measureRate(1, async () => await sortedScan(large.repos), 3)
      return [
        result(`jobs page of ${PAGE} at ${LARGE} jobs`, all.b, 'pages/s', `same at ${SMALL} jobs`, all.a),
        result(`rejected page of ${PAGE} at ${LARGE} jobs`, rejected.b, 'pages/s', `same at ${SMALL} jobs`, rejected.a),
        result(`pending page of ${PAGE} at ${LARGE} jobs`, pending.b, 'pages/s', `same at ${SMALL} jobs`, pending.a),
        result(`read-all-and-sort page at ${LARGE} jobs`, scan, 'pages/s', `indexed page at ${LARGE} jobs`, all.b)
      ]
    } finally {
      for (const s of opened) await s.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
