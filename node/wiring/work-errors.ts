/**
 * Codes of the worker pool (measure-worker-pool.ts), declared with their HTTP
 * status because they reach the API: a network-optimized submission runs the
 * optimizer in the pool, bounded by the job's deadline span.
 */
import { declareCode } from '../../protocol/errors.ts'

/**
 * Code of a task lost because its worker thread died or the pool closed: a
 * local failure (gossip: ignore); the API answers 503, the node cannot do the
 * work now (it is stopping, or a worker crashed and the next task starts a
 * fresh one), so a retry may succeed.
 */
export const ERR_MEASURE_WORKER = declareCode('ERR_MEASURE_WORKER', { action: 'ignore', status: 503 })

/**
 * Code of a task cancelled by its signal (deadline, cancellation, node stop):
 * a local failure (gossip: ignore); the API answers 504, the work did not
 * finish within the time the request allowed it (for an optimization, the
 * job's deadline span by the node's clock).
 */
export const ERR_MEASURE_ABORTED = declareCode('ERR_MEASURE_ABORTED', { action: 'ignore', status: 504 })
