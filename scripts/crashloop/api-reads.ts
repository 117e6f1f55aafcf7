/**
 * The reads of a node's public HTTP API the crash loop's checks make: every
 * job it knows (paged), one job, its health, its reputations and each
 * validator's whole reputation history (paged). Bounded by the API client's
 * own limits and a timeout per request.
 */
import { ApiClient } from '../../node/cli/api-client.ts'
import { ERR_JOB_NOT_FOUND } from '../../node/api/errors.ts'
import type { JobView, ReputationView } from '../../node/types.ts'
import type { ReputationPoint } from '../../node/job/reputation-history.ts'

/** Jobs per page of the list (the API's `maxListLimit` is 1000; views with their votes are a few KiB each). */
const JOB_PAGE = 200
/** Points per page of a validator's history (the API's `maxListLimit`). */
const HISTORY_PAGE = 1000

/** A client whose requests give up after `timeoutMs` (a node killed mid-request must not hang the loop). */
export function clientOf (apiUrl: string, timeoutMs = 30_000): ApiClient {
  return new ApiClient(apiUrl, { requestTimeoutMs: timeoutMs })
}

/** One page of the node's newest jobs. */
export async function newestJobs (apiUrl: string, limit = 50, timeoutMs = 30_000): Promise<JobView[]> {
  return ((await clientOf(apiUrl, timeoutMs).request('GET', `/v1/jobs?limit=${limit}`)) as { jobs: JobView[] }).jobs
}

/** Every job the node knows, newest first. */
export async function allJobs (apiUrl: string): Promise<JobView[]> {
  const client = clientOf(apiUrl)
  const out: JobView[] = []
  for (let before: string | null = null; ;) {
    const page: JobView[] = ((await client.request('GET', `/v1/jobs?limit=${JOB_PAGE}${before === null ? '' : `&before=${before}`}`)) as { jobs: JobView[] }).jobs
    out.push(...page)
    if (page.length < JOB_PAGE) return out
    before = page.at(-1)!.jobId
  }
}

/** The node's view of one job; null when it does not know the job. */
export async function jobOf (apiUrl: string, jobId: string, timeoutMs = 30_000): Promise<JobView | null> {
  try {
    return await clientOf(apiUrl, timeoutMs).getJob(jobId)
  } catch (err) {
    if ((err as { code?: unknown }).code === ERR_JOB_NOT_FOUND) return null
    throw err
  }
}

/** `GET /healthz`; null when the node does not answer. */
export async function healthOf (apiUrl: string, timeoutMs = 5000): Promise<{ ok: boolean, peers: number, gossipPeers: number } | null> {
  try {
    const res = await fetch(`${apiUrl}/healthz`, { signal: AbortSignal.timeout(timeoutMs) })
    return await res.json() as { ok: boolean, peers: number, gossipPeers: number }
  } catch {
    return null
  }
}

/** The node's reputation of every validator. */
export async function reputationsOf (apiUrl: string): Promise<ReputationView[]> {
  return ((await clientOf(apiUrl).request('GET', '/v1/reputation')) as { validators: ReputationView[] }).validators
}

/** Every point of each validator's reputation history on the node, newest first. */
export async function historyOf (apiUrl: string, validators: readonly string[]): Promise<Array<{ publicKey: string, points: ReputationPoint[] }>> {
  const client = clientOf(apiUrl)
  const out = []
  for (const publicKey of validators) {
    const points: ReputationPoint[] = []
    for (let before: number | null = null; ;) {
      const answer = (await client.request('GET', `/v1/reputation/history?validator=${publicKey}&limit=${HISTORY_PAGE}${before === null ? '' : `&before=${before}`}`)) as { validators: Array<{ points: ReputationPoint[] }> }
      const page = answer.validators[0]?.points ?? []
      points.push(...page)
      if (page.length < HISTORY_PAGE) break
      before = page.at(-1)!.seq
    }
    out.push({ publicKey, points })
  }
  return out
}
