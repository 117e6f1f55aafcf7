/**
 * Retention (node/wiring/retention.ts): what one pass frees when it prunes
 * N decided jobs (default 1000, `BENCH_RETENTION_JOBS`), and how fast.
 *
 * Each job is written as a node writes it, through its own batches
 * (scripts/bench/lib/decided-jobs.ts): accepted, four validators' signed
 * votes received, then decided with a certificate of the four votes; its
 * reference and candidate are blob files of 64 KiB. The figures:
 *
 * - the LevelDB folder after the pass (votes deleted, the touched ranges
 *   compacted), beside the folder before it (fully compacted, so the
 *   baseline is not inflated by LevelDB's log);
 * - the blob folder after the pass, beside before it (0: every blob of a
 *   pruned job goes);
 * - jobs pruned per second, beside jobs written per second by the node's
 *   own batches (the same jobs).
 *
 * Certificates, records, verdicts and the audit trail stay, so the store
 * does not shrink to nothing: the ratio is the share a node keeps for good.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EvidenceStore } from '../../node/evidence/evidence-store.ts'
import { BlobKeeper } from '../../node/store/blob-keeper.ts'
import { folderBytes } from '../../node/store/folder-bytes.ts'
import { Retention } from '../../node/wiring/retention.ts'
import { decidedJobsNetwork, openDecidedJobsFolder, writeDecidedJobs } from './lib/decided-jobs.ts'
import { result, type BenchResult, type BenchSuite } from './types.ts'

const JOBS = Number(process.env.BENCH_RETENTION_JOBS ?? 1000)
const BLOB_BYTES = 64 * 1024
const DAY = 24 * 3600 * 1000
const T0 = Date.UTC(2026, 5, 1)

/** The retention suite. */
export const retentionSuite: BenchSuite = {
  name: 'retention',
  run: async (): Promise<BenchResult[]> => {
    const dir = mkdtempSync(join(tmpdir(), 'trust-engine-bench-retention-'))
    const { network, keys } = decidedJobsNetwork(4)
    const folder = await openDecidedJobsFolder(dir, network, keys[0]!)
    const { store, repos, blobs } = folder
    try {
      const { writeSeconds } = await writeDecidedJobs(folder, keys, JOBS, T0, BLOB_BYTES)
      let now = T0 + (JOBS - 1) * 1000
      const all: [Uint8Array, Uint8Array] = [Uint8Array.of(0), Uint8Array.of(0xff)]
      await store.compact(...all)
      const dbBefore = await folderBytes(join(dir, 'db'))
      const blobsBefore = await blobs.usedBytes()

      const keeper = await BlobKeeper.open({ dir: blobs, store, now: () => now })
      const evidence = await EvidenceStore.open(join(dir, 'evidence'))
      now += 7 * DAY
      const retention = new Retention({ store, repos, blobs, keeper, evidence, clock: () => now }, { maxJobsPerPass: JOBS })
      const started = performance.now()
      const pass = await retention.pass()
      const pruneSeconds = (performance.now() - started) / 1000
      if (pass.jobs !== JOBS) throw new Error(`pruned ${pass.jobs} jobs, expected ${JOBS}`)
      const dbAfter = await folderBytes(join(dir, 'db'))
      const blobsAfter = await blobs.usedBytes()
      await keeper.stop()
      return [
        result(`LevelDB folder after pruning ${JOBS} decided jobs`, dbAfter / 1024, 'KiB', 'before the pruning', dbBefore / 1024),
        result(`blob folder after pruning ${JOBS} decided jobs`, blobsAfter / 1024, 'KiB', 'before the pruning', blobsBefore / 1024),
        result('decided jobs pruned (one pass, compaction included)', JOBS / pruneSeconds, 'jobs/s', 'the same jobs written by the node\'s batches', JOBS / writeSeconds)
      ]
    } finally {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
