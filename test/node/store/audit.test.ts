import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { signedBytes, verifyBytes } from '../../../protocol/signing.ts'
import { AuditLog, GENESIS_PREV_HASH, MAX_AUDIT_DATA_BYTES, listAudit } from '../../../node/store/audit.ts'
import { verifyAudit } from '../../../node/store/audit-verify.ts'
import { ERR_STORE_BAD_VALUE } from '../../../node/store/errors.ts'
import { openStore } from '../../../node/store/db.ts'
import {
  ERR_AUDIT_ALREADY_OPEN, ERR_AUDIT_BAD_ENTRY, ERR_STORE_IDENTITY_MISMATCH, ERR_STORE_NO_IDENTITY
} from '../../../node/store/errors.ts'
import { jobsRepository } from '../../../node/store/repositories/jobs.ts'
import { nodeKey, removeTempDirs, tempDir, NETWORK_ID } from './helpers.ts'
import { codeOfAsync as codeOf } from '../../helpers/codes.ts'

afterAll(removeTempDirs)

/** A deterministic clock for the tests: 1 ms per call. */
function counterClock (start = 1_700_000_000_000): () => number {
  let t = start
  return () => t++
}

describe('audit trail', () => {
  it('chains entries appended in several batches, verifies, and resumes after a reopen', async () => {
    const dir = join(tempDir(), 'db')
    const key = nodeKey()
    const clock = counterClock()
    let store = await openStore(dir, { identity: key.identity })
    let audit = await AuditLog.open(store, key.privateKey)
    expect(audit.head).toBeNull()
    expect(await verifyAudit(store)).toEqual({ ok: true, length: 0, head: null })

    const jobs = jobsRepository(store)
    const first = await store.write((b) => audit.append(b, 'job.accepted', { jobId: 'aa'.repeat(32) }, clock()))
    expect(first.seq).toBe(0)
    expect(first.prevHash).toBe(GENESIS_PREV_HASH)
    const batchEntries = await store.write((b) => {
      jobs.put(b, 'aa'.repeat(32), { status: 'in_progress' })
      return [
        audit.append(b, 'vote.own', { jobId: 'aa'.repeat(32), metrics: { ssim: 0.99, psnr: 'Infinity' } }, clock()),
        audit.append(b, 'vote.received', { voter: 'bb'.repeat(32) }, clock()),
        audit.append(b, 'job.finalized', { status: 'validated' }, clock())
      ]
    })
    expect(batchEntries.map((e) => e.seq)).toEqual([1, 2, 3])
    expect(batchEntries[0]!.prevHash).toBe(first.hash)
    expect(batchEntries[2]!.prevHash).toBe(batchEntries[1]!.hash)
    expect(audit.head).toMatchObject({ seq: 3, hash: batchEntries[2]!.hash })
    expect(audit.length).toBe(4)

    // The format is what docs/store.md says, checked with the protocol primitives directly.
    const e = batchEntries[0]!
    expect(e.hash).toBe(sha256Hex(canonicalEncode({ seq: e.seq, prevHash: e.prevHash, time: e.time, kind: e.kind, data: e.data })))
    expect(verifyBytes(key.publicKey, signedBytes('audit', NETWORK_ID, { seq: e.seq, hash: e.hash }), e.signature)).toBe(true)
    expect(verifyBytes(key.publicKey, signedBytes('head', NETWORK_ID, { seq: 3, hash: audit.head!.hash }), audit.head!.signature)).toBe(true)

    await store.close()
    store = await openStore(dir, { identity: key.identity })
    audit = await AuditLog.open(store, key.privateKey)
    expect(audit.head).toMatchObject({ seq: 3, hash: batchEntries[2]!.hash })
    const next = await store.write((b) => audit.append(b, 'reputation.updated', { voters: [] }, clock()))
    expect(next.seq).toBe(4)
    expect(next.prevHash).toBe(batchEntries[2]!.hash)
    const result = await verifyAudit(store)
    expect(result).toEqual({ ok: true, length: 5, head: audit.head })
    const listed = await audit.list(0)
    expect(listed).toEqual([first, ...batchEntries, next])
    expect(await listAudit(store, 2, 2)).toEqual(batchEntries.slice(1, 3))
    expect(await listAudit(store, 5, 10)).toEqual([])
    await store.close()
  })

  it('advances the head only when the batch commits', async () => {
    const key = nodeKey()
    const store = await openStore(join(tempDir(), 'db'), { identity: key.identity })
    const audit = await AuditLog.open(store, key.privateKey)
    const clock = counterClock()
    await store.write((b) => { audit.append(b, 'job.accepted', { n: 0 }, clock()) })
    const headBefore = audit.head
    const jobs = jobsRepository(store)
    expect(await codeOf(store.write((b) => {
      audit.append(b, 'job.accepted', { n: 1 }, clock())
      audit.append(b, 'job.accepted', { n: 2 }, clock())
      jobs.put(b, 'cc'.repeat(32), { bad: Number.POSITIVE_INFINITY }) // ERR_STORE_BAD_VALUE: the batch is dropped
    }))).toBe(ERR_STORE_BAD_VALUE)
    expect(audit.head).toEqual(headBefore)
    const next = await store.write((b) => audit.append(b, 'job.accepted', { n: 3 }, clock()))
    expect(next.seq).toBe(1)
    expect(next.prevHash).toBe(headBefore!.hash)
    expect(await verifyAudit(store)).toMatchObject({ ok: true, length: 2 })
    await store.close()
  })

  it('refuses bad entries, a second writer, a foreign key and a store without identity', async () => {
    const key = nodeKey()
    const dir = join(tempDir(), 'db')
    const store = await openStore(dir, { identity: key.identity })
    const audit = await AuditLog.open(store, key.privateKey)
    expect(await codeOf(AuditLog.open(store, key.privateKey))).toBe(ERR_AUDIT_ALREADY_OPEN)
    const bad: Array<[string, unknown, number]> = [
      ['Job.Accepted', {}, 1],
      ['', {}, 1],
      ['job..accepted', {}, 1],
      ['job.accepted', { x: Number.NaN }, 1],
      ['job.accepted', undefined, 1],
      ['job.accepted', { big: 'x'.repeat(MAX_AUDIT_DATA_BYTES) }, 1],
      ['job.accepted', {}, -1],
      ['job.accepted', {}, 1.5]
    ]
    for (const [kind, data, time] of bad) {
      expect(await codeOf(store.write((b) => { audit.append(b, kind, data, time) }))).toBe(ERR_AUDIT_BAD_ENTRY)
    }
    expect(audit.head).toBeNull()
    const other = await openStore(join(tempDir(), 'db'), { identity: nodeKey().identity })
    expect(await codeOf(store.write((b) => { audit.append(b, 'job.accepted', {}, 1) }))).toBeUndefined()
    expect(await codeOf(other.write((b) => { audit.append(b, 'job.accepted', {}, 1) }))).toBe(ERR_AUDIT_BAD_ENTRY)
    expect(await codeOf(AuditLog.open(other, key.privateKey))).toBe(ERR_STORE_IDENTITY_MISMATCH)
    const anonymous = await openStore(join(tempDir(), 'db'))
    expect(await codeOf(AuditLog.open(anonymous, key.privateKey))).toBe(ERR_STORE_NO_IDENTITY)
    expect(await codeOf(verifyAudit(anonymous))).toBe(ERR_STORE_NO_IDENTITY)
    await Promise.all([store.close(), other.close(), anonymous.close()])
  })

  it('lets only one of two concurrent opens become the writer', async () => {
    const key = nodeKey()
    const store = await openStore(join(tempDir(), 'db'), { identity: key.identity })
    const results = await Promise.allSettled([AuditLog.open(store, key.privateKey), AuditLog.open(store, key.privateKey)])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(results.map((r) => r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok').sort()).toEqual([ERR_AUDIT_ALREADY_OPEN, 'ok'])
    await store.close()
  })

  it('verifies for any split of appends into batches (property)', async () => {
    const key = nodeKey()
    const json = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown)
    let run = 0
    await fc.assert(fc.asyncProperty(fc.array(fc.array(json, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }), async (batches) => {
      const store = await openStore(join(tempDir(), `db-${run++}`), { identity: key.identity })
      try {
        const audit = await AuditLog.open(store, key.privateKey)
        const clock = counterClock()
        const appended = []
        for (const batch of batches) {
          appended.push(...await store.write((b) => batch.map((data) => audit.append(b, 'prop.entry', data, clock()))))
        }
        expect(appended.map((e) => e.seq)).toEqual(appended.map((_, i) => i))
        const result = await verifyAudit(store)
        expect(result).toEqual({ ok: true, length: appended.length, head: audit.head })
        expect((await listAudit(store, 0)).map((e) => e.hash)).toEqual(appended.map((e) => e.hash))
      } finally {
        await store.close()
      }
    }), { numRuns: 15 })
  })
})
