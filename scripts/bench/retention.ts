/**
 * Retention (node/wiring/retention.ts): what one pass frees when it prunes
 * N decided jobs (default 1000, `BENCH_RETENTION_JOBS`), and how fast.
 *
 * Each job is written as a node writes it, through its own batches
 * (node/job/job-writes.ts): accepted (record and blob references), four
 * validators' signed votes received, then decided with a real tally, a
 * certificate of the four votes and the seed certificate; its reference
 * and candidate are blob files of 64 KiB. The figures:
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
import { buildCertificate } from '../../protocol/certificate.ts'
import { tally } from '../../protocol/consensus/tally.ts'
import { jobIdOf, newJob, signJob } from '../../protocol/job.ts'
import { networkDigest, parseNetwork } from '../../protocol/network.ts'
import { buildSeedCertificate, makeSeedShare, verifySeedCertificate } from '../../protocol/seed.ts'
import { generateKeyPair } from '../../protocol/signing.ts'
import { newVote, signVote } from '../../protocol/vote.ts'
import { EvidenceStore } from '../../node/evidence/evidence-store.ts'
import { JobWrites } from '../../node/job/job-writes.ts'
import { newJobRecord } from '../../node/job/records.ts'
import { openRepositories } from '../../node/job/repositories.ts'
import { BlobDir } from '../../node/p2p/blob-dir.ts'
import { AuditLog } from '../../node/store/audit.ts'
import { BlobKeeper } from '../../node/store/blob-keeper.ts'
import { openStore } from '../../node/store/db.ts'
import { folderBytes } from '../../node/store/folder-bytes.ts'
import { ensureRetentionIndex } from '../../node/store/repositories/retention.ts'
import { Retention } from '../../node/wiring/retention.ts'
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
    const keys = Array.from({ length: 4 }, () => generateKeyPair())
    const network = parseNetwork({ networkId: 'bench-retention', protocolVersion: 1, validators: keys.map((k, i) => ({ name: `v${i}`, publicKey: k.publicKey, weight: 1 })) })
    const store = await openStore(join(dir, 'db'), { identity: { publicKey: keys[0]!.publicKey, networkId: network.networkId } })
    try {
      const audit = await AuditLog.open(store, keys[0]!.privateKey)
      await ensureRetentionIndex(store)
      const repos = openRepositories(store, { append: (batch, kind, data, time) => audit.append(batch, kind, data, time) })
      const writes = new JobWrites(repos)
      const blobs = new BlobDir(dir)
      let now = T0
      let writeSeconds = 0
      for (let i = 0; i < JOBS; i++) {
        now = T0 + i * 1000
        const bytes = (tag: number): Uint8Array => new Uint8Array(BLOB_BYTES).fill(tag).map((b, k) => (b + k * 31 + i) & 0xff)
        const [reference, candidate] = [await blobs.put(bytes(1)), await blobs.put(bytes(2))]
        const job = signJob(newJob(network, { kind: 'frames', submitter: keys[0]!.publicKey, createdAt: now, reference: [reference], candidate: [candidate], nonce: i.toString(16).padStart(16, '0') }), keys[0]!.privateKey)
        const jobId = jobIdOf(job)
        const seedCertificate = buildSeedCertificate(network, jobId, keys.map((k) => makeSeedShare(network, jobId, k)), keys[0]!.privateKey)
        const { seed } = verifySeedCertificate(seedCertificate, job, network, jobId)
        const votes = keys.map((k) => signVote(newVote({
          networkId: network.networkId, networkDigest: networkDigest(network), engine: network.measurement.engine, jobId, seed, round: 0, voter: k.publicKey,
          metrics: { ssim: 0.995, psnr: 45, ssimLocal: 0.99 }, intervals: { ssim: [0.994, 0.996], psnr: [44.5, 45.5], ssimLocal: [0.989, 0.991] }, samples: 200
        }), k.privateKey))
        const t = tally({ network, job, votes, reputations: new Map(), now, jobId })
        const cert = buildCertificate(network, job, t, votes, seedCertificate)
        const record = { ...newJobRecord(jobId, job, now), seed: { seed, certificate: seedCertificate } }
        const started = performance.now()
        await writes.accepted(record)
        for (const vote of votes) await writes.received({ vote, receivedAt: now, late: false }, now)
        await writes.decided({ ...record, status: t.status, reason: t.reason, values: t.values, finalizedAt: now }, t, cert, new Map(), now)
        writeSeconds += (performance.now() - started) / 1000
      }
      const all: [Uint8Array, Uint8Array] = [Uint8Array.of(0), Uint8Array.of(0xff)]
      await store.compact(...all)
      const dbBefore = await folderBytes(join(dir, 'db'))
      const blobsBefore = await blobs.usedBytes()

      const keeper = await BlobKeeper.open({ dir: blobs, store, now: () => now })
      const evidence = await EvidenceStore.open(join(dir, 'evidence'))
      now = T0 + (JOBS - 1) * 1000 + 7 * DAY
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
