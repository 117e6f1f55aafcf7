/**
 * Follows a running node's audit trail through its API (`GET /v1/audit`)
 * and verifies every entry once, against the key and network id of the
 * network file: the hash of its fields, the link to the previous entry, the
 * signature, consecutive sequence numbers, and the signed head naming the
 * last entry. Each check starts again from the last entry verified before
 * and requires it unchanged, so a trail rolled back or rewritten across a
 * restart fails even where the rewritten part would verify on its own.
 */
import { ApiClient } from '../../node/cli/api-client.ts'
import type { AuditEntryView } from '../../node/node-api.ts'
import { GENESIS_PREV_HASH, auditEntryHash, verifyAuditHead, verifyAuditSignature } from '../../protocol/audit-chain.ts'

/** Entries read per request (the API's `maxListLimit`). */
const PAGE = 1000

/** The outcome of one check: verified entries in all, or the first failure. */
export type AuditFollowResult = { ok: true, length: number } | { ok: false, seq: number, reason: string }

/** One node's trail as verified so far. */
export class AuditFollower {
  readonly #publicKey: string
  readonly #networkId: string
  /** The last verified entry: its seq and hash (seq -1: none yet). */
  #last = { seq: -1, hash: GENESIS_PREV_HASH }

  /** A follower of the trail signed by `publicKey` in `networkId`. */
  constructor (publicKey: string, networkId: string) {
    this.#publicKey = publicKey
    this.#networkId = networkId
  }

  /** Entries verified so far. */
  get length (): number {
    return this.#last.seq + 1
  }

  /** Reads and verifies what the node at `apiUrl` appended since the last check. */
  async check (apiUrl: string): Promise<AuditFollowResult> {
    const client = new ApiClient(apiUrl)
    // A few rounds at most: entries appended between the page and the head are read on the next round.
    for (let round = 0; round < 20; round++) {
      const from = Math.max(0, this.#last.seq)
      const page = await client.request('GET', `/v1/audit?from=${from}&limit=${PAGE}`) as { entries: AuditEntryView[], head: { seq: number, hash: string, signature: string } | null }
      let entries = page.entries
      if (this.#last.seq >= 0) {
        const again = entries[0]
        if (again === undefined || again.seq !== this.#last.seq || again.hash !== this.#last.hash) {
          return { ok: false, seq: this.#last.seq, reason: `entry ${this.#last.seq} changed or vanished since it was verified (hash ${this.#last.hash.slice(0, 12)}, now ${again?.hash.slice(0, 12) ?? 'none'})` }
        }
        entries = entries.slice(1)
      }
      for (const e of entries) {
        const failure = this.#verify(e)
        if (failure !== null) return { ok: false, seq: e.seq, reason: failure }
        this.#last = { seq: e.seq, hash: e.hash }
      }
      // A full page: there may be more.
      if (page.entries.length === PAGE) continue
      const head = page.head
      if (head === null) {
        if (this.#last.seq === -1) return { ok: true, length: 0 }
        return { ok: false, seq: this.#last.seq, reason: 'entries but no signed head' }
      }
      if (!verifyAuditHead(head, this.#publicKey, this.#networkId)) return { ok: false, seq: head.seq, reason: 'the signed head does not verify' }
      if (head.seq === this.#last.seq) {
        if (head.hash !== this.#last.hash) return { ok: false, seq: head.seq, reason: 'the signed head names another hash than the last entry' }
        return { ok: true, length: this.length }
      }
      if (head.seq < this.#last.seq) return { ok: false, seq: head.seq, reason: `the signed head (seq ${head.seq}) is behind the last entry (${this.#last.seq})` }
      // The head moved on while the page was read: read on.
    }
    return { ok: true, length: this.length }
  }

  #verify (e: AuditEntryView): string | null {
    if (e.seq !== this.#last.seq + 1) return `expected entry ${this.#last.seq + 1}, found ${e.seq}`
    if (e.prevHash !== this.#last.hash) return 'prevHash does not name the previous entry'
    if (auditEntryHash(e) !== e.hash) return 'hash does not match the entry'
    if (!verifyAuditSignature(e, this.#publicKey, this.#networkId)) return 'signature does not verify under the network file key'
    return null
  }
}
