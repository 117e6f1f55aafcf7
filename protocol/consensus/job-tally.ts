/**
 * Incremental tally of one job and round: the consensus rule of tally.ts,
 * maintained as votes arrive so that taking in a vote costs far less than
 * verifying its signature.
 *
 * Per metric the votes are kept sorted by (value, voter key), so the weighted
 * median is one walk without sorting or allocating; weight sums are kept as
 * votes arrive; votes are judged (agreeing or deviating) once, and all of them
 * are judged again only when the consensus values or checks change. The
 * result is exactly that of {@link tally} over the same votes, in any order.
 */
import { type Caveat, caveatsKey, caveatsOf } from '../caveats.ts'
import { TrustEngineError } from '../errors.ts'
import { type JobAnnouncement, jobIdOf } from '../job.ts'
import { type MetricName, type MetricNumbers, type Metrics, metricFromWire, metricsToWire } from '../metrics.ts'
import type { NetworkConfig } from '../network.ts'
import type { Vote, VoteChecks } from '../vote.ts'
import { agreesWithConsensus, metricsAgree, verdictOf } from './agreement.ts'
import {
  ERR_TALLY_INPUT, REASON_AWAITING_VOTES, REASON_DEADLINE, REASON_DEVIATION, REASON_NO_TRUSTED_WEIGHT, REASON_QUORUM,
  type Tally, type TallyStatus
} from './tally-types.ts'
import { compareKeys, insertKey, insertSorted, median, sameKeys } from './sorted-entries.ts'
import type { EffectiveWeights } from './weights.ts'

/** One held vote; its metric values (as numbers) are fields of the entry itself, saving an object per vote. */
interface Entry extends MetricNumbers {
  vote: Vote
  key: string
  weight: number
  base: number
  /** `caveatsKey` of the vote's caveats. */
  caveats: string
}

interface Consensus {
  values: MetricNumbers
  checks: VoteChecks
  caveats: readonly Caveat[]
  /** `caveatsKey(caveats)`. */
  caveatsKey: string
  /** Its parts of a {@link Tally} (wire values, checks, caveats), frozen, made by the first result that shows this consensus. */
  shown?: { values: Metrics, checks: VoteChecks, caveats: Caveat[] }
}

/** A frozen copy of a sorted voter list, shown by every result while the list is unchanged. */
interface ShownKeys {
  version: number
  keys: string[]
}

/** The effective weight behind one caveat list among the held votes. */
interface CaveatWeight {
  /** `caveatsKey(caveats)`. */
  key: string
  caveats: readonly Caveat[]
  weight: number
}

/** Options of a {@link JobTally}. */
export interface JobTallyInit {
  network: NetworkConfig
  job: JobAnnouncement
  /** This node's effective weights (`effectiveWeights(network, reputations)`). */
  weights: EffectiveWeights
  /** The job id if already known; computed from `job` otherwise. */
  jobId?: string
  /** The job's sampling seed (seed.ts) when known: votes naming another seed are refused. */
  seed?: string
}

/** The votes of one job and round on one node, with the consensus kept up to date. */
export class JobTally {
  /** The job's network. */
  readonly network: NetworkConfig
  /** The job being tallied. */
  readonly job: JobAnnouncement
  /** Its id. */
  readonly jobId: string
  private weights: EffectiveWeights
  private readonly seed: string | undefined
  private round: number | null = null
  private readonly entries = new Map<string, Entry>()
  private sorted: Record<MetricName, Entry[]> = { ssim: [], psnr: [], ssimLocal: [] }
  private votedWeight = 0
  private checkFalseWeight = 0
  private checkReportedWeight = 0
  /** Effective weight per caveat list (by `caveatsKey`). */
  private caveatWeights = new Map<string, CaveatWeight>()
  private judged: Consensus | null = null
  private unjudged: Entry[] = []
  private agreeing: string[] = []
  private deviating: string[] = []
  private agreeWeight = 0
  private deviateWeight = 0
  private agreeBaseWeight = 0
  /** Counts the changes of the agreeing set, so that what derives from it is recomputed only when it changes. */
  private agreeingVersion = 0
  private agreeingVotesOf: { version: number, votes: Vote[] } | null = null
  /** Counts the changes of the deviating set, as agreeingVersion counts the agreeing set's. */
  private deviatingVersion = 0
  private shownAgreeing: ShownKeys | null = null
  private shownDeviating: ShownKeys | null = null

