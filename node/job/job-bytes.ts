/**
 * The network's bound on one job's blob bytes (`limits.maxJobBytes` in the
 * network file), checked in two places that must agree: the submitter's API
 * (node/wiring/work-estimate.ts, with the other work limits) and every
 * node's own vote (own-vote.ts), from the fetched blobs' sizes before any of
 * them is read back into memory. The sizes are the blobs' own, fixed by
 * their hashes, so every honest node refuses the same jobs.
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { ERR_JOB_OVER_LIMITS } from './errors.ts'

/** Throws `ERR_JOB_OVER_LIMITS` when a job's distinct blobs hold more than the network's `maxJobBytes`. */
export function checkJobBytes (bytes: number, network: Pick<NetworkConfig, 'limits'>): void {
  const { maxJobBytes } = network.limits
  if (bytes > maxJobBytes) throw new TrustEngineError(ERR_JOB_OVER_LIMITS, `job refused: ${bytes} bytes of blobs exceed the network's ${maxJobBytes}`, { details: { bytes } })
}
