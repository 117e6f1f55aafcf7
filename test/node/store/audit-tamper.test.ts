/**
 * Tampering with a stored audit trail directly in LevelDB (as someone with
 * access to the data folder would), then checking that verification names
 * the kind of tampering and the first bad entry.
 */
import { join } from 'node:path'
import { Level } from 'level'
import { afterAll, describe, expect, it } from 'vitest'
import { generateKeyPair, signBytes, signMessage } from '../../../protocol/signing.ts'
import { AUDIT_HEAD_KEY, AuditLog, auditEntryHash, auditKey, auditSignedBytes, listAudit, type AuditEntry } from '../../../node/store/audit.ts'
import { verifyAudit } from '../../../node/store/audit-verify.ts'
import { openStore } from '../../../node/store/db.ts'
import {
  ERR_AUDIT_GAP, ERR_AUDIT_HASH, ERR_AUDIT_HEAD, ERR_AUDIT_LINK, ERR_AUDIT_MALFORMED, ERR_AUDIT_SIGNATURE
} from '../../../node/store/errors.ts'
import { NETWORK_ID, removeTempDirs, tempDir, withStore } from './helpers.ts'
import { buildTrail } from './trail.ts'

afterAll(removeTempDirs)

const LENGTH = 20

type Raw = Level<Uint8Array, Uint8Array>

/** Builds a fresh 20-entry trail, lets `tamper` edit the raw database, then verifies it. */
async function tamperAndVerify (tamper: (raw: Raw) => Promise<void>): Promise<Awaited<ReturnType<typeof verifyAudit>>> {
  const dir = join(tempDir(), 'db')
  await buildTrail(dir, LENGTH)
  const raw: Raw = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' })
  await raw.open()
  try {
    await tamper(raw)
  } finally {
    await raw.close()
  }
  return await verifyAudit(dir)
}

async function readEntry (raw: Raw, seq: number): Promise<AuditEntry> {
  return JSON.parse(Buffer.from((await raw.get(auditKey(seq)))!).toString('utf8')) as AuditEntry
}

async function writeEntry (raw: Raw, seq: number, entry: unknown): Promise<void> {
  await raw.put(auditKey(seq), Buffer.from(JSON.stringify(entry)))
}