  constructor (init: JobTallyInit) {
    this.network = init.network
    this.job = init.job
    this.jobId = init.jobId ?? jobIdOf(init.job)
    this.weights = init.weights
    this.seed = init.seed
  }

  /** Number of votes held. */
  get size (): number {
    return this.entries.size
  }

  /**
   * The votes of the voters the last {@link result} found agreeing, in
   * voter-key order: the same array, not a copy, for as long as that set is
   * unchanged, so a caller can keep what it derives from them (the grey-zone
   * intervals) until the array changes. Do not modify it.
   */
  agreeingVotes (): readonly Vote[] {
    if (this.agreeingVotesOf?.version !== this.agreeingVersion) {
      this.agreeingVotesOf = { version: this.agreeingVersion, votes: this.agreeing.map((key) => this.entries.get(key)!.vote) }
    }
    return this.agreeingVotesOf.votes
  }

  /** The vote held for `voter`, if any (to detect equivocation before adding). */
  voteOf (voter: string): Vote | undefined {
    return this.entries.get(voter)?.vote
  }

  /** The votes held, in arrival order. */
  votes (): Vote[] {
    return [...this.entries.values()].map((e) => e.vote)
  }

  /**
   * Adds a signature-checked vote. Throws `ERR_TALLY_INPUT` for a vote of
   * another network, job, seed or round, by a non-validator, or by a voter
   * already held (check {@link voteOf} and equivocation first).
   */
  add (vote: Vote): void {
    if (vote.networkId !== this.network.networkId) throw inputError('vote for another network')
    if (vote.jobId !== this.jobId) throw inputError('vote for another job')
    if (this.seed !== undefined && vote.seed !== this.seed) throw inputError('vote measured with another seed')
    if (this.round !== null && vote.round !== this.round) throw inputError('votes of different rounds')
    const weight = this.weights.effective.get(vote.voter)
    if (weight === undefined) throw inputError('voter is not a validator')
    if (this.entries.has(vote.voter)) throw inputError('two votes by one voter')
    this.round = vote.round
    const caveats = caveatsOf(vote)
    const entry: Entry = {
      vote,
      key: vote.voter,
      ssim: metricFromWire(vote.metrics.ssim),
      psnr: metricFromWire(vote.metrics.psnr),
      ssimLocal: metricFromWire(vote.metrics.ssimLocal),
      weight,
      base: this.weights.base.get(vote.voter)!,
      caveats: caveats.length === 0 ? '' : caveatsKey(caveats)
    }
    this.entries.set(entry.key, entry)
    insertSorted(this.sorted.ssim, entry, 'ssim')
    insertSorted(this.sorted.psnr, entry, 'psnr')
    insertSorted(this.sorted.ssimLocal, entry, 'ssimLocal')
    this.votedWeight += weight
    const check = vote.checks?.candidateHashMatches
    if (check !== undefined) this.checkReportedWeight += weight
    // A vote without the check counts as passing it.
    if (check === false) this.checkFalseWeight += weight
    const cw = this.caveatWeights.get(entry.caveats)
    if (cw === undefined) this.caveatWeights.set(entry.caveats, { key: entry.caveats, caveats, weight })
    else cw.weight += weight
    this.unjudged.push(entry)
  }

  /** Replaces the effective weights (after the node's reputation view changed) and recomputes. */
  reweigh (weights: EffectiveWeights): void {
    const votes = this.votes()
    this.weights = weights
    this.round = null
    this.entries.clear()
    this.sorted = { ssim: [], psnr: [], ssimLocal: [] }
    this.votedWeight = this.checkFalseWeight = this.checkReportedWeight = 0
    this.caveatWeights = new Map()
    this.judged = null
    this.unjudged = []
    this.agreeing = []
    this.deviating = []
    this.agreeWeight = this.deviateWeight = this.agreeBaseWeight = 0
    this.agreeingVersion++
    this.deviatingVersion++
    for (const v of votes) this.add(v)
  }

