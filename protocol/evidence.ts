/**
 * Equivocation evidence (message type `evidence`).
 *
 * Two different votes signed by one validator for the same job and round
 * prove that the validator is Byzantine: an honest validator signs one vote
 * per job and round. Evidence is self-verifying — anyone holding the network
 * file can check it — so it can be gossiped and acted on (trust 0 for the
 * offender) without trusting whoever relays it. Metric ranges are not checked
 * here: signing an out-of-range vote beside another vote is equivocation too.
 */
import { z } from 'zod'
import { canonicalString } from './canonical.ts'
import { MAX_MESSAGE_BYTES } from './constants.ts'
import { decodeWith } from './decode.ts'
import { TrustEngineError, declareCode } from './errors.ts'
import { networkIdSchema } from './fields.ts'
import { type NetworkConfig, isValidator } from './network.ts'
import { verifyMessage } from './signing.ts'
import { type Vote, voteSchema } from './vote.ts'

/** Code of evidence that does not prove equivocation (`details.reason` says which check failed). */
export const ERR_EVIDENCE_INVALID = declareCode('ERR_EVIDENCE_INVALID', { action: 'reject', status: 400 })

/** Schema of equivocation evidence: two signed votes. */
export const evidenceSchema = z.strictObject({
  type: z.literal('evidence'),
  networkId: networkIdSchema,
  voteA: voteSchema,
  voteB: voteSchema
})

/** Equivocation evidence. */
export type Evidence = z.output<typeof evidenceSchema>

/** Decodes evidence from untrusted bytes (`ERR_TOO_LARGE`, `ERR_MALFORMED`, `ERR_SCHEMA`). */
export function decodeEvidence (bytes: Uint8Array): Evidence {
  return decodeWith(evidenceSchema, bytes, MAX_MESSAGE_BYTES, 'evidence')
}

/**
 * Checks that `evidence` proves equivocation in `network` and returns the
 * offender's public key. Throws `ERR_EVIDENCE_INVALID` unless: the evidence
 * and both votes are for this network, both votes have the same voter, job
 * and round, the voter is a validator, the votes' signed contents differ, and
 * both signatures verify.
 */
export function checkEvidence (evidence: Evidence, network: NetworkConfig): string {
  const { voteA: a, voteB: b } = evidence
  if (evidence.networkId !== network.networkId || a.networkId !== network.networkId || b.networkId !== network.networkId) throw invalid('network')
  if (a.voter !== b.voter) throw invalid('voter')
  if (a.jobId !== b.jobId || a.round !== b.round) throw invalid('job-round')
  if (!isValidator(network, a.voter)) throw invalid('unknown-voter')
  if (bodyOf(a) === bodyOf(b)) throw invalid('same-vote')
  if (!verifyMessage('vote', network.networkId, a, a.voter) || !verifyMessage('vote', network.networkId, b, b.voter)) throw invalid('signature')
  return a.voter
}

/**
 * Evidence when `incoming` conflicts with `existing` (same network, voter,
 * job and round; different signed contents), otherwise `null`. Both votes are
 * assumed signature-checked. The two votes are put in a fixed order, so both
 * arrival orders give the same evidence.
 */
export function detectEquivocation (existing: Vote, incoming: Vote): Evidence | null {
  if (existing.networkId !== incoming.networkId || existing.voter !== incoming.voter) return null
  if (existing.jobId !== incoming.jobId || existing.round !== incoming.round) return null
  const x = bodyOf(existing)
  const y = bodyOf(incoming)
  if (x === y) return null
  const [voteA, voteB] = x < y ? [existing, incoming] : [incoming, existing]
  return { type: 'evidence', networkId: existing.networkId, voteA, voteB }
}

/** Canonical text of a vote without its signature: what the voter signed. */
function bodyOf (vote: Vote): string {
  const { signature: _ignored, ...body } = vote
  return canonicalString(body)
}

function invalid (reason: string): TrustEngineError {
  return new TrustEngineError(ERR_EVIDENCE_INVALID, `evidence does not prove equivocation: ${reason}`, { details: { reason } })
}
