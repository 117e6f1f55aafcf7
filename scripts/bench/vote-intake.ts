/**
 * Vote intake: how many gossiped votes per second one core can take in, from
 * bytes to an updated consensus, beside the ceiling set by raw ed25519
 * verification of the same signed bytes with reused key objects.
 *
 * Workload: 100 validators (base weights 1..4) each vote on 10 jobs (1000
 * pre-signed votes, every tenth validator lying), arriving interleaved across
 * jobs as gossip would deliver them, in their canonical encoding as honest
 * nodes publish them. Per vote: readVote, what the node's votes validator
 * runs (size check, JSON parse, canonical-encoding check, schema, metric
 * ranges, network, engine, validator, signature), then the job's incremental
 * JobTally takes the vote and yields the tally. Not included: the node's
 * decision queue and the store write of an accepted vote.
 * Rates are per second of this process's CPU time, so that time the process
 * spends descheduled on a busy machine does not blur the ratios.
 *
 * The goal is intake at 0.8 × raw verification or more. Beside the ratio of
 * the median rates, the median of the ratios taken round by round (each
 * round measures the three variants back to back) is reported against that
 * goal: a slow spell of a shared machine then slows both sides of a ratio
 * alike instead of one side of the medians. Untimed warm-up rounds come
 * first, so that the optimizing compiler is done with the intake path before
 * any round is timed: its threads' CPU time counts for the process, and
 * without them the first rounds paid for it (over a hundred functions
 * compiled in the first, a few still in the fourth, the tally's at tens of
 * milliseconds each on a busy machine, beside about 100 ms for a timed pass)
 * on the intake variants, which run far more JavaScript than raw
 * verification, while a node takes votes for hours.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import { JobTally } from '../../protocol/consensus/job-tally.ts'
import type { Tally } from '../../protocol/consensus/tally.ts'
import { effectiveWeights } from '../../protocol/consensus/weights.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { type JobAnnouncement, jobIdOf, newJob, signJob } from '../../protocol/job.ts'
import { networkDigest, parseNetwork } from '../../protocol/network.ts'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { publicKeyOf, signedBytes } from '../../protocol/signing.ts'
import { type Vote, newVote, readVote, signVote } from '../../protocol/vote.ts'
import { type BenchSuite, measureRate, median, result } from './types.ts'

const VALIDATORS = 100
const JOBS = 10
/** Interleaved measurement rounds (each: warm-up and one timed pass of every variant). */
const ROUNDS = 15
/** Untimed rounds of every variant before the measured ones (see the module comment). */
const WARM_UP_ROUNDS = 6
const T0 = 1_700_000_000_000

function setup () {
  const keys = Array.from({ length: VALIDATORS }, (_, i) => {
    const privateKey = sha256Hex(`bench validator ${i}`)
    return { privateKey, publicKey: publicKeyOf(privateKey) }
  })
  const network = parseNetwork({
    networkId: 'bench',
    protocolVersion: 1,
    validators: keys.map((k, i) => ({ name: `v${i}`, publicKey: k.publicKey, weight: 1 + (i % 4) }))
  })
  const jobs: JobAnnouncement[] = Array.from({ length: JOBS }, (_, j) => signJob(newJob(network, {
    kind: 'frames',
    submitter: keys[j % VALIDATORS]!.publicKey,
    createdAt: T0,
    reference: [sha256Hex(`ref ${j}`)],
    candidate: [sha256Hex(`cand ${j}`)],
    nonce: sha256Hex(`nonce ${j}`).slice(0, 32)
  }), keys[j % VALIDATORS]!.privateKey))
  const jobIds = jobs.map((j) => jobIdOf(j))
  // Honest votes carry one measured value per job; every 10th validator lies.
  const votes: Vote[] = []
  for (let v = 0; v < VALIDATORS; v++) {
    for (let j = 0; j < JOBS; j++) {
      const ssim = v % 10 === 9 ? 0.5 : 0.99 - j * 1e-4
      const psnr = v % 10 === 9 ? 12 : 40 + j / 8
      votes.push(signVote(newVote({
        networkId: 'bench', networkDigest: networkDigest(network), engine: network.measurement.engine, seed: sha256Hex(`seed ${j}`), jobId: jobIds[j]!, round: 0, voter: keys[v]!.publicKey,
        metrics: { ssim, psnr, ssimLocal: ssim }, intervals: { ssim: [ssim - 1e-3, Math.min(1, ssim + 1e-3)], psnr: [psnr - 0.5, psnr + 0.5], ssimLocal: [ssim - 1e-3, Math.min(1, ssim + 1e-3)] }, samples: 24
      }), keys[v]!.privateKey))
    }
  }
  const wire = votes.map((v) => canonicalEncode(v))
  return { network, jobs, jobIds, votes, wire }
}

