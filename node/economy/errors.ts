/**
 * Codes of the node's economy deferral. Planning errors reuse the economy
 * scheduler's codes (`ERR_SCHEDULE_INVALID`, `ERR_SCHEDULE_DEADLINE_UNREACHABLE`,
 * `ERR_SCHEDULE_OVER_BUDGET`, node/optimizer/errors.ts).
 */
import { declareCode } from '../../protocol/errors.ts'
export { ERR_SCHEDULE_DEADLINE_UNREACHABLE, ERR_SCHEDULE_INVALID, ERR_SCHEDULE_OVER_BUDGET } from '../optimizer/errors.ts'

/** The node already holds its maximum of schedules waiting for their slot (`maxPending`). */
export const ERR_SCHEDULE_QUEUE_FULL = declareCode('ERR_SCHEDULE_QUEUE_FULL', { status: 503 })
/** A schedule that is no longer waiting for its slot (its run started, ended, or it was cancelled) cannot be cancelled. */
export const ERR_SCHEDULE_NOT_CANCELLABLE = declareCode('ERR_SCHEDULE_NOT_CANCELLABLE', { status: 409 })
/** A request for deferral that is not a scene job without a candidate and with profile `economy`. */
export const ERR_SCHEDULE_NOT_ECONOMY = declareCode('ERR_SCHEDULE_NOT_ECONOMY', { status: 400 })
