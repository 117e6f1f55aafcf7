/**
 * The crash loop's checks fail on real violations, so a passing run cannot
 * pass vacuously: a tampered audit record in a node's data folder is named
 * by the audit verification the loop runs on a killed node (the real
 * command line); a second, different vote signed by a validator's key and
 * put into a node's store is a double signature once the loop reads the
 * stores; a verdict reported final that later reads otherwise, or is gone,
 * or differs between nodes, is a violation of the verdict ledger; a job
 * not final alike on every honest node (or final otherwise on the liar)
 * fails the convergence check; a job
 * that changed a reputation twice, or a reputation its jobs do not imply,
 * fails the reputation check.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import { afterAll, describe, expect, it } from 'vitest'
import { voteRecordSchema } from '../../../node/job/records.ts'
import type { ReputationPoint } from '../../../node/job/reputation-history.ts'
import { type AuditEntry, auditKey, dataDirLayout, openStore, votesRepository } from '../../../node/store/index.ts'
import { ERR_AUDIT_HASH } from '../../../node/store/errors.ts'
import type { JobView, ReputationView } from '../../../node/types.ts'
import { parseNetwork, networkDigest } from '../../../protocol/network.ts'
import { PROTOCOL_VERSION } from '../../../protocol/constants.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { newVote, signVote, type Vote } from '../../../protocol/vote.ts'
import { checkConvergence } from '../../../scripts/crashloop/convergence.ts'
import { checkReputations } from '../../../scripts/crashloop/reputation-check.ts'
import { readStoppedStore, verifyAuditWithCli } from '../../../scripts/crashloop/stopped-store.ts'
import { VerdictLedger } from '../../../scripts/crashloop/verdict-ledger.ts'
import { VoteLedger } from '../../../scripts/crashloop/vote-ledger.ts'
import { keyPairFor } from '../../../sim/seed.ts'
import { buildTrail } from '../../node/store/trail.ts'

const dirs: string[] = []
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })
function dataDir (): string {
  const d = mkdtempSync(join(tmpdir(), 'te-crashloop-check-'))
  dirs.push(d)
  return d
}

const keys = ['node1', 'node2', 'node3'].map((n) => ({ name: n, ...keyPairFor('c4a5', n) }))
const network = parseNetwork({ networkId: 'crashloop-test', protocolVersion: PROTOCOL_VERSION, validators: keys.map((k) => ({ name: k.name, publicKey: k.publicKey, weight: 1 })) })
const jobId = sha256Hex('a job')

/** A vote of `keys[0]` on `jobId`, round 0, with SSIM `ssim`. */
function voteOf (ssim: number): Vote {
  return signVote(newVote({
    networkId: network.networkId,
    networkDigest: networkDigest(network),
    engine: network.measurement.engine,
    jobId,
    seed: sha256Hex('a seed'),
    round: 0,
    voter: keys[0]!.publicKey,
    metrics: { ssim, psnr: 40, ssimLocal: ssim },
    intervals: { ssim: [ssim, ssim], psnr: [40, 40], ssimLocal: [ssim, ssim] },
    samples: 10
  }), keys[0]!.privateKey)
}

/** A node data folder whose store holds `votes` in its votes bucket. */
async function storeWith (votes: Vote[]): Promise<string> {
  const dir = dataDir()
  const store = await openStore(dataDirLayout(dir).db, { identity: { publicKey: keys[1]!.publicKey, networkId: network.networkId } })
  try {
    const repo = votesRepository(store, voteRecordSchema)
    await store.write((batch) => { for (const vote of votes) repo.put(batch, { jobId: vote.jobId, round: vote.round, voter: vote.voter }, { vote, receivedAt: 1, late: false }) })
  } finally {
    await store.close()
  }
  return dir
}

