/**
 * The blob keeper on real files and a real LevelDB: the per-uploader quota of
 * uploads no job names, their clean-up after the grace period (time moved by
 * an injected clock, never waited for), blobs of jobs and schedules kept,
 * the node's quota given back, and everything read again after a restart.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { BlobDir, ERR_BLOB_QUOTA } from '../../../node/p2p/index.ts'
import { BlobKeeper, ERR_BLOB_KEEPER_OPTIONS, ERR_BLOB_UPLOADER_QUOTA } from '../../../node/store/blob-keeper.ts'
import { openStore, type Store } from '../../../node/store/db.ts'
import { blobUploadsRepository, jobsRepository, schedulesRepository } from '../../../node/store/repositories/index.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { nodeKey, removeTempDirs, tempDir } from './helpers.ts'

const stores: Store[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {})
  removeTempDirs()
})

const identity = nodeKey().identity
const blob = (size: number, fill: number): Uint8Array => new Uint8Array(size).fill(fill)

/** A data folder with its store, blob folder and keeper; `now` is the keeper's clock. */
async function open (root: string, options: { maxTotalBytes?: number, maxPendingBytesPerUploader?: number, uploadGraceMs?: number } = {}, clock = { now: 1_000_000 }): Promise<{ store: Store, dir: BlobDir, keeper: BlobKeeper, clock: { now: number } }> {
  const store = await openStore(join(root, 'db'), { identity })
  stores.push(store)
  const dir = new BlobDir(root, options.maxTotalBytes === undefined ? {} : { maxTotalBytes: options.maxTotalBytes })
  const { maxTotalBytes: _t, ...keeperOptions } = options
  const keeper = await BlobKeeper.open({ dir, store, options: keeperOptions, now: () => clock.now })
  return { store, dir, keeper, clock }
}