  /**
   * The tally at time `now` (ms since the epoch, from the caller's clock).
   * Its values, checks, caveats, agreeing and deviating lists are frozen and
   * shared with the results before and after it for as long as they do not
   * change, so that taking in a vote copies only what it changed.
   */
  result (now: number): Tally {
    const consensus = this.consensus()
    if (consensus !== this.judged) {
      const before = this.agreeing
      const beforeDeviating = this.deviating
      this.judged = consensus
      this.agreeing = []
      this.deviating = []
      this.agreeWeight = this.deviateWeight = this.agreeBaseWeight = 0
      this.unjudged = [...this.entries.values()]
      this.judge(true)
      if (!sameKeys(before, this.agreeing)) this.agreeingVersion++
      if (!sameKeys(beforeDeviating, this.deviating)) this.deviatingVersion++
    } else {
      this.judge(false)
    }

    const totalWeight = this.weights.total
    const totalBaseWeight = this.weights.totalBase
    const final = 3 * this.agreeWeight > 2 * totalWeight && 3 * this.agreeBaseWeight > 2 * totalBaseWeight
    let status: TallyStatus
    let reason: string
    if (final) {
      status = verdictOf(consensus!.values, consensus!.checks, this.job.thresholds) ? 'validated' : 'rejected'
      reason = REASON_QUORUM
    } else if (totalWeight === 0) {
      status = 'disputed'
      reason = REASON_NO_TRUSTED_WEIGHT
    } else if (3 * this.deviateWeight >= totalWeight && !this.quorumStillPossible()) {
      status = 'disputed'
      reason = REASON_DEVIATION
    } else if (now >= this.job.deadline) {
      status = 'disputed'
      reason = REASON_DEADLINE
    } else {
      status = 'pending'
      reason = REASON_AWAITING_VOTES
    }
    // The parts that did not change since the last result are the same frozen objects, not copies.
    const shown = consensus === null ? null : (consensus.shown ??= shownConsensus(consensus))
    if (this.shownAgreeing?.version !== this.agreeingVersion) this.shownAgreeing = shownKeys(this.agreeing, this.agreeingVersion)
    if (this.shownDeviating?.version !== this.deviatingVersion) this.shownDeviating = shownKeys(this.deviating, this.deviatingVersion)
    return {
      jobId: this.jobId,
      round: this.round,
      status,
      final,
      values: shown === null ? null : shown.values,
      checks: shown === null ? null : shown.checks,
      caveats: shown === null ? null : shown.caveats,
      agreeing: this.shownAgreeing.keys,
      deviating: this.shownDeviating.keys,
      agreeWeight: this.agreeWeight,
      deviateWeight: this.deviateWeight,
      totalWeight,
      agreeBaseWeight: this.agreeBaseWeight,
      totalBaseWeight,
      reason
    }
  }

  /**
   * Whether some result could still reach both quorums: the weight agreeing
   * with the best-supported vote, plus the weight of validators that have not
   * voted, is more than 2/3 (effective and base). Deviation from the current
   * weighted median alone is not enough to dispute: while votes arrive, the
   * median can sit on a Byzantine value and make honest votes look deviating,
   * and two Byzantine validators voting different values could otherwise
   * force an early dispute. Quadratic in the votes, but only evaluated once
   * the deviating weight reached a third of the total.
   */
  private quorumStillPossible (): boolean {
    const total = this.weights.total
    const totalBase = this.weights.totalBase
    let votedBase = 0
    for (const e of this.entries.values()) votedBase += e.base
    const outstanding = total - this.votedWeight
    const outstandingBase = totalBase - votedBase
    const entries = [...this.entries.values()]
    for (const candidate of entries) {
      const consensus = { values: candidate, checks: candidate.vote.checks ?? {}, caveats: caveatsOf(candidate.vote) }
      let w = outstanding
      let b = outstandingBase
      for (const e of entries) {
        if (agreesWithConsensus({ values: e, checks: e.vote.checks, caveats: caveatsOf(e.vote) }, consensus, this.job.thresholds, this.network.tolerances)) {
          w += e.weight
          b += e.base
        }
      }
      if (3 * w > 2 * total && 3 * b > 2 * totalBase) return true
    }
    return false
  }