describe('the crash loop checks fail on real violations', () => {
  it('audit chain: the command line names a tampered record of a stopped node', async () => {
    const dir = dataDir()
    const key = await buildTrail(dataDirLayout(dir).db, 12)
    expect(await verifyAuditWithCli(dir, key.publicKey, key.identity.networkId)).toMatchObject({ ok: true, length: 12 })
    const raw = new Level<Uint8Array, Uint8Array>(dataDirLayout(dir).db, { keyEncoding: 'view', valueEncoding: 'view' })
    await raw.open()
    const entry = JSON.parse(Buffer.from((await raw.get(auditKey(5)))!).toString('utf8')) as AuditEntry
    await raw.put(auditKey(5), Buffer.from(JSON.stringify({ ...entry, data: { note: 'nothing happened here' } })))
    await raw.close()
    expect(await verifyAuditWithCli(dir, key.publicKey, key.identity.networkId)).toMatchObject({ ok: false, code: ERR_AUDIT_HASH, seq: 5 })
  })

  it('double signature: a second signed vote put into a store', async () => {
    const ledger = new VoteLedger(network)
    ledger.add((await readStoppedStore(await storeWith([voteOf(0.99)]), 0)).votes, 'node2 store')
    // The same vote held by another node is no double signature.
    ledger.add((await readStoppedStore(await storeWith([voteOf(0.99)]), 0)).votes, 'node3 store')
    expect(ledger.doubleSignatures()).toEqual([])
    expect(ledger.size).toBe(1)
    ledger.add((await readStoppedStore(await storeWith([voteOf(0.5)]), 0)).votes, 'node3 store later')
    expect(ledger.doubleSignatures()).toEqual([{ voter: keys[0]!.publicKey, jobId, round: 0, seenIn: ['node2 store', 'node3 store later'] }])
    expect(ledger.invalid).toEqual([])
  })

  it('double signature: a vote whose signature does not verify is reported, not counted', () => {
    const ledger = new VoteLedger(network)
    const forged = { ...voteOf(0.99), metrics: { ssim: 0.5, psnr: 40, ssimLocal: 0.99 } }
    ledger.add([forged], 'node2 store')
    expect(ledger.invalid).toHaveLength(1)
    expect(ledger.size).toBe(0)
  })

  it('verdict lost: a final verdict that changes, vanishes or differs between nodes', () => {
    const view = (id: string, status: string, final: boolean): JobView => ({ jobId: id, status, final }) as unknown as JobView
    const ledger = new VerdictLedger()
    ledger.observe('node1', [view('a', 'validated', true), view('b', 'rejected', true), view('c', 'pending', false)], 10)
    ledger.observe('node1', [view('a', 'validated', true)], 20)
    // An answer to a request sent before the one that saw the job final: out of order, not a change.
    ledger.observe('node1', [view('a', 'pending', false)], 5)
    ledger.missing('node1', 'b', 5)
    expect(ledger.violations).toEqual([])
    expect(ledger.decided('b')).toBe(true)
    expect(ledger.decided('c')).toBe(false)
    ledger.observe('node1', [view('a', 'pending', false)], 30)
    ledger.missing('node1', 'b', 30)
    ledger.observe('node2', [view('b', 'validated', true)], 30)
    expect(ledger.violations.map((v) => [v.rule, v.node, v.jobId])).toEqual([['changed', 'node1', 'a'], ['lost', 'node1', 'b'], ['disagree', 'node2', 'b']])
  })

  it('convergence: an honest node missing, undecided or different, a verdict not the designed one, or a liar reporting another final verdict', () => {
    const nodes = [{ name: 'node1', liar: false }, { name: 'node2', liar: false }, { name: 'node3', liar: true }]
    const id = (c: string): string => c.repeat(64)
    const statuses = new Map<string, Record<string, string>>([
      [id('a'), { node1: 'validated', node2: 'validated', node3: 'validated' }],
      // The liar, banned by its peers, missed this one and reached the deadline of that one: by design, not a failure.
      [id('b'), { node1: 'rejected', node2: 'rejected' }],
      [id('c'), { node1: 'rejected', node2: 'rejected', node3: 'disputed (not final, deadline)' }],
      // Failures: an honest node missing the job, one not final, two honest verdicts, the liar final otherwise, a verdict not designed.
      [id('d'), { node1: 'validated', node3: 'validated' }],
      [id('e'), { node1: 'validated', node2: 'disputed (not final, deadline)' }],
      [id('f'), { node1: 'validated', node2: 'rejected' }],
      [id('g'), { node1: 'rejected', node2: 'rejected', node3: 'validated' }],
      [id('h'), { node1: 'rejected', node2: 'rejected' }]
    ])
    const expected = new Map([[id('a'), 'validated'], [id('b'), 'rejected'], [id('c'), 'rejected'], [id('h'), 'validated']])
    const r = checkConvergence(statuses, nodes, expected)
    expect(r.failures.map((l) => l.slice(4, 5))).toEqual(['d', 'e', 'f', 'g', 'h'])
    expect(r.decided).toBe(4)
    expect(r.liarNotFinal).toBe(3)
  })

  it('reputation: a job applied twice, or a served record its jobs do not imply', () => {
    const voter = keys[2]!.publicKey
    const decided = { jobId, final: true, status: 'validated', reason: 'quorum', round: 0, values: { ssim: 0.99, psnr: 40, ssimLocal: 0.99 }, thresholds: { ssimMin: 0.98, psnrMin: 35, ssimLocalMin: 0.9 }, votes: [{ voter, round: 0, late: false, metrics: { ssim: 0.5, psnr: 40, ssimLocal: 0.5 } }] } as unknown as JobView
    const point = (seq: number, reputation: number, verifications: number): ReputationPoint => ({ seq, at: seq, jobId, cause: 'decided', reputation, trust: reputation, verifications, successes: 0, equivocated: false })
    const served = (points: ReputationPoint[], reputation: number, verifications: number): Parameters<typeof checkReputations>[0] => ({
      node: 'node1',
      publicKey: keys[0]!.publicKey,
      views: [decided],
      reputation: keys.map((k) => ({ publicKey: k.publicKey, name: k.name, reputation: k.publicKey === voter ? reputation : 1, verifications: k.publicKey === voter ? verifications : 0, successes: 0, equivocated: false }) as unknown as ReputationView),
      history: [{ publicKey: voter, points: [...points].reverse() }]
    })
    // The deviating vote costs 0.05 once: what the node must hold.
    expect(checkReputations(served([point(0, 0.95, 1)], 0.95, 1), network)).toEqual([])
    expect(checkReputations(served([point(0, 0.95, 1), point(1, 0.9, 2)], 0.9, 2), network).join('\n')).toContain('twice')
    expect(checkReputations(served([point(0, 0.95, 1)], 0.9, 2), network)).toHaveLength(1)
    expect(checkReputations(served([], 1, 0), network).join('\n')).toContain('never changed')
  })
})
