/**
 * Stable error codes of the optimizer (analysis, optimization, economy
 * scheduling), with scene loading's codes (`node/scene/errors.ts`) re-exported. Codes are part of the public interface: tests, the CLI
 * and the HTTP API rely on them, so a code is never renamed or reused.
 */
import { declareCode } from '../../protocol/errors.ts'
export * from '../scene/errors.ts'
export { ERR_OUTPUT_WRITE_FAILED } from '../files/write-atomic.ts'

/** No setting of the optimize-to-target search measures at or above the quality target (nothing is written). */
export const ERR_OPTIMIZER_TARGET_UNREACHABLE = declareCode('ERR_OPTIMIZER_TARGET_UNREACHABLE', { status: 422 })
/** Simplification removed every triangle of a scene that had some (every part pruned or collapsed within the error): nothing is written. */
export const ERR_OPTIMIZER_NOTHING_LEFT = declareCode('ERR_OPTIMIZER_NOTHING_LEFT', { status: 422 })
/** Scheduling input is invalid (hours, deadline, time zone, calendar, resource). */
export const ERR_SCHEDULE_INVALID = declareCode('ERR_SCHEDULE_INVALID', { status: 400 })
/** The job cannot finish before its deadline even if it starts now. */
export const ERR_SCHEDULE_DEADLINE_UNREACHABLE = declareCode('ERR_SCHEDULE_DEADLINE_UNREACHABLE', { status: 422 })
/** Every feasible slot before the deadline costs more than the job's budget. */
export const ERR_SCHEDULE_OVER_BUDGET = declareCode('ERR_SCHEDULE_OVER_BUDGET', { status: 422 })