/** The vote-intake suite (see the module comment). */
export const voteIntake: BenchSuite = {
  name: 'vote-intake',
  async run () {
    const { network, jobs, jobIds, votes, wire } = setup()
    const jobIndex = new Map(jobIds.map((id, i) => [id, i]))
    const weights = effectiveWeights(network, new Map())

    // Baseline: node:crypto ed25519 verify of the same signed bytes, key objects reused.
    const keyObjects = new Map<string, KeyObject>()
    for (const v of network.validators) {
      keyObjects.set(v.publicKey, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(v.publicKey, 'hex').toString('base64url') }, format: 'jwk' }))
    }
    const raw = votes.map((v) => ({ bytes: signedBytes('vote', 'bench', v), key: keyObjects.get(v.voter)!, sig: Buffer.from(v.signature, 'hex') }))
    let rawOk = 0
    const rawVerify = () => {
      rawOk = 0
      for (const r of raw) if (verify(null, r.bytes, r.key, r.sig)) rawOk++
    }

    let last: Tally[] = []
    const intake = (withTally: boolean) => () => {
      const open = jobs.map((job, j) => new JobTally({ network, job, jobId: jobIds[j]!, weights }))
      const tallies: Tally[] = new Array(jobs.length)
      for (const bytes of wire) {
        const vote = readVote(bytes, network)
        if (!withTally) continue
        const j = jobIndex.get(vote.jobId)!
        open[j]!.add(vote)
        tallies[j] = open[j]!.result(T0 + 1)
      }
      last = tallies
    }

    // Interleave the three measurements round by round, rotating their order, so
    // that a shared, noisy machine slows them alike and the ratios stay meaningful.
    const rates = { raw: [] as number[], verifyOnly: [] as number[], full: [] as number[] }
    const variants: Array<[number[], number, () => void]> = [
      [rates.raw, raw.length, rawVerify],
      [rates.verifyOnly, wire.length, intake(false)],
      [rates.full, wire.length, intake(true)]
    ]
    for (let round = 0; round < WARM_UP_ROUNDS; round++) for (const [, , fn] of variants) fn()
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < variants.length; k++) {
        const [into, ops, fn] = variants[(round + k) % variants.length]!
        into.push(await measureRate(ops, fn, 1, 'cpu'))
      }
    }
    if (rawOk !== raw.length) throw new Error('baseline: a signature did not verify')
    const sameRound = (of: number[]): number => median(of.map((rate, i) => rate / rates.raw[i]!))
    const rawRate = median(rates.raw)
    const verifyOnlyRate = median(rates.verifyOnly)
    const intakeRate = median(rates.full)
    // The work must be real: every job ends validated with the liars flagged.
    intake(true)()
    for (const t of last) {
      if (t.status !== 'validated' || t.deviating.length !== VALIDATORS / 10) throw new Error(`unexpected tally ${t.status}`)
    }
    return [
      result('vote validation (decode, canonical, schema, verify, tally)', intakeRate, 'votes/s', 'raw node:crypto ed25519 verify', rawRate),
      result('vote validation without tally', verifyOnlyRate, 'votes/s', 'raw node:crypto ed25519 verify', rawRate),
      result('vote validation ÷ raw verify, median of same-round ratios', sameRound(rates.full), '×', 'goal', 0.8)
    ]
  }
}
