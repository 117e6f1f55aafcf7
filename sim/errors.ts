/** Error codes of the simulation's own processes (scenario files have theirs in scenario.ts). */
import { declareCode } from '../protocol/errors.ts'

/** A simulation node host that failed with something other than a typed error (printed before it exits with 2). */
export const ERR_NODE_HOST = declareCode('ERR_NODE_HOST', { status: 500 })
