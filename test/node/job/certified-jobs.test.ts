/**
 * Certificate catch-up on a node: the serving index (final jobs newest
 * first, filtered by `since`, bounded in memory, and the `since` a node asks
 * with), and the intake of peers' certificates by a real engine (LevelDB
 * store, audit trail): a valid one is stored as final, a forged one refused
 * with its code and its peer penalised.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { CertifiedJobs, MAX_INDEXED_JOBS } from '../../../node/job/certified-jobs.ts'
import type { JobRecord } from '../../../node/job/records.ts'
import { buildCertificate } from '../../../protocol/certificate.ts'
import { tally } from '../../../protocol/consensus/tally.ts'
import { detectEquivocation } from '../../../protocol/evidence.ts'
import { jobIdOf } from '../../../protocol/job.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { BAD, GOOD, keyPair, makeJob, makeNetwork, makeVote, seedCertificateFor, wire } from '../../protocol/fixtures.ts'
import { EngineHarness, NO_NETWORK } from './engine-harness.ts'

const network = parseNetwork({ networkId: 'index-test', protocolVersion: 1, validators: [{ name: 'a', publicKey: generateKeyPair().publicKey, weight: 1 }] })

/** Only what the index reads of a record. */
const record = (n: number, status: JobRecord['status']): JobRecord => ({ jobId: n.toString(16).padStart(64, '0'), status, job: { createdAt: 1_000_000 + n } }) as unknown as JobRecord

function index (): CertifiedJobs {
  // The index never touches the store, the queues or the views.
  return new CertifiedJobs({ network } as unknown as ConstructorParameters<typeof CertifiedJobs>[0])
}

describe('certified jobs index', () => {
  it('lists final jobs newest first from `since`, at most `limit`, and leaves out jobs not final', () => {
    const jobs = index()
    for (const n of [5, 1, 9, 3, 7]) jobs.saw(record(n, 'validated'))
    jobs.saw(record(8, 'disputed'))
    jobs.saw(record(10, 'pending'))
    jobs.decided(1_000_000 + 6, record(6, 'rejected').jobId)
    const id = (n: number): string => record(n, 'validated').jobId
    expect(jobs.list(0, 100)).toEqual([9, 7, 6, 5, 3, 1].map(id))
    expect(jobs.list(1_000_000 + 5, 100)).toEqual([9, 7, 6, 5].map(id))
    expect(jobs.list(0, 2)).toEqual([9, 7].map(id))
    // A job decided twice is listed once.
    jobs.decided(1_000_000 + 9, id(9))
    expect(jobs.list(0, 100)).toEqual([9, 7, 6, 5, 3, 1].map(id))
    expect(jobs.size).toBe(6)
  })

  it('keeps only the newest MAX_INDEXED_JOBS', () => {
    const jobs = index()
    for (let n = 0; n < MAX_INDEXED_JOBS + 100; n++) jobs.saw(record((n * 7919) % (MAX_INDEXED_JOBS + 100), 'validated'))
    const listed = jobs.list(0, Number.MAX_SAFE_INTEGER)
    expect(listed.length).toBe(MAX_INDEXED_JOBS)
    expect(listed[0]).toBe(record(MAX_INDEXED_JOBS + 99, 'validated').jobId)
    expect(listed.at(-1)).toBe(record(100, 'validated').jobId)
    // What `certified_jobs_indexed` reads at each scrape.
    expect(jobs.size).toBe(MAX_INDEXED_JOBS)
  })

  it('asks from shortly before the newest job it knows, or from 0 when it knows none', () => {
    const jobs = index()
    expect(jobs.since()).toBe(0)
    jobs.saw(record(10_000_000, 'pending'))
    const { maxVoteMs, clockSkewMs } = network.deadlines
    expect(jobs.since()).toBe(1_000_000 + 10_000_000 - 2 * maxVoteMs - clockSkewMs)
  })
})

