import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../../../node/store/db.ts'
import { ERR_DOUBLE_SIGN, ERR_STORE_BAD_KEY, ERR_STORE_BAD_VALUE } from '../../../node/store/errors.ts'
import { createRepositories, ownVoteKey, voteKey, type Repositories } from '../../../node/store/repositories/index.ts'
import { removeTempDirs, tempDir } from './helpers.ts'
import { codeOfAsync as codeOf } from '../../helpers/codes.ts'

afterAll(removeTempDirs)

const hex = (byte: number): string => byte.toString(16).padStart(2, '0').repeat(32)
const JOB_1 = hex(0x11)
const JOB_2 = hex(0x22)
const VOTER_A = hex(0xa1)
const VOTER_B = hex(0xb2)
const VOTER_C = hex(0xc3)

let dir: string
let store: Store
let repos: Repositories

beforeEach(async () => {
  dir = join(tempDir(), 'db')
  store = await openStore(dir)
  repos = createRepositories(store)
})
afterEach(async () => { await store.close() })

/** Closes and reopens the store, so reads come from disk. */
async function reopen (): Promise<void> {
  await store.close()
  store = await openStore(dir)
  repos = createRepositories(store)
}

describe('simple repositories round-trip through a reopen', () => {
  it('jobs, verdicts, reputations, certificates, meta', async () => {
    const job = { jobId: JOB_1, kind: 'frames', receivedAt: 1_700_000_000_000, blobs: ['ab'.repeat(32)] }
    const verdict = { status: 'validated', final: true, values: { ssim: 0.99, psnr: 'Infinity' } }
    const rep = { score: 0.98, verifications: 12, successes: 11, equivocated: false }
    const cert = { jobId: JOB_1, votes: [{ voter: VOTER_A, signature: 'cd'.repeat(64) }] }
    await store.write((b) => {
      repos.jobs.put(b, JOB_1, job)
      repos.verdicts.put(b, JOB_1, verdict)
      repos.reputations.put(b, VOTER_A, rep)
      repos.certificates.put(b, JOB_1, cert)
      repos.meta.put(b, 'schema.version', 1)
    })
    await reopen()
    expect(await repos.jobs.get(JOB_1)).toEqual(job)
    expect(await repos.verdicts.get(JOB_1)).toEqual(verdict)
    expect(await repos.reputations.get(VOTER_A)).toEqual(rep)
    expect(await repos.certificates.get(JOB_1)).toEqual(cert)
    expect(await repos.meta.get('schema.version')).toBe(1)
    expect(await repos.jobs.has(JOB_1)).toBe(true)
    await store.write((b) => { repos.jobs.remove(b, JOB_1, job) })
    expect(await repos.jobs.get(JOB_1)).toBeNull()
    expect(await repos.verdicts.get(JOB_1)).toEqual(verdict) // buckets are separate key ranges
  })

  it('peers, with their schema enforced on write', async () => {
    const peer = { multiaddrs: ['/ip4/127.0.0.1/tcp/4001'], lastSeen: 1_700_000_000_123, networkId: 'net-1' }
    const peerId = '12D3KooWPVFgSavkV3KQHuj7NQHptgwhuFkHDpC5D2EkjdWLR6e3'
    await store.write((b) => { repos.peers.put(b, peerId, peer) })
    await reopen()
    expect(await repos.peers.get(peerId)).toEqual(peer)
    expect(await codeOf(store.write((b) => { repos.peers.put(b, peerId, { ...peer, lastSeen: -1 }) }))).toBe(ERR_STORE_BAD_VALUE)
    expect(await repos.peers.get(peerId)).toEqual(peer)
  })

  it('refuses malformed keys with ERR_STORE_BAD_KEY', async () => {
    expect(await codeOf(repos.jobs.get('not-a-job-id'))).toBe(ERR_STORE_BAD_KEY)
    expect(await codeOf(repos.reputations.get(VOTER_A.toUpperCase()))).toBe(ERR_STORE_BAD_KEY)
    expect(await codeOf(repos.votes.get({ jobId: JOB_1, round: -1, voter: VOTER_A }))).toBe(ERR_STORE_BAD_KEY)
    expect(await codeOf(repos.meta.get(''))).toBe(ERR_STORE_BAD_KEY)
  })
})

