/**
 * Decided jobs written as a node writes them, for the retention benchmark
 * and its crash test: each job accepted (record and blob references), its
 * validators' signed votes received, then decided with a real tally, a
 * certificate of the votes and the seed certificate, through the node's own
 * batches (node/job/job-writes.ts); its reference and candidate are blob
 * files of `blobBytes` bytes.
 */
import { join } from 'node:path'
import { buildCertificate } from '../../../protocol/certificate.ts'
import { tally } from '../../../protocol/consensus/tally.ts'
import { jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { type NetworkConfig, networkDigest, parseNetwork } from '../../../protocol/network.ts'
import { buildSeedCertificate, makeSeedShare, verifySeedCertificate } from '../../../protocol/seed.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { newVote, signVote } from '../../../protocol/vote.ts'
import { JobWrites } from '../../../node/job/job-writes.ts'
import { newJobRecord } from '../../../node/job/records.ts'
import { type NodeRepositories, openRepositories } from '../../../node/job/repositories.ts'
import { BlobDir } from '../../../node/p2p/blob-dir.ts'
import { AuditLog } from '../../../node/store/audit.ts'
import { type Store, openStore } from '../../../node/store/db.ts'
import { ensureRetentionIndex } from '../../../node/store/repositories/retention.ts'

/** A data folder's store, audit trail, repositories and blob folder. */
export interface DecidedJobsFolder {
  store: Store
  repos: NodeRepositories
  blobs: BlobDir
  network: NetworkConfig
  /** The node's key (the first validator). */
  key: { publicKey: string, privateKey: string }
}

/** The network of `validators` weight-1 validators the folder's jobs are decided in, and their keys. */
export function decidedJobsNetwork (validators = 4): { network: NetworkConfig, keys: Array<{ publicKey: string, privateKey: string }> } {
  const keys = Array.from({ length: validators }, () => generateKeyPair())
  return { network: parseNetwork({ networkId: 'decided-jobs', protocolVersion: 1, validators: keys.map((k, i) => ({ name: `v${i}`, publicKey: k.publicKey, weight: 1 })) }), keys }
}

/** Opens the store of `dir` (`dir/db`) as the node of `key`, with its audit trail and the retention index. */
export async function openDecidedJobsFolder (dir: string, network: NetworkConfig, key: { publicKey: string, privateKey: string }): Promise<DecidedJobsFolder> {
  const store = await openStore(join(dir, 'db'), { identity: { publicKey: key.publicKey, networkId: network.networkId } })
  const audit = await AuditLog.open(store, key.privateKey)
  await ensureRetentionIndex(store)
  const repos = openRepositories(store, { append: (batch, kind, data, time) => audit.append(batch, kind, data, time) })
  return { store, repos, blobs: new BlobDir(dir), network, key }
}

/**
 * Writes `count` jobs decided one second apart from `start` (ms), each with
 * every validator's agreeing vote; returns their ids and the seconds the
 * node's batches took (signing and blob files not counted).
 */
export async function writeDecidedJobs (folder: DecidedJobsFolder, keys: ReadonlyArray<{ publicKey: string, privateKey: string }>, count: number, start: number, blobBytes: number): Promise<{ jobIds: string[], writeSeconds: number }> {
  const { network, repos, blobs } = folder
  const writes = new JobWrites(repos)
  const submitter = keys[0]!
  const jobIds: string[] = []
  let writeSeconds = 0
  for (let i = 0; i < count; i++) {
    const now = start + i * 1000
    const bytes = (tag: number): Uint8Array => new Uint8Array(blobBytes).map((_, k) => (tag * 131 + k * 31 + i) & 0xff)
    const [reference, candidate] = [await blobs.put(bytes(1)), await blobs.put(bytes(2))]
    const job = signJob(newJob(network, { kind: 'frames', submitter: submitter.publicKey, createdAt: now, reference: [reference], candidate: [candidate], nonce: (start + i).toString(16).padStart(16, '0') }), submitter.privateKey)
    const jobId = jobIdOf(job)
    const seedCertificate = buildSeedCertificate(network, jobId, keys.map((k) => makeSeedShare(network, jobId, k)), submitter.privateKey)
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
    jobIds.push(jobId)
  }
  return { jobIds, writeSeconds }
}
