/**
 * The open-jobs cap between real node processes on 127.0.0.1, each with the
 * config file's `jobs.maxOpenJobsPerSubmitter` set to 2: an honest
 * submitter's API refuses its third job (503 `ERR_TOO_MANY_OPEN_JOBS`) while
 * its first two may still be open anywhere, even once they are decided
 * everywhere, so the other nodes, which count a submitter's jobs only while
 * open, never ignore one of its announcements (`jobs_ignored_total` stays
 * without a sample) and decide both jobs like the submitter.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Cluster } from '../../sim/cluster.ts'
import { degradedPng, testPng } from '../../sim/images.ts'

describe('the open-jobs cap between real nodes', () => {
  let cluster: Cluster | null = null
  afterAll(async () => { await cluster?.cleanup() })

  it('refuses an honest submitter\'s job at its own API before any other node would ignore it', async () => {
    cluster = Cluster.init(3)
    for (const entry of cluster.nodes) {
      const path = join(cluster.dir, entry.config)
      writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), jobs: { maxOpenJobsPerSubmitter: 2 } }))
    }
    await cluster.startAll()
    await cluster.waitConnected()
    const reference = [testPng(48, 48)]
    const ids = [
      await cluster.submitFrames('node1', reference, [testPng(48, 48)], { deadlineMs: 20_000 }),
      await cluster.submitFrames('node1', reference, [degradedPng(48, 48, 40)], { deadlineMs: 20_000 })
    ]
    for (const name of ['node1', 'node2', 'node3']) {
      for (const jobId of ids) expect((await cluster.waitDecided(name, jobId)).final).toBe(true)
    }
    // Decided everywhere, yet still counted by node1 until they are over on every honest clock.
    const client = cluster.client('node1')
    const up = async (bytes: Uint8Array): Promise<string> => (await client.uploadBlob(bytes)).sha256
    const refused = await cluster.raw('node1', '/v1/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'frames', reference: [await up(reference[0]!)], candidate: [await up(testPng(48, 48))], deadlineMs: 20_000 })
    })
    expect(refused.status).toBe(503)
    expect((refused.body as { error: { code: string } }).error.code).toBe('ERR_TOO_MANY_OPEN_JOBS')
    // Another validator still submits.
    const other = await cluster.submitFrames('node2', reference, [testPng(48, 48)], { deadlineMs: 20_000 })
    expect((await cluster.waitDecided('node3', other)).final).toBe(true)
    for (const name of ['node1', 'node2', 'node3']) {
      const text = await (await fetch(`${cluster.entry(name).apiUrl}/metrics`)).text()
      expect(text.split('\n').filter((l) => l.startsWith('trust_engine_jobs_ignored_total{'))).toEqual([])
    }
  })
})
