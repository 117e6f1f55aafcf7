/**
 * The optimizer's version, in a module of its own so that a node can check
 * it at start (node/wiring/node-identity.ts) without loading the optimizer.
 */

/**
 * Version of the optimization procedure, written into every output's
 * `asset.generator`; bump it whenever outputs change, together with
 * DEFAULT_OPTIMIZER (protocol/constants.ts), the id a network file pins.
 */
export const OPTIMIZER_FORMAT_VERSION = 11

/** The `asset.generator` string of optimized scenes (no library version or time: outputs must not vary with either). */
export const OPTIMIZER_GENERATOR = `trust-engine-optimizer/${OPTIMIZER_FORMAT_VERSION}`
