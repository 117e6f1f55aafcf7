/**
 * The console's audit check (console/src/audit-check.ts) in Node, over a real
 * trail: entries appended by the node's AuditLog to a LevelDB store and
 * signed with a real key, served page by page as `GET /v1/audit` serves them,
 * then tampered with the way a dishonest server or an edited database would.
 */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditEntryHash, auditSignedBytes } from '../../protocol/audit-chain.ts'
import { generateKeyPair, signBytes, signMessage } from '../../protocol/signing.ts'
import { AuditLog, type AuditEntry } from '../../node/store/audit.ts'
import { verifyAudit } from '../../node/store/audit-verify.ts'
import { openStore, type Store } from '../../node/store/db.ts'
import { checkAuditTrail, type AuditHeadView, type AuditPageView } from '../../console/src/audit-check.ts'
import { nodeKey, removeTempDirs, tempDir, NETWORK_ID } from '../node/store/helpers.ts'

const key = nodeKey()
const KEY = { publicKey: key.publicKey, networkId: NETWORK_ID }
let store: Store
let entries: AuditEntry[]
let head: AuditHeadView

/** Serves `list` and `top` as `GET /v1/audit` would, two entries a page, so the check pages. */
function server (list: AuditEntry[], top: AuditHeadView | null): (from: number) => Promise<AuditPageView> {
  return async (from) => ({ entries: list.filter((e) => e.seq >= from).slice(0, 2), head: top })
}

beforeAll(async () => {
  store = await openStore(join(tempDir(), 'db'), { identity: key.identity })
  const audit = await AuditLog.open(store, key.privateKey)
  let t = 1_700_000_000_000
  await store.write((b) => audit.append(b, 'job.accepted', { jobId: 'aa'.repeat(32) }, t++))
  await store.write((b) => [1, 2, 3, 4].map((i) => audit.append(b, 'vote.received', { voter: 'bb'.repeat(32), i }, t++)))
  entries = await audit.list(0, 100)
  head = { ...audit.head! }
})

afterAll(async () => {
  await store.close()
  removeTempDirs()
})

describe('console audit check', () => {
  it('accepts the trail the node verifies, paging up to the head and reporting progress', async () => {
    expect(await verifyAudit(store)).toMatchObject({ ok: true, length: 5 })
    const progress: number[] = []
    expect(await checkAuditTrail(server(entries, head), KEY, (n) => progress.push(n))).toEqual({ ok: true, length: 5, head })
    expect(progress).toEqual([2, 4, 5])
    expect(await checkAuditTrail(server([], null), KEY)).toEqual({ ok: true, length: 0, head: null })
  })

  it('stops at the head of the first page when entries are appended meanwhile', async () => {
    const older = signMessage('head', NETWORK_ID, { seq: 2, hash: entries[2]!.hash }, key.privateKey)
    expect(await checkAuditTrail(server(entries, older), KEY)).toEqual({ ok: true, length: 3, head: older })
  })

  it('fails a head whose signature does not verify under the node key', async () => {
    const other = generateKeyPair()
    const cases: AuditHeadView[] = [
      { ...head, signature: '00'.repeat(64) },
      signMessage('head', NETWORK_ID, { seq: head.seq, hash: head.hash }, other.privateKey),
      // an entry's signature in the head's place: the head has its own signing domain
      { seq: head.seq, hash: head.hash, signature: entries[4]!.signature },
      // a head naming an older entry with the newest head's signature
      { seq: 2, hash: entries[2]!.hash, signature: head.signature },
      signMessage('head', 'another-net', { seq: head.seq, hash: head.hash }, key.privateKey)
    ]
    for (const forged of cases) {
      expect(await checkAuditTrail(server(entries, forged), KEY)).toMatchObject({ ok: false, code: 'ERR_AUDIT_HEAD', seq: forged.seq })
    }
    expect(await checkAuditTrail(server(entries, head), { publicKey: other.publicKey, networkId: NETWORK_ID })).toMatchObject({ ok: false, code: 'ERR_AUDIT_HEAD' })
    expect(await checkAuditTrail(server(entries.slice(0, 1), null), KEY)).toMatchObject({ ok: false, code: 'ERR_AUDIT_HEAD', seq: 0 })
  })

  it('fails edited, re-hashed, removed and truncated entries at the first bad one', async () => {
    const edited = entries.map((e) => e.seq === 2 ? { ...e, data: { voter: 'cc'.repeat(32), i: 2 } } : e)
    expect(await checkAuditTrail(server(edited, head), KEY)).toMatchObject({ ok: false, code: 'ERR_AUDIT_HASH', seq: 2 })

    const rehashed = edited.map((e) => e.seq === 2 ? { ...e, hash: auditEntryHash(e) } : e)
    expect(await checkAuditTrail(server(rehashed, head), KEY)).toMatchObject({ ok: false, code: 'ERR_AUDIT_SIGNATURE', seq: 2 })
    const otherSigned = rehashed.map((e) => e.seq === 2 ? { ...e, signature: signBytes(generateKeyPair().privateKey, auditSignedBytes(NETWORK_ID, 2, e.hash)) } : e)
    expect(await checkAuditTrail(server(otherSigned, head), KEY)).toMatchObject({ ok: false, code: 'ERR_AUDIT_SIGNATURE', seq: 2 })
    // re-signed with the node key itself (history rewritten by its holder): the next entry no longer links
    const resigned = rehashed.map((e) => e.seq === 2 ? { ...e, signature: signBytes(key.privateKey, auditSignedBytes(NETWORK_ID, 2, e.hash)) } : e)
    expect(await checkAuditTrail(server(resigned, head), KEY)).toMatchObject({ ok: false, code: 'ERR_AUDIT_LINK', seq: 3 })

    expect(await checkAuditTrail(server(entries.filter((e) => e.seq !== 1), head), KEY)).toMatchObject({ ok: false, code: 'ERR_AUDIT_GAP', seq: 1 })
    expect(await checkAuditTrail(server(entries.slice(0, 3), head), KEY)).toMatchObject({ ok: false, code: 'ERR_AUDIT_HEAD', seq: 3 })
  })
})