describe('blob keeper', () => {
  it('refuses an upload over its uploader\'s quota of blobs no job names, per uploader, and frees the quota when a job names them', async () => {
    const root = tempDir()
    const { keeper } = await open(root, { maxPendingBytesPerUploader: 2500 })
    const a1 = await keeper.upload(blob(1000, 1), '127.0.0.1')
    await keeper.upload(blob(1000, 2), '127.0.0.1')
    // The same bytes again cost nothing.
    await keeper.upload(blob(1000, 1), '127.0.0.1')
    await expect(keeper.upload(blob(1000, 3), '127.0.0.1')).rejects.toMatchObject({ code: ERR_BLOB_UPLOADER_QUOTA, details: { used: 2000, limit: 2500 } })
    // Another uploader has its own quota.
    await keeper.upload(blob(1000, 3), '10.0.0.2')
    expect(keeper.pendingBytesOf('127.0.0.1')).toBe(2000)
    expect(keeper.pendingBytesOf('10.0.0.2')).toBe(1000)
    // Bytes another uploader already stored cost nothing either.
    await keeper.upload(blob(1000, 3), '127.0.0.1')
    expect(keeper.pendingBytesOf('127.0.0.1')).toBe(2000)
    await keeper.referenced([a1])
    expect(keeper.pendingBytesOf('127.0.0.1')).toBe(1000)
    await keeper.upload(blob(1000, 4), '127.0.0.1')
    expect(keeper.pendingBytesOf('127.0.0.1')).toBe(2000)
  })

  it('counts concurrent uploads of one uploader together', async () => {
    const { keeper } = await open(tempDir(), { maxPendingBytesPerUploader: 2500 })
    const results = await Promise.allSettled([1, 2, 3, 4].map(async (i) => await keeper.upload(blob(1000, i), 'x')))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2)
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual([ERR_BLOB_UPLOADER_QUOTA, ERR_BLOB_UPLOADER_QUOTA])
    expect(keeper.pendingBytesOf('x')).toBe(2000)
  })

  it('deletes uploads no job named within the grace period, files and records, and gives their bytes back to the node quota', async () => {
    const root = tempDir()
    const { keeper, dir, store, clock } = await open(root, { maxTotalBytes: 2500, uploadGraceMs: 1000 })
    const orphan = await keeper.upload(blob(1000, 1), 'a')
    const named = await keeper.upload(blob(1000, 2), 'a')
    await keeper.referenced([named])
    // The node quota is full: 2000 of 2500.
    await expect(keeper.upload(blob(1000, 3), 'b')).rejects.toMatchObject({ code: ERR_BLOB_QUOTA })
    expect(keeper.pendingBytesOf('b')).toBe(0)
    clock.now += 999
    expect(await keeper.sweep()).toEqual({ deleted: 0, bytes: 0 })
    clock.now += 1
    expect(await keeper.sweep()).toEqual({ deleted: 1, bytes: 1000 })
    expect(existsSync(dir.pathOf(orphan))).toBe(false)
    expect(await blobUploadsRepository(store).get(orphan)).toBeNull()
    expect(await dir.has(orphan)).toBe(false)
    expect(await dir.has(named)).toBe(true)
    expect(await dir.usedBytes()).toBe(1000)
    expect(keeper.pendingBytesOf('a')).toBe(0)
    // The freed bytes are available again.
    await keeper.upload(blob(1000, 3), 'b')
    // A blob of a job is never deleted, however late.
    clock.now += 100 * 365 * 24 * 3600 * 1000
    await keeper.sweep()
    expect(await dir.has(named)).toBe(true)
  })

  it('keeps a pending upload while it is used (checked, read or streamed) and deletes it a grace period after its last use', async () => {
    const { keeper, dir, clock } = await open(tempDir(), { uploadGraceMs: 1000 })
    const sha = await keeper.upload(blob(500, 9), 'a')
    clock.now += 900
    expect((await dir.get(sha))?.byteLength).toBe(500)
    clock.now += 900
    expect((await keeper.sweep()).deleted).toBe(0)
    clock.now += 100
    expect((await keeper.sweep()).deleted).toBe(1)
    expect(await dir.get(sha)).toBeNull()
    // Uploaded again after its deletion: stored and pending again.
    expect(await keeper.upload(blob(500, 9), 'a')).toBe(sha)
    expect(keeper.isPending(sha)).toBe(true)
    expect(await dir.has(sha)).toBe(true)
  })

  it('after a restart, still counts pending uploads and drops those a stored job or schedule names', async () => {
    const root = tempDir()
    const clock = { now: 5_000_000 }
    let { keeper, store } = await open(root, { uploadGraceMs: 1000 }, clock)
    const forJob = await keeper.upload(blob(700, 1), 'a')
    const forSchedule = await keeper.upload(blob(800, 2), 'a')
    const orphan = await keeper.upload(blob(900, 3), 'a')
    // A job accepted and a schedule stored, then a crash before their blobs were recorded as named.
    await store.write((batch) => {
      jobsRepository(store).put(batch, 'ab'.repeat(32), { jobId: 'ab'.repeat(32), job: { kind: 'frames', reference: [forJob], candidate: [forJob] } })
      schedulesRepository(store).put(batch, '0'.repeat(16) + '1'.repeat(16), { request: { kind: 'scene', reference: [forSchedule], candidate: [] } })
    })
    await keeper.stop()
    await store.close()
    ;({ keeper, store } = await open(root, { uploadGraceMs: 1000 }, clock))
    expect(keeper.isPending(forJob)).toBe(false)
    expect(keeper.isPending(forSchedule)).toBe(false)
    expect(keeper.isPending(orphan)).toBe(true)
    expect(keeper.pendingBytesOf('a')).toBe(900)
    clock.now += 1000
    expect(await keeper.sweep()).toEqual({ deleted: 1, bytes: 900 })
    const dir = new BlobDir(root)
    expect([await dir.has(forJob), await dir.has(forSchedule), await dir.has(orphan)]).toEqual([true, true, false])
    expect(sha256Hex(blob(700, 1))).toBe(forJob)
  })

  it('reports the pending bytes after every change and the uploads each sweep deleted', async () => {
    const root = tempDir()
    const store = await openStore(join(root, 'db'), { identity })
    stores.push(store)
    const clock = { now: 0 }
    const seen = { pending: [] as number[], deleted: 0 }
    const keeper = await BlobKeeper.open({ dir: new BlobDir(root), store, options: { uploadGraceMs: 10 }, now: () => clock.now, metrics: { pendingBytes: (b) => { seen.pending.push(b) }, deleted: (n) => { seen.deleted += n } } })
    const a = await keeper.upload(blob(300, 1), 'x')
    await keeper.upload(blob(200, 2), 'y')
    await keeper.referenced([a])
    clock.now += 10
    await keeper.sweep()
    expect(seen).toEqual({ pending: [300, 500, 200, 0], deleted: 1 })
    expect(keeper.pendingBytes).toBe(0)
  })

  it('refuses bad options with a typed error', async () => {
    const root = tempDir()
    const store = await openStore(join(root, 'db'), { identity: nodeKey().identity })
    stores.push(store)
    await expect(BlobKeeper.open({ dir: new BlobDir(root), store, options: { uploadGraceMs: -1 } })).rejects.toMatchObject({ code: ERR_BLOB_KEEPER_OPTIONS })
  })
})
