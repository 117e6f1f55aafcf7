/**
 * This node's own vote on a job's round, in two steps that run on different
 * queues: {@link OwnVote.measure} fetches the blobs and measures (seconds to
 * minutes, on the job's work queue), {@link OwnVote.cast} signs, stores then
 * gossips the vote and re-tallies (milliseconds, on the job's decision queue).
 * So votes, evidence and the deadline are never decided behind a measurement.
 */
import { canonicalEncode } from '../../protocol/canonical.ts'
import { TrustEngineError } from '../../protocol/errors.ts'
import { type Vote, newVote, signVote } from '../../protocol/vote.ts'
import { networkDigest } from '../../protocol/network.ts'
import type { BlobBudget, BlobReservation } from './blob-budget.ts'
import type { SeedPhase } from './seed-phase.ts'
import type { JobDecider } from './decider.ts'
import type { FaultContext } from './faults.ts'
import type { JobEngineComponents } from './engine-components.ts'
import type { JobWrites } from './job-writes.ts'
import type { NodeRepositories } from './repositories.ts'
import type { OpenJob, OpenJobs } from './open-jobs.ts'
import type { Measurement } from './ports.ts'
import { type VoteRecord, isTerminal } from './records.ts'
import { clockDeadline, roundDeadline } from './deadline.ts'
import { checkJobBytes } from './job-bytes.ts'
import { ERR_JOB_OVER_LIMITS, ERR_JOB_UNMEASURABLE, ERR_MEASURE, ERR_ROUND_OVER } from './errors.ts'

/**
 * Blobs of one job fetched at once. Each transfer reserves the size its peer
 * declares in the node's blob budget, so large blobs still wait for memory;
 * small ones no longer wait for one another's round trips.
 */
export const BLOB_FETCHES_PER_JOB = 4

/** What the own vote is wired to: the engine's components it reads, and the engine's parts it works with. */
export type OwnVoteComponents = Pick<JobEngineComponents, 'network' | 'key' | 'net' | 'blobs' | 'measure' | 'check' | 'clock' | 'logger' | 'metrics' | 'fault'> & {
  /** Read for the stored record of a job decided before this node's vote. */
  repos: Pick<NodeRepositories, 'jobs'>
  writes: JobWrites
  jobs: OpenJobs
  decider: JobDecider
  seeds: SeedPhase
  /** The node's budget of blob bytes in memory (blob-budget.ts). */
  budget: BlobBudget
}

/** The outcome of measuring a round: a measurement, or the typed failure to record. */
export type MeasureOutcome = { ok: true, measurement: Measurement, seed: string } | { ok: false, code: string, message: string }

/** Measures and casts this node's votes. */
export class OwnVote {
  readonly #components: OwnVoteComponents
  readonly #isValidator: boolean

  /** The own vote of the node whose key is `components.key`. */
  constructor (components: OwnVoteComponents) {
    this.#components = components
    this.#isValidator = components.network.validators.some((v) => v.publicKey === components.key.publicKey)
  }

  /** Whether this node votes on round `round` of `open` (a validator, the job's current round, no own vote yet). */
  votes (open: OpenJob, round: number): boolean {
    const { key } = this.#components
    return this.#isValidator && open.record.round === round && open.rounds[round]?.votes.has(key.publicKey) !== true
  }