  /**
   * Consensus values (weighted medians) and checks; null while no vote has
   * effective weight. Returns the judged consensus itself when nothing
   * changed, so that the common case (a vote that moves no median) allocates
   * nothing.
   */
  private consensus (): Consensus | null {
    const total = this.votedWeight
    if (total === 0) return null
    const ssim = median(this.sorted.ssim, 'ssim', total)
    const psnr = median(this.sorted.psnr, 'psnr', total)
    const ssimLocal = median(this.sorted.ssimLocal, 'ssimLocal', total)
    // Weighted median of booleans with false first: false when false holds at least half.
    const check = this.checkReportedWeight > 0 ? !(2 * this.checkFalseWeight >= total) : undefined
    const caveats = this.heaviestCaveats()
    const judged = this.judged
    if (judged !== null && judged.values.ssim === ssim && judged.values.psnr === psnr && judged.values.ssimLocal === ssimLocal &&
      judged.checks.candidateHashMatches === check && judged.caveatsKey === caveats.key) return judged
    const checks: VoteChecks = {}
    if (check !== undefined) checks.candidateHashMatches = check
    return { values: { ssim, psnr, ssimLocal }, checks, caveats: caveats.caveats, caveatsKey: caveats.key }
  }

  /**
   * Consensus caveats: the caveat list with the most effective weight among
   * the held votes, ties to the smallest key. Honest votes carry one list, so
   * once they hold more than 2/3 of the effective weight (what finality
   * needs) theirs is the heaviest; before that a Byzantine list may lead and
   * honest votes deviate for a while, as with the weighted medians.
   */
  private heaviestCaveats (): CaveatWeight {
    let best: CaveatWeight | null = null
    for (const cw of this.caveatWeights.values()) {
      if (cw.weight <= 0) continue
      if (best === null || cw.weight > best.weight || (cw.weight === best.weight && cw.key < best.key)) best = cw
    }
    /* c8 ignore next: unreachable while the voted weight is positive */
    if (best === null) throw new Error('heaviestCaveats: unreachable')
    return best
  }

  private judge (rebuild: boolean): void {
    const consensus = this.judged
    const batch = this.unjudged
    if (batch.length === 0) return
    if (consensus === null) {
      batch.length = 0
      return
    }
    const thresholds = this.job.thresholds
    const tolerances = this.network.tolerances
    // agreesWithConsensus (agreement.ts) with the consensus verdict computed once for the batch.
    const consensusVerdict = verdictOf(consensus.values, consensus.checks, thresholds)
    for (const e of batch) {
      if (e.caveats === consensus.caveatsKey && metricsAgree(e, consensus.values, tolerances) && verdictOf(e, e.vote.checks, thresholds) === consensusVerdict) {
        if (rebuild) this.agreeing.push(e.key)
        else {
          insertKey(this.agreeing, e.key)
          this.agreeingVersion++
        }
        this.agreeWeight += e.weight
        this.agreeBaseWeight += e.base
      } else {
        if (rebuild) this.deviating.push(e.key)
        else {
          insertKey(this.deviating, e.key)
          this.deviatingVersion++
        }
        this.deviateWeight += e.weight
      }
    }
    batch.length = 0
    if (rebuild) {
      this.agreeing.sort(compareKeys)
      this.deviating.sort(compareKeys)
    }
  }
}

/** A consensus as a tally shows it: values in wire form, copies of its checks and caveats, all frozen. */
function shownConsensus (consensus: Consensus): NonNullable<Consensus['shown']> {
  return {
    values: Object.freeze(metricsToWire(consensus.values)),
    checks: Object.freeze({ ...consensus.checks }),
    caveats: Object.freeze([...consensus.caveats]) as Caveat[]
  }
}

/** A frozen copy of a voter list at one version. */
function shownKeys (keys: readonly string[], version: number): ShownKeys {
  return { version, keys: Object.freeze(keys.slice()) as string[] }
}

function inputError (message: string): TrustEngineError {
  return new TrustEngineError(ERR_TALLY_INPUT, `tally: ${message}`)
}
