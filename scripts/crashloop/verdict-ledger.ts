/**
 * The verdicts the crash loop saw nodes report through their API, and the
 * two rules they must keep: a verdict a node reported final is never lost
 * nor changed on that node (before or after any restart), and no two nodes
 * report different final verdicts for one job. A disputed status is
 * recorded but not held to: a node that disputed a job at its deadline may
 * still take the job's certificate from a peer later.
 */
import type { JobView } from '../../node/types.ts'

/** A final verdict one node reported, and when the earliest request that saw it was sent. */
export interface SeenVerdict {
  status: string
  at: number
}

/** A broken rule, in one line. */
export interface VerdictViolation {
  rule: 'lost' | 'changed' | 'disagree'
  node: string
  jobId: string
  detail: string
}

/** Final verdicts by node, then job. */
export class VerdictLedger {
  readonly #byNode = new Map<string, Map<string, SeenVerdict>>()
  /** Jobs some node reported decided (final or disputed). */
  readonly #decided = new Set<string>()
  readonly violations: VerdictViolation[] = []

  /**
   * Records what `node` reports of the jobs in `views`, read by a request
   * sent at `sentAt`. Answers come back out of order (a long list read
   * while a short poll is answered): only an answer to a request sent after
   * the one that first saw a job final is held to it.
   */
  observe (node: string, views: readonly JobView[], sentAt: number): void {
    let mine = this.#byNode.get(node)
    if (mine === undefined) this.#byNode.set(node, mine = new Map())
    for (const v of views) {
      if (v.status !== 'pending') this.#decided.add(v.jobId)
      const seen = mine.get(v.jobId)
      if (seen !== undefined) {
        if (seen.at < sentAt && (!v.final || v.status !== seen.status)) {
          this.#violate({ rule: 'changed', node, jobId: v.jobId, detail: `reported final ${seen.status}, now ${v.final ? 'final' : 'not final'} ${v.status}` })
        }
        if (v.final && sentAt < seen.at) mine.set(v.jobId, { status: seen.status, at: sentAt })
        continue
      }
      if (!v.final) continue
      mine.set(v.jobId, { status: v.status, at: sentAt })
      for (const [other, theirs] of this.#byNode) {
        const t = theirs.get(v.jobId)
        if (other !== node && t !== undefined && t.status !== v.status) {
          this.#violate({ rule: 'disagree', node, jobId: v.jobId, detail: `final ${v.status} here, final ${t.status} on ${other}` })
        }
      }
    }
  }

  /**
   * Records that a list of `node`'s jobs read by a request sent at `sentAt`
   * does not hold `jobId`: lost when an earlier request saw it final.
   */
  missing (node: string, jobId: string, sentAt: number): void {
    const seen = this.#byNode.get(node)?.get(jobId)
    if (seen !== undefined && seen.at < sentAt) this.#violate({ rule: 'lost', node, jobId, detail: `reported final ${seen.status}, now unknown to the node` })
  }

  /** The jobs `node` has reported final, with their verdicts. */
  finalsOf (node: string): ReadonlyMap<string, SeenVerdict> {
    return this.#byNode.get(node) ?? new Map()
  }

  /** Whether some node reported `jobId` decided (final or disputed). */
  decided (jobId: string): boolean {
    return this.#decided.has(jobId)
  }

  /** Final verdicts seen in all, over every node. */
  get count (): number {
    let n = 0
    for (const m of this.#byNode.values()) n += m.size
    return n
  }

  #violate (v: VerdictViolation): void {
    // One line per node, job and rule: a job re-read at every poll must not repeat it.
    if (!this.violations.some((x) => x.rule === v.rule && x.node === v.node && x.jobId === v.jobId)) this.violations.push(v)
  }
}
