/**
 * `GET /v1/reputation/history` on a real node (LevelDB, libp2p, measurement
 * in a worker): every decided job adds a point to its voter's history in the
 * batch of its reputation, so the newest point is the reputation the node
 * serves; points come newest first, page by `before`, are bounded by the
 * list limit; bad queries and unknown validators get their codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ReputationPoint } from '../../../node/job/reputation-history.ts'
import type { JobView, ReputationView } from '../../../node/types.ts'
import { goodCandidatePng, json, octets, referencePng, startTestNode, type TestNode } from './fixtures.ts'

interface HistoryAnswer { limit: number, validators: Array<{ publicKey: string, name: string, points: ReputationPoint[] }> }

async function upload (t: TestNode, bytes: Uint8Array): Promise<string> {
  const r = await fetch(`${t.url}/v1/blobs`, octets(bytes))
  expect(r.status).toBe(201)
  return ((await r.json()) as { sha256: string }).sha256
}

/** Submits a one-frame job and resolves once this node decided it. */
async function decidedJob (t: TestNode, shift: number): Promise<string> {
  const body = { kind: 'frames', reference: [await upload(t, referencePng(shift))], candidate: [await upload(t, goodCandidatePng(shift))] }
  const r = await fetch(`${t.url}/v1/jobs`, json(body))
  expect(r.status).toBe(201)
  const { jobId } = (await r.json()) as JobView
  // Subscribe first, then read: a decision between the answer and the subscription is seen by the read.
  await new Promise<void>((resolve) => {
    const off = t.node.on('job:final', (v) => { if (v.jobId === jobId) { off(); resolve() } })
    void t.node.getJob(jobId).then((v) => { if (v?.final === true) { off(); resolve() } })
  })
  return jobId
}

async function history (t: TestNode, query = ''): Promise<HistoryAnswer> {
  const r = await fetch(`${t.url}/v1/reputation/history${query}`)
  expect(r.status).toBe(200)
  return (await r.json()) as HistoryAnswer
}

async function errorOf (t: TestNode, query: string): Promise<[number, string]> {
  const r = await fetch(`${t.url}/v1/reputation/history${query}`)
  return [r.status, ((await r.json()) as { error: { code: string } }).error.code]
}

describe('GET /v1/reputation/history', () => {
  let t: TestNode
  const jobs: string[] = []
  beforeAll(async () => {
    t = await startTestNode()
    for (let i = 0; i < 3; i++) jobs.push(await decidedJob(t, i))
  })
  afterAll(async () => { await t.close() })

  it('has one point per decided job, newest first, the newest being the reputation the node serves', async () => {
    const answer = await history(t)
    expect(answer.limit).toBe(100)
    expect(answer.validators).toHaveLength(1)
    const [v] = answer.validators
    expect(v!.publicKey).toBe(t.key.publicKey)
    expect(v!.name).toBe('node1')
    expect(v!.points.map((p) => [p.seq, p.jobId, p.cause, p.verifications, p.successes])).toEqual([
      [2, jobs[2], 'decided', 3, 3], [1, jobs[1], 'decided', 2, 2], [0, jobs[0], 'decided', 1, 1]
    ])
    const [now] = ((await (await fetch(`${t.url}/v1/reputation`)).json()) as { validators: ReputationView[] }).validators
    const newest = v!.points[0]!
    expect([newest.reputation, newest.trust, newest.verifications, newest.successes, newest.equivocated]).toEqual([now!.reputation, now!.trust, now!.verifications, now!.successes, now!.equivocated])
    expect(v!.points[0]!.at).toBeGreaterThanOrEqual(v!.points[2]!.at)
  })

  it("pages one validator's points with limit and before, and clamps the limit", async () => {
    const key = t.key.publicKey
    const first = await history(t, `?validator=${key}&limit=2`)
    expect(first.validators[0]!.points.map((p) => p.seq)).toEqual([2, 1])
    const second = await history(t, `?validator=${key}&limit=2&before=1`)
    expect(second.validators[0]!.points.map((p) => p.seq)).toEqual([0])
    expect((await history(t, `?validator=${key}&before=0`)).validators[0]!.points).toEqual([])
    expect((await history(t, '?limit=5000')).limit).toBe(1000)
  })

  it('answers an unknown validator, before without validator and malformed queries with their codes', async () => {
    expect(await errorOf(t, `?validator=${'ab'.repeat(32)}`)).toEqual([404, 'ERR_VALIDATOR_NOT_FOUND'])
    expect(await errorOf(t, '?before=1')).toEqual([400, 'ERR_BAD_REQUEST'])
    expect(await errorOf(t, '?validator=node1')).toEqual([400, 'ERR_BAD_REQUEST'])
    expect(await errorOf(t, '?limit=-1')).toEqual([400, 'ERR_BAD_REQUEST'])
    expect(await errorOf(t, '?since=0')).toEqual([400, 'ERR_BAD_REQUEST'])
  })
})
