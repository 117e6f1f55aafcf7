import { join } from 'node:path'
import { Level } from 'level'
import { afterAll, describe, expect, it } from 'vitest'
import { BUCKETS, RETIRED_BUCKETS } from '../../../node/store/buckets.ts'
import { openStore } from '../../../node/store/db.ts'
import {
  ERR_STORE_BAD_VALUE, ERR_STORE_BATCH_CLOSED, ERR_STORE_CLOSED, ERR_STORE_CORRUPT, ERR_STORE_IDENTITY_MISMATCH,
  ERR_STORE_LOCKED, ERR_STORE_MISSING
} from '../../../node/store/errors.ts'
import { jobsRepository } from '../../../node/store/repositories/jobs.ts'
import { metaRepository } from '../../../node/store/repositories/meta.ts'
import type { WriteBatch } from '../../../node/store/write-batch.ts'
import { nodeKey, removeTempDirs, tempDir } from './helpers.ts'
import { codeOfAsync as codeOf } from '../../helpers/codes.ts'

afterAll(removeTempDirs)

const JOB_A = 'a'.repeat(64)
const JOB_B = 'b'.repeat(64)

describe('buckets', () => {
  it('gives every kind its own number, none of them retired', () => {
    const numbers = Object.values(BUCKETS)
    expect(new Set(numbers).size).toBe(numbers.length)
    for (const n of numbers) {
      expect(Number.isInteger(n) && n > 0 && n < 256).toBe(true)
      expect(RETIRED_BUCKETS).not.toContain(n)
    }
  })
})

describe('openStore', () => {
  it('gives back after a reopen exactly what was written', async () => {
    const dir = join(tempDir(), 'db')
    const record = { status: 'validated', values: { ssim: 0.987654321, psnr: 41.25 }, tags: ['a', 'b'], nested: { z: 1, a: [null, true] } }
    let store = await openStore(dir)
    const jobs = jobsRepository(store)
    await store.write((batch) => {
      jobs.put(batch, JOB_A, record)
      jobs.put(batch, JOB_B, { status: 'pending' })
    })
    await store.close()
    store = await openStore(dir)
    expect(await jobsRepository(store).get(JOB_A)).toEqual(record)
    expect(await jobsRepository(store).get(JOB_B)).toEqual({ status: 'pending' })
    expect(await jobsRepository(store).get('c'.repeat(64))).toBeNull()
    await store.close()
  })

  it('records the identity at first open and refuses another one later', async () => {
    const dir = join(tempDir(), 'db')
    const key = nodeKey()
    let store = await openStore(dir, { identity: key.identity })
    expect(store.identity).toEqual(key.identity)
    await store.close()
    store = await openStore(dir)
    expect(store.identity).toEqual(key.identity)
    expect(await metaRepository(store).get('identity')).toEqual(key.identity)
    await store.close()
    expect(await codeOf(openStore(dir, { identity: nodeKey().identity }))).toBe(ERR_STORE_IDENTITY_MISMATCH)
    expect(await codeOf(openStore(dir, { identity: { ...key.identity, networkId: 'other-net' } }))).toBe(ERR_STORE_IDENTITY_MISMATCH)
    // The refused opens released the lock and changed nothing.
    store = await openStore(dir, { identity: key.identity })
    expect(store.identity).toEqual(key.identity)
    await store.close()
  })

  it('fails with ERR_STORE_LOCKED while the folder is open, and ERR_STORE_MISSING where there is no database', async () => {
    const dir = join(tempDir(), 'db')
    const store = await openStore(dir)
    expect(await codeOf(openStore(dir))).toBe(ERR_STORE_LOCKED)
    await store.close()
    await store.close() // idempotent
    expect(await codeOf(openStore(join(tempDir(), 'nothing-here'), { createIfMissing: false }))).toBe(ERR_STORE_MISSING)
  })

  it('refuses reads and writes after close with ERR_STORE_CLOSED', async () => {
    const store = await openStore(join(tempDir(), 'db'))
    await store.close()
    expect(await codeOf(store.write(() => {}))).toBe(ERR_STORE_CLOSED)
    expect(await codeOf(store.get(Uint8Array.of(1)))).toBe(ERR_STORE_CLOSED)
  })

  it('lets writes queued before close finish', async () => {
    const dir = join(tempDir(), 'db')
    const store = await openStore(dir)
    const jobs = jobsRepository(store)
    const pending = [store.write((b) => { jobs.put(b, JOB_A, { n: 1 }) }), store.write((b) => { jobs.put(b, JOB_B, { n: 2 }) })]
    await store.close()
    await Promise.all(pending)
    const again = await openStore(dir)
    expect((await jobsRepository(again).list()).map((e) => e.value)).toEqual([{ n: 1 }, { n: 2 }])
    await again.close()
  })
})