describe('votes', () => {
  it('lists by job and round in voter order, pages with a cursor, and survives a reopen', async () => {
    await store.write((b) => {
      for (const voter of [VOTER_C, VOTER_A, VOTER_B]) repos.votes.put(b, { jobId: JOB_1, round: 0, voter }, { voter, round: 0 })
      repos.votes.put(b, { jobId: JOB_1, round: 1, voter: VOTER_A }, { voter: VOTER_A, round: 1 })
      repos.votes.put(b, { jobId: JOB_2, round: 0, voter: VOTER_A }, { voter: VOTER_A, round: 0, other: true })
    })
    await reopen()
    const all = await repos.votes.listByJob(JOB_1)
    expect(all.map((e) => [e.key.round, e.key.voter])).toEqual([[0, VOTER_A], [0, VOTER_B], [0, VOTER_C], [1, VOTER_A]])
    const round0 = await repos.votes.listByJob(JOB_1, { round: 0 })
    expect(round0.map((e) => e.value.voter)).toEqual([VOTER_A, VOTER_B, VOTER_C])
    const page1 = await repos.votes.listByJob(JOB_1, { limit: 2 })
    const page2 = await repos.votes.listByJob(JOB_1, { limit: 2, after: page1[1]!.key })
    expect([...page1, ...page2]).toEqual(all)
    const reversed = await repos.votes.listByJob(JOB_1, { reverse: true })
    expect(reversed).toEqual([...all].reverse())
    expect(await repos.votes.listByJob(JOB_1, { reverse: true, after: all[2]!.key })).toEqual(all.slice(0, 2).reverse())
    expect((await repos.votes.listByJob(JOB_2)).map((e) => e.value)).toEqual([{ voter: VOTER_A, round: 0, other: true }])
    expect(await codeOf(repos.votes.listByJob(JOB_1, { after: { jobId: JOB_2, round: 0, voter: VOTER_A } }))).toBe(ERR_STORE_BAD_KEY)
  })

  it('encodes keys so byte order is (job, round, voter) order', () => {
    const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'))
    const key = fc.record({ jobId: hex32, round: fc.nat({ max: 0xffff_ffff }), voter: hex32 })
    fc.assert(fc.property(key, key, (a, b) => {
      const ea = voteKey.encode(a)
      expect(voteKey.decode(ea)).toEqual(a)
      const byBytes = Math.sign(Buffer.compare(ea, voteKey.encode(b)))
      const byFields = a.jobId !== b.jobId ? (a.jobId < b.jobId ? -1 : 1) : a.round !== b.round ? Math.sign(a.round - b.round) : a.voter === b.voter ? 0 : (a.voter < b.voter ? -1 : 1)
      expect(byBytes).toBe(byFields)
      expect(ownVoteKey.decode(ownVoteKey.encode(a))).toEqual({ jobId: a.jobId, round: a.round })
    }), { numRuns: 300 })
  })
})

describe('evidence', () => {
  it('lists by offender in job order', async () => {
    await store.write((b) => {
      repos.evidence.put(b, { offender: VOTER_B, jobId: JOB_2 }, { n: 2 })
      repos.evidence.put(b, { offender: VOTER_B, jobId: JOB_1 }, { n: 1 })
      repos.evidence.put(b, { offender: VOTER_A, jobId: JOB_1 }, { n: 0 })
    })
    await reopen()
    const list = await repos.evidence.listByOffender(VOTER_B)
    expect(list.map((e) => e.key)).toEqual([{ offender: VOTER_B, jobId: JOB_1 }, { offender: VOTER_B, jobId: JOB_2 }])
    expect(await repos.evidence.get({ offender: VOTER_A, jobId: JOB_1 })).toEqual({ n: 0 })
  })
})

describe('own votes', () => {
  const vote = { jobId: JOB_1, round: 0, voter: VOTER_A, metrics: { ssim: 0.991, psnr: 38.5 }, signature: 'ee'.repeat(64) }
  const other = { ...vote, metrics: { ssim: 0.5, psnr: 12 }, signature: 'ff'.repeat(64) }

  it('stores once with a forced fsync, accepts the same vote again, refuses a different one', async () => {
    const first = await store.write(async (b) => {
      const r = await repos.ownVotes.putOwnVote(b, { jobId: JOB_1, round: 0 }, vote)
      expect(b.syncRequired).toBe(true)
      return r
    })
    expect(first).toBe('stored')
    await reopen()
    expect(await repos.ownVotes.get({ jobId: JOB_1, round: 0 })).toEqual(vote)
    const again = await store.write(async (b) => {
      const r = await repos.ownVotes.putOwnVote(b, { jobId: JOB_1, round: 0 }, { ...vote })
      expect(b.size).toBe(0)
      return r
    })
    expect(again).toBe('unchanged')
    expect(await codeOf(store.write(async (b) => {
      repos.jobs.put(b, JOB_1, { touched: true })
      await repos.ownVotes.putOwnVote(b, { jobId: JOB_1, round: 0 }, other)
    }))).toBe(ERR_DOUBLE_SIGN)
    expect(await repos.ownVotes.get({ jobId: JOB_1, round: 0 })).toEqual(vote)
    expect(await repos.jobs.get(JOB_1)).toBeNull() // the whole refused batch is dropped
    // Another round is another vote.
    expect(await store.write(async (b) => await repos.ownVotes.putOwnVote(b, { jobId: JOB_1, round: 1 }, other))).toBe('stored')
  })

  it('refuses a different vote added earlier in the same batch', async () => {
    expect(await codeOf(store.write(async (b) => {
      await repos.ownVotes.putOwnVote(b, { jobId: JOB_2, round: 0 }, vote)
      await repos.ownVotes.putOwnVote(b, { jobId: JOB_2, round: 0 }, other)
    }))).toBe(ERR_DOUBLE_SIGN)
    expect(await repos.ownVotes.get({ jobId: JOB_2, round: 0 })).toBeNull()
  })

  it('refuses concurrent different votes: exactly one wins', async () => {
    const results = await Promise.allSettled([vote, other, vote, other].map((v) =>
      store.write(async (b) => await repos.ownVotes.putOwnVote(b, { jobId: JOB_2, round: 7 }, v))))
    const stored = await repos.ownVotes.get({ jobId: JOB_2, round: 7 })
    expect(stored).toEqual(vote) // the first writer in queue order
    expect(results.map((r) => r.status === 'fulfilled' ? r.value : (r.reason as { code: string }).code))
      .toEqual(['stored', ERR_DOUBLE_SIGN, 'unchanged', ERR_DOUBLE_SIGN])
  })
})
