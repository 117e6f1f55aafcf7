/**
 * Crash safety of retention: a process pruning decided jobs (one job per
 * pass, so it reports each) is killed with SIGKILL at several moments of
 * its work, and after each kill the data folder is consistent: every job is
 * either not pruned (queued, with its votes and blob references) or pruned
 * (not queued, no votes, no references, its blobs gone, one `job.pruned`
 * audit entry), at most the one job cut in the middle has lost blob files
 * while still queued, every certificate verifies, and the audit chain
 * verifies. A last run prunes everything left.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { verifyCertificate } from '../../../protocol/certificate-verify.ts'
import { EvidenceStore } from '../../../node/evidence/evidence-store.ts'
import { verifyAudit } from '../../../node/store/audit-verify.ts'
import { BlobKeeper } from '../../../node/store/blob-keeper.ts'
import { BUCKETS } from '../../../node/store/buckets.ts'
import { blobRefKey, retentionQueueKey } from '../../../node/store/repositories/retention.ts'
import { Retention } from '../../../node/wiring/retention.ts'
import { runUntilKilled } from '../../helpers/kill-child.ts'
import { type DecidedJobsFolder, decidedJobsNetwork, openDecidedJobsFolder, writeDecidedJobs } from '../../../scripts/bench/lib/decided-jobs.ts'

const PRUNER = fileURLToPath(new URL('./fixtures/retention-pruner.ts', import.meta.url))
const JOBS = 30
const T0 = Date.UTC(2026, 6, 1)
const NOW = T0 + JOBS * 1000 + 7 * 24 * 3600 * 1000

const dirs: string[] = []
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }) })

/** Runs the pruner on `dir` and kills it with SIGKILL once it reported `after` pruned jobs (or none left). */
async function pruneAndKill (dir: string, networkJson: string, keyJson: string, after: number): Promise<void> {
  let pruned = 0
  await runUntilKilled(PRUNER, [dir, networkJson, keyJson, String(NOW)], (line, kill) => {
    if (line.startsWith('pass ')) pruned += Number(line.slice(5))
    // Killed right as a report arrives: the child is then somewhere in the next job's prune.
    if (pruned >= after || line === 'pass 0') kill()
  })
}

/** Checks the folder's consistency; returns how many jobs are pruned. */
async function checkConsistent (folder: DecidedJobsFolder, jobIds: string[], blobsOf: Map<string, string[]>): Promise<number> {
  const { store, repos, blobs, network, key } = folder
  const queued = new Set<string>()
  for await (const [k] of store.iterate({ gte: Uint8Array.of(BUCKETS.retentionQueue), lt: Uint8Array.of(BUCKETS.retentionQueue + 1) })) queued.add(retentionQueueKey.decode(k.subarray(1)).jobId)
  const refs = new Map<string, number>()
  for await (const [k] of store.iterate({ gte: Uint8Array.of(BUCKETS.blobRefs), lt: Uint8Array.of(BUCKETS.blobRefs + 1) })) {
    const { jobId } = blobRefKey.decode(k.subarray(1))
    refs.set(jobId, (refs.get(jobId) ?? 0) + 1)
  }
  let prunedEntries = 0
  for await (const [, v] of store.iterate({ gte: Uint8Array.of(BUCKETS.audit), lt: Uint8Array.of(BUCKETS.audit + 1) })) {
    if ((JSON.parse(new TextDecoder().decode(v)) as { kind: string }).kind === 'job.pruned') prunedEntries++
  }
  let pruned = 0
  let cutShort = 0
  for (const jobId of jobIds) {
    const record = (await repos.jobs.get(jobId))!
    const votes = (await repos.votes.listByJob(jobId)).length
    const present = await Promise.all(blobsOf.get(jobId)!.map(async (sha) => await blobs.has(sha)))
    if (record.prunedAt === null) {
      expect([queued.has(jobId), votes, refs.get(jobId) ?? 0]).toEqual([true, 4, 2])
      if (present.some((p) => !p)) cutShort++
    } else {
      pruned++
      expect([queued.has(jobId), votes, refs.get(jobId) ?? 0, present]).toEqual([false, 0, 0, [false, false]])
    }
    expect(record.status).toBe('validated')
    expect(verifyCertificate((await repos.certificates.get(jobId))!, network).ok).toBe(true)
  }
  expect(cutShort).toBeLessThanOrEqual(1)
  expect(prunedEntries).toBe(pruned)
  expect((await verifyAudit(store, key.publicKey, network.networkId)).ok).toBe(true)
  return pruned
}

describe('a retention pass killed with SIGKILL', () => {
  it('leaves a consistent store at every kill, and the next run finishes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trust-engine-retention-crash-'))
    dirs.push(dir)
    const { network, keys } = decidedJobsNetwork(4)
    let folder = await openDecidedJobsFolder(dir, network, keys[0]!)
    const { jobIds } = await writeDecidedJobs(folder, keys, JOBS, T0, 4096)
    const blobsOf = new Map<string, string[]>()
    for (const jobId of jobIds) {
      const job = (await folder.repos.jobs.get(jobId))!.job
      blobsOf.set(jobId, [...job.reference, ...job.candidate])
    }
    await folder.store.close()

    const networkJson = JSON.stringify(network)
    const keyJson = JSON.stringify(keys[0])
    let before = 0
    for (const step of [1, 4, 9]) {
      await pruneAndKill(dir, networkJson, keyJson, step)
      folder = await openDecidedJobsFolder(dir, network, keys[0]!)
      const pruned = await checkConsistent(folder, jobIds, blobsOf)
      expect(pruned).toBeGreaterThanOrEqual(before) // nothing pruned comes back
      before = pruned
      await folder.store.close()
    }
    expect(before).toBeGreaterThan(0)
    expect(before).toBeLessThan(JOBS)

    folder = await openDecidedJobsFolder(dir, network, keys[0]!)
    const keeper = await BlobKeeper.open({ dir: folder.blobs, store: folder.store, now: () => NOW })
    const retention = new Retention({ store: folder.store, repos: folder.repos, blobs: folder.blobs, keeper, evidence: await EvidenceStore.open(join(dir, 'evidence')), clock: () => NOW })
    expect((await retention.pass()).jobs).toBe(JOBS - before)
    expect(await checkConsistent(folder, jobIds, blobsOf)).toBe(JOBS)
    expect(await folder.blobs.usedBytes()).toBe(0)
    await keeper.stop()
    await folder.store.close()
  }, 180_000)
})
