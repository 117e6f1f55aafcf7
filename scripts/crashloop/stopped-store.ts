/**
 * What the crash loop reads from a node that is not running (killed, before
 * its restart; or stopped at the end): its audit trail verified against the
 * key and network id of the network file (not the ones the store recorded),
 * in this process by the function `trust-engine audit verify` runs while
 * the node is down (a command-line process of its own takes seconds to
 * start on a loaded machine, and every second of it is downtime), and by
 * the command line itself once the nodes are stopped at the end; and from its LevelDB store every signed vote it holds (the
 * votes it received and its own, the double-sign guard's) and the audit
 * entries from a sequence number on (what the node wrote up to the kill).
 */
import { execFile } from 'node:child_process'
import { CLI, NODE, ROOT } from '../../sim/cluster.ts'
import { voteRecordSchema } from '../../node/job/records.ts'
import { type AuditEntry, dataDirLayout, listAudit, MAX_AUDIT_PAGE, openStore, ownVotesRepository, readAuditHead, verifyAudit, votesRepository } from '../../node/store/index.ts'
import { declareCode } from '../../protocol/errors.ts'
import { type Vote, voteSchema } from '../../protocol/vote.ts'

/** Code of an audit verification whose command failed itself (neither intact nor broken: exit 2, no JSON). */
export const ERR_AUDIT_CLI = declareCode('ERR_AUDIT_CLI', { status: 500 })

/** The command line's verdict on a stopped node's audit trail (`audit verify --json`). */
export type AuditCliResult =
  | { ok: true, length: number, head: { seq: number, hash: string } | null }
  | { ok: false, code: string, seq: number | null, reason: string }

/**
 * Runs `trust-engine audit verify --data-dir DIR --public-key KEY --network-id ID --json`
 * and reads its answer (exit 0 intact, 1 broken, anything else an error of the
 * command itself, reported as broken with code {@link ERR_AUDIT_CLI}).
 */
export async function verifyAuditWithCli (dataDir: string, publicKey: string, networkId: string): Promise<AuditCliResult> {
  const args = [CLI, 'audit', 'verify', '--data-dir', dataDir, '--public-key', publicKey, '--network-id', networkId, '--json']
  return await new Promise((resolve) => {
    // A hang guard, not a performance limit: verifying thousands of entries takes a second or two.
    execFile(NODE, args, { cwd: ROOT, timeout: 300_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code ?? 0
      if (code === 0 || code === 1) {
        try {
          const r = JSON.parse(stdout) as { ok: boolean, length?: number, head?: { seq: number, hash: string } | null, code?: string, seq?: number, reason?: string }
          if (r.ok) { resolve({ ok: true, length: r.length ?? 0, head: r.head ?? null }); return }
          resolve({ ok: false, code: r.code ?? ERR_AUDIT_CLI, seq: r.seq ?? null, reason: r.reason ?? '' }); return
        } catch {}
      }
      resolve({ ok: false, code: ERR_AUDIT_CLI, seq: null, reason: `audit verify ended with ${String(code)}: ${stderr.slice(-500)}` })
    })
  })
}

/** Verifies a stopped node's audit trail in this process, as `audit verify` does (same function, same result). */
export async function verifyStoppedAudit (dataDir: string, publicKey: string, networkId: string): Promise<AuditCliResult> {
  const r = await verifyAudit(dataDirLayout(dataDir).db, publicKey, networkId)
  return r.ok ? { ok: true, length: r.length, head: r.head === null ? null : { seq: r.head.seq, hash: r.head.hash } } : { ok: false, code: r.code, seq: r.seq, reason: r.reason }
}

/** What a stopped node's store holds that the crash loop checks. */
export interface StoredState {
  /** Every signed vote in the votes bucket (received, late and own). */
  votes: Vote[]
  /** This node's own votes (the double-sign guard's bucket). */
  ownVotes: Vote[]
  /** Audit entries from the requested sequence number on, in order. */
  auditTail: AuditEntry[]
  /** The signed head's sequence number, null for an empty trail. */
  headSeq: number | null
}

/** Reads a stopped node's votes and the audit entries from `fromSeq` on (the folder must not be open elsewhere). */
export async function readStoppedStore (dataDir: string, fromSeq: number): Promise<StoredState> {
  const store = await openStore(dataDirLayout(dataDir).db, { createIfMissing: false })
  try {
    const votes: Vote[] = []
    for await (const { value } of votesRepository(store, voteRecordSchema).entries()) votes.push(value.vote)
    const ownVotes: Vote[] = []
    const own = ownVotesRepository(store, voteSchema)
    for (let page = await own.list(); page.length > 0; page = await own.list({ after: page.at(-1)!.key })) {
      for (const e of page) ownVotes.push(e.value)
    }
    const auditTail: AuditEntry[] = []
    for (let from = Math.max(0, fromSeq); ;) {
      const page = await listAudit(store, from, MAX_AUDIT_PAGE)
      auditTail.push(...page)
      if (page.length < MAX_AUDIT_PAGE) break
      from = page.at(-1)!.seq + 1
    }
    const head = await readAuditHead(store)
    return { votes, ownVotes, auditTail, headSeq: head?.seq ?? null }
  } finally {
    await store.close()
  }
}
