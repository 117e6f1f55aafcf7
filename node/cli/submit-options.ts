/**
 * What a `submit` asks for once its flags are parsed, shared by the plain
 * submission (`commands/submit.ts`) and the economy one (`economy-submit.ts`),
 * so neither imports the other.
 */
import type { SubmitJobRequest } from '../types.ts'

/** Options of a submission (see `submitJob` and `submitEconomyJob`): the job's fields, with local files instead of blob hashes. */
export interface SubmitOptions extends Pick<SubmitJobRequest, 'kind' | 'thresholds' | 'deadlineMs' | 'profile'> {
  /** Base URL of the node's API. */
  api: string
  /** Bearer token of the writing routes. */
  token: string | undefined
  /** Paths of the reference files, uploaded before the job is created. */
  reference: string[]
  /** Paths of the candidate files. */
  candidate: string[]
  /** Poll until the job settles. */
  wait: boolean
  /** How long `wait` waits, in ms. */
  timeoutMs: number
  /** Poll interval of `wait`, in ms. */
  pollMs: number
}