describe('Store.write', () => {
  it('writes nothing of a batch whose function throws after adding operations', async () => {
    const dir = join(tempDir(), 'db')
    const store = await openStore(dir)
    const jobs = jobsRepository(store)
    const err = await codeOf(store.write((batch) => {
      jobs.put(batch, JOB_A, { ok: true })
      jobs.put(batch, JOB_B, { bad: Number.NaN }) // no canonical encoding: this operation fails
    }))
    expect(err).toBe(ERR_STORE_BAD_VALUE)
    expect(await jobs.get(JOB_A)).toBeNull()
    expect(await jobs.get(JOB_B)).toBeNull()
    await store.close()
    const again = await openStore(dir)
    expect(await jobsRepository(again).list()).toEqual([])
    await again.close()
  })

  it('refuses values above maxValueBytes', async () => {
    const store = await openStore(join(tempDir(), 'db'), { maxValueBytes: 1000 })
    const jobs = jobsRepository(store)
    expect(await codeOf(store.write((b) => { jobs.put(b, JOB_A, { s: 'x'.repeat(1000) }) }))).toBe(ERR_STORE_BAD_VALUE)
    await store.write((b) => { jobs.put(b, JOB_A, { s: 'x'.repeat(900) }) })
    expect(await jobs.get(JOB_A)).toEqual({ s: 'x'.repeat(900) })
    await store.close()
  })

  it('runs writers one at a time, so read-then-write sequences do not interleave', async () => {
    const store = await openStore(join(tempDir(), 'db'))
    const meta = metaRepository(store)
    const increments = Array.from({ length: 50 }, () => store.write(async (batch) => {
      const n = (await meta.get('counter') ?? 0) as number
      await new Promise((resolve) => setImmediate(resolve)) // give other writers every chance to interleave
      meta.put(batch, 'counter', n + 1)
    }))
    await Promise.all(increments)
    expect(await meta.get('counter')).toBe(50)
    await store.close()
  })

  it('counts the writes queued or running (writesWaiting), failed ones included, back to 0 once they settle', async () => {
    const store = await openStore(join(tempDir(), 'db'))
    let release = (): void => {}
    const held = new Promise<void>((resolve) => { release = resolve })
    const first = store.write(async () => { await held })
    const queued = [store.write(() => {}), store.write(() => { throw new Error('refused') }).catch(() => 'failed')]
    expect(store.writesWaiting).toBe(3)
    release()
    await first
    expect(await Promise.all(queued)).toEqual([undefined, 'failed'])
    expect(store.writesWaiting).toBe(0)
    await store.close()
  })

  it('closes a batch once committed', async () => {
    const store = await openStore(join(tempDir(), 'db'))
    let kept: WriteBatch | undefined
    await store.write((batch) => { kept = batch })
    expect(await codeOf(() => kept!.put(Uint8Array.of(BUCKETS.meta, 1), 1))).toBe(ERR_STORE_BATCH_CLOSED)
    await store.close()
  })
})

describe('reading corrupted bytes', () => {
  it('gives ERR_STORE_CORRUPT for a value that is not JSON or does not match the schema', async () => {
    const dir = join(tempDir(), 'db')
    await (await openStore(dir)).close()
    const raw = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' })
    await raw.put(Uint8Array.from([BUCKETS.jobs, ...Buffer.from(JOB_A, 'hex')]), Buffer.from('{"truncated'))
    await raw.put(Uint8Array.from([BUCKETS.jobs, ...Buffer.from(JOB_B, 'hex')]), Buffer.from('[1,2,3]'))
    await raw.put(Uint8Array.from([BUCKETS.jobs, 1, 2, 3]), Buffer.from('{}'))
    await raw.close()
    const store = await openStore(dir)
    const jobs = jobsRepository(store)
    expect(await codeOf(jobs.get(JOB_A))).toBe(ERR_STORE_CORRUPT)
    expect(await codeOf(jobs.get(JOB_B))).toBe(ERR_STORE_CORRUPT)
    expect(await codeOf(jobs.list())).toBe(ERR_STORE_CORRUPT) // the 3-byte key is not a job id
    await store.close()
  })
})
