/**
 * The serving index of certificate catch-up: final jobs newest first,
 * filtered by `since`, bounded in memory, and the `since` a node asks with.
 */
import { describe, expect, it } from 'vitest'
import { CertifiedJobs, MAX_INDEXED_JOBS } from '../../../node/job/certified-jobs.ts'
import type { JobRecord } from '../../../node/job/records.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'

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
  })

  it('keeps only the newest MAX_INDEXED_JOBS', () => {
    const jobs = index()
    for (let n = 0; n < MAX_INDEXED_JOBS + 100; n++) jobs.saw(record((n * 7919) % (MAX_INDEXED_JOBS + 100), 'validated'))
    const listed = jobs.list(0, Number.MAX_SAFE_INTEGER)
    expect(listed.length).toBe(MAX_INDEXED_JOBS)
    expect(listed[0]).toBe(record(MAX_INDEXED_JOBS + 99, 'validated').jobId)
    expect(listed.at(-1)).toBe(record(100, 'validated').jobId)
  })

  it('asks from shortly before the newest job it knows, or from 0 when it knows none', () => {
    const jobs = index()
    expect(jobs.since()).toBe(0)
    jobs.saw(record(10_000_000, 'pending'))
    const { maxVoteMs, clockSkewMs } = network.deadlines
    expect(jobs.since()).toBe(1_000_000 + 10_000_000 - 2 * maxVoteMs - clockSkewMs)
  })
})