  /**
   * Fetches the job's blobs to the blob folder (while the seed phase runs),
   * reads them back within the node's blob budget for the input check, waits
   * for the job's seed (holding no bytes), and measures round `round` with it
   * (the bytes read again within the budget when the seed came meanwhile). Cancelled when the node stops,
   * and at the round's deadline: work never outlives the round it is for.
   * Never throws.
   */
  async measure (open: OpenJob, round: number): Promise<MeasureOutcome> {
    const { blobs, measure, clock, seeds, budget } = this.#components
    const { jobId, job } = open.record
    const end = roundDeadline(job, round)
    if (clock() >= end) return { ok: false, code: ERR_ROUND_OVER, message: 'the round ended before this node could measure it' }
    // Cut at the round's deadline by the node's clock (the decider's rule), not after a span of real time.
    const deadline = clockDeadline(clock, end)
    const signal = AbortSignal.any([open.abort.signal, deadline.signal])
    let hold: BlobReservation | null = null
    try {
      // The blobs are fetched to the blob folder first, a few at a time (each transfer a stream and round trips, which
      // one after another added up on lagging event loops), each transfer within the node's blob budget
      // (blob-budget.ts; the port reserves it), and not held: a job waiting for its seed or its turn holds no bytes.
      const sizes = new Map<string, number>()
      const unique = [...new Set([...job.reference, ...job.candidate])]
      // The first failure stops the other fetches of the job.
      const fetching = new AbortController()
      const fetchSignal = AbortSignal.any([signal, fetching.signal])
      const fetchOne = async (h: string): Promise<void> => {
        sizes.set(h, blobs.fetch !== undefined ? await blobs.fetch(h, job.submitter, fetchSignal) : (await blobs.get(h, job.submitter, fetchSignal)).byteLength)
      }
      let next = 1
      const fetchNext = async (): Promise<void> => {
        while (next < unique.length && !fetchSignal.aborted) await fetchOne(unique[next++]!)
      }
      try {
        // The first alone: until some peer has the job's blobs, a node asks its peers round after round, and asking
        // for every blob at once would multiply that polling (a stream on both sides per ask) on every node. Once
        // it came, the others follow a few at a time, most likely from the peer that sent it.
        await fetchOne(unique[0]!)
        await Promise.all(Array.from({ length: Math.min(BLOB_FETCHES_PER_JOB, unique.length - 1) }, fetchNext))
      } finally {
        fetching.abort()
      }
      const total = [...sizes.values()].reduce((a, b) => a + b, 0)
      // Over the network's limit no honest node reads it back: refused alike everywhere (the sizes are the blobs' own).
      checkJobBytes(total, this.#components.network)
      // Then read back within the budget, a blob named several times held once, for the input check and the measurement.
      const load = async (): Promise<{ reference: Uint8Array[], candidate: Uint8Array[] }> => {
        const read = new Map<string, Uint8Array>()
        const get = async (h: string): Promise<Uint8Array> => {
          let bytes = read.get(h)
          if (bytes === undefined) read.set(h, bytes = await blobs.get(h, job.submitter, signal))
          return bytes
        }
        const out = { reference: [] as Uint8Array[], candidate: [] as Uint8Array[] }
        for (const h of job.reference) out.reference.push(await get(h))
        for (const h of job.candidate) out.candidate.push(await get(h))
        return out
      }
      hold = await budget.reserve(job.submitter, total, signal)
      let inputs: { reference: Uint8Array[], candidate: Uint8Array[] } | null = await load()
      // A job no honest node measures is refused here, from its blobs, before the seed or any decoding.
      await this.#components.check?.(job, inputs, signal)
      // Kept in memory, stored with the own vote: a timing for clients and the latency benchmark.
      open.record = { ...open.record, blobsAt: clock() }
      let seed = open.record.seed?.seed ?? seeds.knownSeed(jobId)
      if (seed === null) {
        // Not held while the seed is awaited: a submitter that never certifies must not keep the budget from other jobs.
        inputs = null
        hold.release()
        seed = await seeds.seedOf(jobId, signal)
        hold = await budget.reserve(job.submitter, total, signal)
        inputs = await load()
      }
      return { ok: true, measurement: await measure(job, jobId, inputs, signal, round, seed), seed }
    } catch (err) {
      const code = err instanceof TrustEngineError ? err.code : ERR_MEASURE
      return { ok: false, code, message: err instanceof Error ? err.message : String(err) }
    } finally {
      hold?.release()
      deadline.clear()
    }
  }

  /**
   * Records a failed measurement of round `round` on the job (shown to
   * clients; no vote is cast). When the job's inputs alone make it
   * unmeasurable (`ERR_JOB_UNMEASURABLE`, `ERR_JOB_OVER_LIMITS`: every honest
   * node fails alike, so no quorum of votes can come), the job is closed at
   * once rather than at its deadline.
   */
  async failed (open: OpenJob, round: number, code: string, message: string): Promise<void> {
    const { logger, writes, clock, decider } = this.#components
    if (isTerminal(open.record.status) || open.record.round !== round) return
    logger.warn({ jobId: open.record.jobId, round, code }, 'could not measure job')
    open.record = { ...open.record, error: { code, message } }
    await writes.measureFailed(open.record, round, code, clock())
    if (code === ERR_JOB_UNMEASURABLE || code === ERR_JOB_OVER_LIMITS) await decider.closeUnmeasurable(open)
  }

  /**
   * Signs, stores (before gossiping: a restart never signs a different vote),
   * counts and gossips the own vote, then re-tallies. When the job was
   * decided meanwhile the vote is still stored and gossiped, as a late vote
   * the others judge, with the job's stored record (what was learnt of the
   * job after it closed stays).
   */
  async cast (open: OpenJob, round: number, measurement: Measurement, seed: string): Promise<void> {
    const { fault, clock, writes, jobs, metrics, net, decider } = this.#components
    if (!this.votes(open, round)) return
    const late = isTerminal(open.record.status)
    const { jobId, job } = open.record
    const ctx: FaultContext = { jobId, round, job, roundDeadline: roundDeadline(job, round) }
    // A simulated fault (node/job/faults.ts) may sign other values, several (equivocation) or none (silent).
    const reported = fault?.votes?.(measurement, ctx) ?? [measurement]
    if (reported.length === 0) return
    const vote = this.#sign(jobId, round, seed, reported[0]!)
    const now = clock()
    const ownMeasurement = {
      metrics: vote.metrics,
      samples: vote.samples,
      ...(measurement.plan === undefined ? {} : { plan: measurement.plan }),
      ...(measurement.checks?.candidateHashMatches === undefined ? {} : { candidateHashMatches: measurement.checks.candidateHashMatches })
    }
    // A decided job's record may have changed since it closed (evidence, judged late votes): the vote goes with the stored one.
    const base = late ? (await this.#components.repos.jobs.get(jobId)) ?? open.record : open.record
    open.record = { ...base, measuredAt: now, ownMeasurement, error: null }
    const voteRecord: VoteRecord = { vote, receivedAt: now, late }
    await writes.ownVote(open.record, vote, voteRecord, now)
    if (!late) jobs.addVote(open, voteRecord)
    metrics.votes.own.inc()
    const publish = async (): Promise<void> => {
      if (reported.length === 1) {
        await net.publish('votes', canonicalEncode(vote))
        return
      }
      // Simulated equivocation: further, different votes, bypassing the double-sign guard.
      const all = [vote, ...reported.slice(1).map((m) => this.#sign(jobId, round, seed, m))].map((v) => canonicalEncode(v))
      await this.#equivocate(all, ctx)
    }
    const at = fault?.publishAt?.(ctx) ?? null
    if (at !== null && at > now) {
      // A simulated slow voter: published later, whatever happens to the job meanwhile.
      setTimeout(() => { publish().catch(() => {}) }, at - now).unref()
    } else {
      await publish()
    }
    if (!late) await decider.retally(open)
  }

  /** Signs and gossips `m` as a vote on a decided job's round (a simulated launderer's late copy; node/job/faults.ts). */
  async publishLate (jobId: string, round: number, m: Measurement): Promise<void> {
    const seed = this.#components.seeds.knownSeed(jobId)
    if (seed === null) return
    await this.#components.net.publish('votes', canonicalEncode(this.#sign(jobId, round, seed, m)))
  }

  /**
   * Publishes a simulated equivocator's different votes: to different peers
   * when its hooks assign them (`votePeers`) and the network can address
   * single peers, else each to every peer, in order.
   */
  async #equivocate (votes: Uint8Array[], ctx: FaultContext): Promise<void> {
    const { fault, net } = this.#components
    const peers = net.topicPeers?.('votes') ?? []
    const assign = fault?.votePeers?.(peers, ctx) ?? null
    if (assign === null || net.publishTo === undefined || peers.length < votes.length) {
      for (const v of votes) await net.publish('votes', v)
      return
    }
    for (const [i, v] of votes.entries()) await net.publishTo('votes', v, peers.filter((_p, k) => assign[k] === i))
  }

  #sign (jobId: string, round: number, seed: string, m: Measurement): Vote {
    const { network, key } = this.#components
    return signVote(newVote({
      networkId: network.networkId,
      networkDigest: networkDigest(network),
      engine: network.measurement.engine,
      jobId,
      seed,
      round,
      voter: key.publicKey,
      metrics: m.metrics,
      intervals: m.intervals,
      samples: m.samples,
      ...(m.checks === undefined ? {} : { checks: m.checks }),
      ...(m.caveats === undefined ? {} : { caveats: m.caveats })
    }), key.privateKey)
  }
}
