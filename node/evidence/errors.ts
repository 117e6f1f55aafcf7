/** Error codes of the evidence a node keeps for the jobs it measured. */
import { declareCode } from '../../protocol/errors.ts'

/**
 * The node holds no evidence for this job (or no such file in it): it did not
 * measure the job (an observer, or a job decided before its measurement
 * ended), is still measuring, or dropped the evidence to stay within its bounds.
 */
export const ERR_EVIDENCE_NOT_FOUND = declareCode('ERR_EVIDENCE_NOT_FOUND', { status: 404 })

/** The evidence store's options are malformed. */
export const ERR_EVIDENCE_OPTIONS = declareCode('ERR_EVIDENCE_OPTIONS', { status: 400 })
