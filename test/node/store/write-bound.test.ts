/**
 * The bound of the store's write queue, on a real LevelDB: while
 * `busyWritesWaiting` writes wait for the one writer, a write asked with
 * `refuseWhenBusy` (an API client's) is refused with `ERR_STORE_BUSY`
 * (503) before it is queued, with nothing written, while the node's own
 * writes still queue and commit; an upload refused so leaves no record, no
 * file and no quota charged; an economy schedule refused stores nothing, and
 * a cancellation refused leaves its schedule waiting.
 */
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { EconomyOffline } from '../../../node/economy/economy-offline.ts'
import { resolveEconomyNodeOptions } from '../../../node/economy/options.ts'
import { ManualClock } from '../../../node/optimizer/economy/clock.ts'
import { AuditLog } from '../../../node/store/audit.ts'
import { codeDeclaration } from '../../../protocol/errors.ts'
import { BlobDir } from '../../../node/p2p/index.ts'
import { BlobKeeper } from '../../../node/store/blob-keeper.ts'
import { openStore, type Store } from '../../../node/store/db.ts'
import { ERR_STORE_BAD_VALUE, ERR_STORE_BUSY } from '../../../node/store/errors.ts'
import { blobUploadsRepository, metaRepository } from '../../../node/store/repositories/index.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { nodeKey, removeTempDirs, tempDir } from './helpers.ts'

const stores: Store[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {})
  removeTempDirs()
})

const identity = nodeKey().identity

async function open (root: string, busyWritesWaiting: number): Promise<Store> {
  const store = await openStore(join(root, 'db'), { identity, busyWritesWaiting })
  stores.push(store)
  return store
}

/** Queues a write that holds the writer until `release` is called. */
function holdWriter (store: Store): { release: () => void, done: Promise<void> } {
  let release = (): void => {}
  const held = new Promise<void>((resolve) => { release = resolve })
  return { release, done: store.write(async () => { await held }) }
}

describe('the store write queue\'s bound', () => {
  it('refuses a client\'s write with ERR_STORE_BUSY while busyWritesWaiting writes wait, and never the node\'s own', async () => {
    const store = await open(tempDir(), 2)
    const meta = metaRepository(store)
    const writer = holdWriter(store)
    const own = [store.write((batch) => { meta.put(batch, 'own-1', 1) })]
    expect(store.writesWaiting).toBe(2)
    let ran = false
    const refused = await store.write((batch) => { ran = true; meta.put(batch, 'client', 1) }, { refuseWhenBusy: true }).catch((err: unknown) => err)
    expect(refused).toMatchObject({ code: ERR_STORE_BUSY })
    expect(codeDeclaration(ERR_STORE_BUSY).status).toBe(503)
    expect(ran).toBe(false)
    expect(() => { store.refuseIfBusy() }).toThrow(expect.objectContaining({ code: ERR_STORE_BUSY }))
    // The node's own writes are queued beyond the bound.
    own.push(store.write((batch) => { meta.put(batch, 'own-2', 2) }, { sync: true }))
    expect(store.writesWaiting).toBe(3)
    writer.release()
    await writer.done
    await Promise.all(own)
    expect(await meta.get('own-1')).toBe(1)
    expect(await meta.get('own-2')).toBe(2)
    expect(await meta.get('client')).toBeNull()
    // Once the queue is under the bound again, the client's write goes through.
    expect(store.writesWaiting).toBe(0)
    store.refuseIfBusy()
    await store.write((batch) => { meta.put(batch, 'client', 3) }, { refuseWhenBusy: true })
    expect(await meta.get('client')).toBe(3)
  })

  it('leaves no record, no file and no quota charged when an upload\'s record is refused', async () => {
    const root = tempDir()
    const store = await open(root, 1)
    const dir = new BlobDir(root)
    const keeper = await BlobKeeper.open({ dir, store })
    const bytes = new Uint8Array(1000).fill(7)
    const sha = sha256Hex(bytes)
    const writer = holdWriter(store)
    await expect(keeper.upload(bytes, 'client-a')).rejects.toMatchObject({ code: ERR_STORE_BUSY })
    expect(keeper.pendingBytesOf('client-a')).toBe(0)
    writer.release()
    await writer.done
    expect(await dir.has(sha)).toBe(false)
    expect(await blobUploadsRepository(store).get(sha)).toBeNull()
    // The same upload once the writer is free again.
    expect(await keeper.upload(bytes, 'client-a')).toBe(sha)
    expect(keeper.pendingBytesOf('client-a')).toBe(1000)
    expect(await dir.has(sha)).toBe(true)
  })

  it('refuses a bound under 1 with ERR_STORE_BAD_VALUE', async () => {
    await expect(openStore(join(tempDir(), 'db'), { identity, busyWritesWaiting: 0 })).rejects.toMatchObject({ code: ERR_STORE_BAD_VALUE })
  })
})

describe('economy schedules and cancellations when the store is busy', () => {
  it('refuse a schedule and a cancellation with ERR_STORE_BUSY, storing nothing and keeping the schedule waiting', async () => {
    const key = nodeKey()
    const store = await openStore(join(tempDir(), 'db'), { identity: key.identity, busyWritesWaiting: 1 })
    stores.push(store)
    const audit = await AuditLog.open(store, key.privateKey)
    const reference = 'e'.repeat(64)
    const economy = new EconomyOffline({
      store,
      audit,
      clock: new ManualClock(Date.parse('2026-01-07T10:00:00Z')),
      logger: pino({ level: 'silent' }),
      check: async () => {},
      readBlob: async () => new Uint8Array(16),
      estimateSeconds: async () => 3600,
      submit: async () => { throw new Error('no slot comes in this test') }
    }, resolveEconomyNodeOptions())
    const request = { kind: 'scene' as const, reference: [reference], candidate: [], profile: 'economy' }
    const writer = holdWriter(store)
    await expect(economy.schedule(request)).rejects.toMatchObject({ code: ERR_STORE_BUSY })
    writer.release()
    await writer.done
    expect(economy.waiting).toBe(0)
    expect(await economy.list(10)).toEqual([])
    const view = await economy.schedule(request)
    expect(economy.waiting).toBe(1)
    const again = holdWriter(store)
    await expect(economy.cancel(view.scheduleId)).rejects.toMatchObject({ code: ERR_STORE_BUSY })
    expect(economy.waiting).toBe(1)
    again.release()
    await again.done
    expect(await economy.get(view.scheduleId)).toMatchObject({ status: 'scheduled' })
    expect(await economy.cancel(view.scheduleId)).toMatchObject({ status: 'cancelled' })
    expect(economy.waiting).toBe(0)
    await economy.stop()
  })
})
