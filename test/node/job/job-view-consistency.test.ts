/**
 * A job view never shows a deviating vote as agreeing. A late vote and its
 * judgement (the record's deviating validators) are written in one batch;
 * a view of a decided job reads votes and record separately, so a late
 * vote landing between the two reads must not show beside a record that
 * has not judged it. The interleaving is made exact here: the view's own
 * read of the job record is held until the late vote's batch is on disk.
 * Real parts (decided-job.ts): LevelDB store and audit trail, the blob
 * folder, measurement in this thread; the other validators' shares and
 * votes are fed in as gossip would bring them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobViews } from '../../../node/job/job-views.ts'
import { OpenJobs } from '../../../node/job/open-jobs.ts'
import type { NodeRepositories } from '../../../node/job/repositories.ts'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { effectiveWeights } from '../../../protocol/consensus/weights.ts'
import { type DecidedJob, decidedJob } from './decided-job.ts'

describe('job views of decided jobs', () => {
  let d: DecidedJob

  beforeAll(async () => {
    d = await decidedJob({ name: 'view-test', deviatingFirst: false })
    expect(d.decided.final).toBe(true)
    expect(d.decided.votes.map((v) => v.voter).sort()).toEqual([d.keys.own, d.keys.a, d.keys.b].map((k) => k.publicKey).sort())
  })
  afterAll(async () => { await d?.close() })

  it('a deviating late vote written while a view is being read never shows as agreeing, and shows as deviating after', async () => {
    // The view's read of this job's record is held until the late vote's batch is written.
    const { engine, repos, network, jobId, vote, keys: { x } } = d
    let late: Promise<void> | null = null
    const heldGet = async (id: string): ReturnType<NodeRepositories['jobs']['get']> => {
      const record = await repos.jobs.get(id)
      if (id === jobId && late === null) {
        late = engine.onVoteMessage(canonicalEncode(vote(x, { ssim: 0.5, psnr: 12, ssimLocal: 0.5 }))).then(() => {})
        await late
      }
      return record
    }
    // The store's own repository, with its record read followed by the late vote.
    const jobs = new Proxy(repos.jobs, {
      get: (target, p) => {
        if (p === 'get') return heldGet
        const value: unknown = Reflect.get(target, p, target)
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
    const held: NodeRepositories = { ...repos, jobs }
    const views = new JobViews(held, new OpenJobs(network, Date.now, effectiveWeights(network, new Map())), new Map())
    const during = (await views.get(jobId))!
    expect(late).not.toBeNull()
    for (const v of during.votes) expect([v.voter === x.publicKey ? 'x' : 'honest', v.agrees]).toEqual([v.voter === x.publicKey ? 'x' : 'honest', v.voter !== x.publicKey])
    // Every later read (the engine's own view, the listing) holds the late vote, judged.
    const after = (await engine.view(jobId))!
    expect(after.votes.find((v) => v.voter === x.publicKey)).toMatchObject({ agrees: false, late: true })
    expect(after.byzantine).toEqual([x.publicKey])
    const listed = (await engine.list({ limit: 5 }))!.find((j) => j.jobId === jobId)!
    expect(listed.votes.find((v) => v.voter === x.publicKey)?.agrees).toBe(false)
  })
})
