/**
 * The fetch quota's accounting (node/store/fetch-quota.ts): blobs fetched
 * from peers are charged to the job's submitter, at most its share; a
 * deleted blob gives its bytes back; the charges are rebuilt from the kept
 * jobs' blob references at open, so a restart gives no submitter a fresh
 * share.
 */
import { describe, expect, it } from 'vitest'
import { isTrustEngineError } from '../../../protocol/errors.ts'
import { BUCKETS } from '../../../node/store/buckets.ts'
import { ERR_BLOB_SUBMITTER_QUOTA, FetchQuota, UPLOAD_RESERVE_FRACTION, fetchShareOf } from '../../../node/store/fetch-quota.ts'
import { blobRefStoreKey } from '../../../node/store/repositories/retention.ts'

const A = 'aa'.repeat(32)
const B = 'bb'.repeat(32)
const OWN = 'ee'.repeat(32)
const sha = (n: number): string => n.toString(16).padStart(64, '0')

function codeOf (f: () => unknown): string | null {
  try {
    f()
    return null
  } catch (err) {
    return isTrustEngineError(err) ? err.code : String(err)
  }
}

describe('fetchShareOf', () => {
  it('divides the folder but the upload reserve equally among the validators', () => {
    expect(UPLOAD_RESERVE_FRACTION).toBe(0.25)
    expect(fetchShareOf(32 * 2 ** 30, 4)).toBe(6 * 2 ** 30)
    expect(fetchShareOf(6 * 2 ** 20, 2)).toBe(Math.floor(2.25 * 2 ** 20))
    expect(fetchShareOf(1000, 0)).toBe(750)
  })

  it('leaves room for uploads however many validators fill their shares', () => {
    for (const n of [1, 2, 3, 7, 100]) expect(fetchShareOf(1_000_000, n) * n).toBeLessThanOrEqual(750_000)
  })
})

describe('FetchQuota', () => {
  it('refuses a submitter\'s fetch beyond its share and leaves the others theirs', () => {
    const q = new FetchQuota(300)
    q.reserve(A, sha(1), 100).commit(100)
    q.reserve(A, sha(2), 100).commit(100)
    const third = q.reserve(A, sha(3), 100)
    // Held while being fetched: counted before the bytes are in.
    expect(q.heldBy(A)).toBe(300)
    expect(codeOf(() => q.reserve(A, sha(4), 1))).toBe(ERR_BLOB_SUBMITTER_QUOTA)
    expect(codeOf(() => { q.check(A) })).toBe(ERR_BLOB_SUBMITTER_QUOTA)
    third.commit(100)
    expect(q.totalBytes).toBe(300)
    // Another submitter is untouched.
    expect(codeOf(() => { q.check(B) })).toBeNull()
    q.reserve(B, sha(5), 300).commit(300)
    expect(q.heldBy(B)).toBe(300)
    expect(q.chargedTo(sha(5))).toBe(B)
  })

  it('gives back a failed fetch\'s reservation, once', () => {
    const q = new FetchQuota(100)
    const r = q.reserve(A, sha(1), 100)
    r.release()
    r.release()
    r.commit(100)
    expect(q.heldBy(A)).toBe(0)
    expect(q.totalBytes).toBe(0)
    expect(codeOf(() => q.reserve(A, sha(2), 100))).toBeNull()
  })

  it('charges what was stored, not what the peer declared', () => {
    const q = new FetchQuota(1000)
    q.reserve(A, sha(1), 500).commit(10)
    expect(q.heldBy(A)).toBe(10)
  })

  it('charges a blob once, to the first submitter it was fetched for', () => {
    const q = new FetchQuota(1000)
    const a = q.reserve(A, sha(1), 100)
    const b = q.reserve(B, sha(1), 100)
    a.commit(100)
    b.commit(100)
    expect(q.heldBy(A)).toBe(100)
    expect(q.heldBy(B)).toBe(0)
    expect(q.totalBytes).toBe(100)
  })

  it('frees a submitter\'s bytes when its blob leaves the folder', () => {
    const q = new FetchQuota(100)
    const seen: number[] = []
    q.watch((bytes) => { seen.push(bytes) })
    q.reserve(A, sha(1), 100).commit(100)
    expect(codeOf(() => { q.check(A) })).toBe(ERR_BLOB_SUBMITTER_QUOTA)
    q.released(sha(1))
    q.released(sha(1))
    q.released(sha(9))
    expect(q.heldBy(A)).toBe(0)
    expect(codeOf(() => { q.check(A) })).toBeNull()
    expect(seen).toEqual([0, 100, 0])
  })

  it('rebuilds the charges from the kept jobs\' blob references, but the node\'s own jobs\'', async () => {
    const jobs = new Map([[sha(101), A], [sha(102), A], [sha(103), B], [sha(104), OWN], [sha(100), B]])
    const sizes = new Map([[sha(1), 100], [sha(2), 50], [sha(3), 70], [sha(4), 999]])
    // sha(1) named by two of A's jobs (charged once); sha(3) by B's; sha(4) by B's job 100 and the node's own job 104 (an
    // upload here: charged to nobody); sha(5) gone from the folder; job 105 unknown.
    const refs: Array<[string, string]> = [[sha(1), sha(101)], [sha(1), sha(102)], [sha(2), sha(102)], [sha(3), sha(103)], [sha(4), sha(100)], [sha(4), sha(104)], [sha(5), sha(101)], [sha(2), sha(105)]]
    const keys = refs.map(([s, j]) => blobRefStoreKey({ sha256: s, jobId: j })).sort((x, y) => Buffer.compare(x, y))
    const store = {
      iterate: async function * (range: { gte?: Uint8Array, lt?: Uint8Array }) {
        expect(range.gte).toEqual(Uint8Array.of(BUCKETS.blobRefs))
        for (const k of keys) yield [k, new Uint8Array()] as [Uint8Array, Uint8Array]
      }
    } as unknown as Parameters<typeof FetchQuota.open>[1]['store']
    const q = await FetchQuota.open(1000, {
      store,
      submitterOf: async (jobId) => jobs.get(jobId) ?? null,
      sizeOf: async (s) => sizes.get(s) ?? null,
      ownKey: OWN
    })
    expect(q.heldBy(A)).toBe(150)
    expect(q.heldBy(B)).toBe(70)
    expect(q.heldBy(OWN)).toBe(0)
    expect(q.totalBytes).toBe(220)
    expect(q.chargedTo(sha(4))).toBeNull()
  })
})