describe('a certificate taken from a peer by the engine', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('is stored as final, names validators this node holds evidence against, and a forged one penalises its peer', async () => {
    const { network: net, keys } = makeNetwork([1, 1, 1, 1], {}, 'certified-test')
    const job = makeJob(net, keys[0]!)
    const jobId = jobIdOf(job)
    const votes = keys.map((k) => makeVote(net, job, k, GOOD))
    const t = tally({ network: net, job, votes, reputations: new Map(), now: job.createdAt })
    const cert = buildCertificate(net, job, t, votes, seedCertificateFor(net, job, keys))
    const forged = { ...cert, jobId: 'ff'.repeat(32) }
    const served = new Map([['honest', [wire(cert)]], ['liar', [wire(forged)]]])
    const penalties: Array<[string, string]> = []

    const h = await EngineHarness.create('trust-engine-certified-')
    cleanups.push(async () => { await h.close() })
    const { engine } = await h.engine('db', net, keyPair('observer'), {
      net: {
        ...NO_NETWORK,
        certificates: async function * (peer) { yield * (served.get(peer) ?? []) },
        penalise: (peer, code) => { penalties.push([peer, code]) }
      }
    })
    await h.start(engine)
    // Evidence against the fourth validator arrives before anything of the job.
    const evidence = detectEquivocation(makeVote(net, job, keys[3]!, GOOD), makeVote(net, job, keys[3]!, BAD))!
    await engine.onEvidenceMessage(wire(evidence))

    engine.onPeerAdmitted('liar')
    engine.onPeerAdmitted('honest')
    for (let n = 0; n < 600 && ((await engine.view(jobId)) === null || penalties.length === 0); n++) await new Promise((r) => setTimeout(r, 50))
    const view = (await engine.view(jobId))!
    expect(view).toMatchObject({ status: 'validated', final: true, reason: 'certificate', round: 0, equivocators: [keys[3]!.publicKey] })
    expect(view.votes.map((v) => v.voter).sort()).toEqual(keys.map((k) => k.publicKey).sort())
    expect(await engine.certificate(jobId)).toEqual(cert)
    expect(penalties).toEqual([['liar', 'ERR_CERT_JOB']])
  })
})

describe('a job this node missed altogether', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('is learnt from a peer\'s certificates asked every certificateSyncMs, with no restart and no peer admitted again', async () => {
    const { network: net, keys } = makeNetwork([1, 1, 1, 1], {}, 'missed-altogether')
    const job = makeJob(net, keys[0]!)
    const jobId = jobIdOf(job)
    const votes = keys.map((k) => makeVote(net, job, k, GOOD))
    const t = tally({ network: net, job, votes, reputations: new Map(), now: job.createdAt })
    const cert = buildCertificate(net, job, t, votes, seedCertificateFor(net, job, keys))
    // The peer has nothing when this node starts (its start-up catch-up gets nothing), and the certificate later.
    let served: Uint8Array[] = []
    let asked = 0
    const h = await EngineHarness.create('trust-engine-missed-altogether-')
    cleanups.push(async () => { await h.close() })
    const { engine } = await h.engine('db', net, keyPair('observer'), {
      net: {
        ...NO_NETWORK,
        catchUpPeers: async () => ['peer'],
        certificates: async function * () { asked++; yield * served }
      }
    }, { certificateSyncMs: 300, stalledJobFetchMs: 100 })
    await h.start(engine)
    for (let n = 0; n < 600 && asked === 0; n++) await new Promise((r) => setTimeout(r, 20))
    expect(await engine.view(jobId)).toBeNull()
    served = [wire(cert)]
    // Hang guard only (bounded polls).
    for (let n = 0; n < 600 && (await engine.view(jobId))?.final !== true; n++) await new Promise((r) => setTimeout(r, 50))
    expect(await engine.view(jobId)).toMatchObject({ status: 'validated', final: true, reason: 'certificate' })
    expect(asked).toBeGreaterThan(1)
  })
})