describe('audit verification detects tampering', () => {
  it('accepts the untouched trail', async () => {
    const result = await tamperAndVerify(async () => {})
    expect(result).toMatchObject({ ok: true, length: LENGTH, head: { seq: LENGTH - 1 } })
  })

  it('an edited entry: ERR_AUDIT_HASH', async () => {
    const result = await tamperAndVerify(async (raw) => {
      const e = await readEntry(raw, 7)
      await writeEntry(raw, 7, { ...e, data: { ...(e.data as object), note: 'nothing happened here' } })
    })
    expect(result).toMatchObject({ ok: false, code: ERR_AUDIT_HASH, seq: 7 })
  })

  it('an edited and re-hashed entry: ERR_AUDIT_SIGNATURE', async () => {
    const result = await tamperAndVerify(async (raw) => {
      const e = await readEntry(raw, 11)
      const edited = { ...e, time: e.time + 60_000 }
      await writeEntry(raw, 11, { ...edited, hash: auditEntryHash(edited) })
    })
    expect(result).toMatchObject({ ok: false, code: ERR_AUDIT_SIGNATURE, seq: 11 })
  })

  it('an entry re-signed with another key: ERR_AUDIT_SIGNATURE', async () => {
    const forger = generateKeyPair()
    const result = await tamperAndVerify(async (raw) => {
      const e = await readEntry(raw, 4)
      await writeEntry(raw, 4, { ...e, signature: signBytes(forger.privateKey, auditSignedBytes(NETWORK_ID, e.seq, e.hash)) })
    })
    expect(result).toMatchObject({ ok: false, code: ERR_AUDIT_SIGNATURE, seq: 4 })
  })

  it('verified under another network id: ERR_AUDIT_NETWORK_MISMATCH naming the network the trail was signed under', async () => {
    const dir = join(tempDir(), 'db')
    const key = await buildTrail(dir, 5)
    for (const signatures of ['every', 'head'] as const) {
      const result = await verifyAudit(dir, undefined, 'other-net', { signatures })
      expect(result).toMatchObject({ ok: false, code: 'ERR_AUDIT_NETWORK_MISMATCH', chainNetworkId: NETWORK_ID })
      expect(result.ok === false && result.reason).toContain('other-net')
    }
    // With another key as well nothing verifies under the recorded network either: a plain signature failure.
    expect(await verifyAudit(dir, generateKeyPair().publicKey, 'other-net')).toMatchObject({ ok: false, code: ERR_AUDIT_SIGNATURE, seq: 0 })
    expect(await verifyAudit(dir, key.publicKey, NETWORK_ID)).toMatchObject({ ok: true, length: 5 })
  })

  it('a removed entry: ERR_AUDIT_GAP naming the missing seq', async () => {
    expect(await tamperAndVerify(async (raw) => { await raw.del(auditKey(9)) })).toMatchObject({ ok: false, code: ERR_AUDIT_GAP, seq: 9 })
    expect(await tamperAndVerify(async (raw) => { await raw.del(auditKey(0)) })).toMatchObject({ ok: false, code: ERR_AUDIT_GAP, seq: 0 })
  })

  it('two entries swapped: ERR_AUDIT_LINK', async () => {
    const result = await tamperAndVerify(async (raw) => {
      const a = (await raw.get(auditKey(5)))!
      const b = (await raw.get(auditKey(6)))!
      await raw.batch([{ type: 'put', key: auditKey(5), value: b }, { type: 'put', key: auditKey(6), value: a }])
    })
    expect(result).toMatchObject({ ok: false, code: ERR_AUDIT_LINK, seq: 5 })
  })

  it('an entry replaced by another of its own valid entries, renumbered: caught by hash or link', async () => {
    // Moving entry 3 to position 8 with its seq field rewritten breaks its hash.
    const result = await tamperAndVerify(async (raw) => {
      const e = await readEntry(raw, 3)
      await writeEntry(raw, 8, { ...e, seq: 8 })
    })
    expect(result).toMatchObject({ ok: false, code: ERR_AUDIT_HASH, seq: 8 })
  })

  it('a truncated tail: ERR_AUDIT_HEAD naming the first missing entry', async () => {
    const result = await tamperAndVerify(async (raw) => {
      await raw.batch([17, 18, 19].map((seq) => ({ type: 'del' as const, key: auditKey(seq) })))
    })
    expect(result).toMatchObject({ ok: false, code: ERR_AUDIT_HEAD, seq: 17 })
  })

  it('a removed head, or a head signed by another key: ERR_AUDIT_HEAD', async () => {
    expect(await tamperAndVerify(async (raw) => { await raw.del(AUDIT_HEAD_KEY) })).toMatchObject({ ok: false, code: ERR_AUDIT_HEAD, seq: LENGTH - 1 })
    const forger = generateKeyPair()
    const result = await tamperAndVerify(async (raw) => {
      const last = await readEntry(raw, LENGTH - 1)
      await raw.put(AUDIT_HEAD_KEY, Buffer.from(JSON.stringify(signMessage('head', NETWORK_ID, { seq: last.seq, hash: last.hash }, forger.privateKey))))
    })
    expect(result).toMatchObject({ ok: false, code: ERR_AUDIT_HEAD, seq: LENGTH - 1 })
  })

  it('an entry signature reused as a head signature: ERR_AUDIT_HEAD (separate signing domains)', async () => {
    const result = await tamperAndVerify(async (raw) => {
      await raw.batch([18, 19].map((seq) => ({ type: 'del' as const, key: auditKey(seq) })))
      const last = await readEntry(raw, 17)
      await raw.put(AUDIT_HEAD_KEY, Buffer.from(JSON.stringify({ seq: last.seq, hash: last.hash, signature: last.signature })))
    })
    expect(result).toMatchObject({ ok: false, code: ERR_AUDIT_HEAD, seq: 17 })
  })

  it('garbage in the audit bucket: ERR_AUDIT_MALFORMED', async () => {
    expect(await tamperAndVerify(async (raw) => { await raw.put(auditKey(2), Buffer.from('not json')) }))
      .toMatchObject({ ok: false, code: ERR_AUDIT_MALFORMED, seq: 2 })
    expect(await tamperAndVerify(async (raw) => { await writeEntry(raw, 2, { seq: 2 }) }))
      .toMatchObject({ ok: false, code: ERR_AUDIT_MALFORMED, seq: 2 })
  })

  it('a node refuses to extend a trail whose tail was cut', async () => {
    const dir = join(tempDir(), 'db')
    const key = await buildTrail(dir, 5)
    const raw: Raw = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' })
    await raw.del(auditKey(4))
    await raw.close()
    const store = await openStore(dir, { identity: key.identity })
    await expect(AuditLog.open(store, key.privateKey)).rejects.toMatchObject({ code: ERR_AUDIT_HEAD })
    await store.close()
  })

  it('the documented limit: a rollback of tail and head together verifies locally, and shows against a head seen elsewhere', async () => {
    const dir = join(tempDir(), 'db')
    const key = await buildTrail(dir, 10)
    // Someone copies the database state at 10 entries (the head and all entries)...
    let raw: Raw = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' })
    const oldHead = (await raw.get(AUDIT_HEAD_KEY))!
    await raw.close()
    // ...the node goes on, and another party sees its newer head...
    const store = await openStore(dir, { identity: key.identity })
    const audit = await AuditLog.open(store, key.privateKey)
    await store.write((b) => { for (let i = 0; i < 5; i++) audit.append(b, 'test.entry', { later: i }, 1_800_000_000_000 + i) })
    const seenElsewhere = audit.head!
    await store.close()
    // ...then the newer entries are removed and the old head put back.
    raw = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' })
    await raw.batch([
      ...[10, 11, 12, 13, 14].map((seq) => ({ type: 'del' as const, key: auditKey(seq) })),
      { type: 'put' as const, key: AUDIT_HEAD_KEY, value: oldHead }
    ])
    await raw.close()
    expect(await verifyAudit(dir)).toMatchObject({ ok: true, length: 10, head: { seq: 9 } })
    // Against the head seen elsewhere (seq 14) the rollback shows: that entry is gone.
    expect(seenElsewhere.seq).toBe(14)
    expect(await withStore(dir, async (s) => await listAudit(s, seenElsewhere.seq, 1))).toEqual([])
  })
})
