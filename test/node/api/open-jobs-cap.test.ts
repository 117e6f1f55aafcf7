/**
 * A node's API refuses its own client's submission while the node has its
 * cap of jobs that may still be open on other nodes (503
 * `ERR_TOO_MANY_OPEN_JOBS`), before the other nodes' cap would ignore the
 * announcement: a real node (real LevelDB, libp2p and HTTP on 127.0.0.1) of
 * a network of two validators whose second never runs, so every job stays
 * open until its deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERR_TOO_MANY_OPEN_JOBS } from '../../../node/job/errors.ts'
import { goodCandidatePng, json, referencePng, startTestNode, type TestNode, uploadBlob } from './fixtures.ts'

describe('POST /v1/jobs beyond the open-jobs cap', () => {
  let t: TestNode
  beforeAll(async () => { t = await startTestNode({ validators: 2, engine: { maxOpenJobsPerSubmitter: 2 } }) })
  afterAll(async () => { await t.close() })

  it('answers 503 ERR_TOO_MANY_OPEN_JOBS once the node has its cap of jobs open, and announces nothing', async () => {
    const reference = await uploadBlob(t, referencePng())
    const candidate = await uploadBlob(t, goodCandidatePng())
    const post = async (): Promise<{ status: number, body: { jobId?: string, error?: { code: string } } }> => {
      const r = await fetch(`${t.url}/v1/jobs`, json({ kind: 'frames', reference: [reference], candidate: [candidate], deadlineMs: t.network.deadlines.maxVoteMs }))
      return { status: r.status, body: await r.json() as { jobId?: string, error?: { code: string } } }
    }
    expect((await post()).status).toBe(201)
    expect((await post()).status).toBe(201)
    const refused = await post()
    expect([refused.status, refused.body.error?.code]).toEqual([503, ERR_TOO_MANY_OPEN_JOBS])
    const list = await (await fetch(`${t.url}/v1/jobs`)).json() as { jobs: unknown[] }
    expect(list.jobs).toHaveLength(2)
  })
})
