/**
 * The jobs list of a real node (LevelDB, measurement worker): open jobs,
 * still in memory, listed with their live state by the status filter and
 * paging; and the same list after a restart on a store whose job index was
 * removed, as a store written before the index has none.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { generateKeyFile } from '../../../node/keys.ts'
import { createNode, type TrustEngineNode } from '../../../node/node.ts'
import { ManualClock } from '../../../node/optimizer/economy/clock.ts'
import { BUCKETS } from '../../../node/store/buckets.ts'
import { openStore } from '../../../node/store/db.ts'
import { dataDirLayout } from '../../../node/store/data-dir.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { goodCandidatePng, referencePng } from '../api/fixtures.ts'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => { for (const fn of cleanups.splice(0).reverse()) await fn() })

describe('the jobs list of a node', () => {
  it('lists open jobs by status and page, and again after the index is rebuilt at start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trust-engine-job-list-'))
    cleanups.push(async () => { await rm(dir, { recursive: true, force: true }) })
    const key = generateKeyFile(join(dir, 'key.json'))
    // Two validators of equal weight, one running, and a clock that stands still: the jobs stay open (pending) in memory.
    const network = parseNetwork({
      networkId: 'job-list-test',
      protocolVersion: 1,
      validators: [key.publicKey, generateKeyPair().publicKey].map((publicKey, i) => ({ name: `node${i + 1}`, publicKey, weight: 1 }))
    })
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'))
    let node: TrustEngineNode = await createNode({ dataDir: dir, network, logLevel: 'silent', clock: clock.now })
    let running = true
    // The jobs wait for a seed the absent validator never shares: a graceful stop would wait its whole drain bound for them.
    cleanups.push(async () => { if (running) await node.stop({ force: true }) })
    const reference = await node.putBlob(referencePng())
    const candidate = await node.putBlob(goodCandidatePng())
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      ids.push((await node.submitJob({ kind: 'frames', reference: [reference], candidate: [candidate], deadlineMs: network.deadlines.voteMs + i })).jobId)
      if (i === 1) clock.set(clock.now() + 1)
    }
    // Newest first: the third job was created 1 ms later; the first two share a millisecond and go by id.
    const expected = [ids[2] as string, ...[ids[0] as string, ids[1] as string].sort()]
    const list = async (options: Parameters<TrustEngineNode['listJobs']>[0]): Promise<string[]> => (await node.listJobs(options)).map((j) => j.jobId)
    expect(await list({})).toEqual(expected)
    expect(await list({ status: 'pending' })).toEqual(expected)
    expect(await list({ status: 'validated' })).toEqual([])
    expect(await list({ limit: 1, before: expected[0] })).toEqual([expected[1]])
    expect(await list({ limit: 5, status: 'pending', before: expected[1] })).toEqual([expected[2]])
    // Each view is the open job's own, as GET /v1/jobs/:id shows it.
    for (const view of await node.listJobs({})) expect(view).toEqual(await node.getJob(view.jobId))
    expect((await node.listJobs({})).map((j) => [j.status, j.final])).toEqual([['pending', false], ['pending', false], ['pending', false]])
    await node.stop({ force: true })
    running = false

    // The store as an older version left it: no index entries, no index record.
    const store = await openStore(dataDirLayout(dir).db)
    await store.write(async (batch) => {
      for (const bucket of [BUCKETS.jobsByTime, BUCKETS.jobsByStatus]) {
        for await (const [k] of store.iterate({ gte: Uint8Array.of(bucket), lt: Uint8Array.of(bucket + 1) })) batch.del(k)
      }
      batch.del(Buffer.concat([Uint8Array.of(BUCKETS.meta), Buffer.from('jobs.index')]))
    })
    await store.close()

    node = await createNode({ dataDir: dir, network, logLevel: 'silent', clock: clock.now })
    running = true
    expect(await list({})).toEqual(expected)
    expect(await list({ status: 'pending', limit: 2 })).toEqual(expected.slice(0, 2))
  }, 120_000)
})
