/**
 * Who a node is on its network: its key (loaded, or created when missing),
 * the validator entry that key has in the network file if any, its role and
 * its name. The rules a node checks before it opens anything else: a
 * validator measures with the engine the network pins, a node started as a
 * validator holds a validator's key, and an observer does not.
 */
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
import type { NetworkConfig, Validator } from '../../protocol/network.ts'
import { ERR_ENGINE_VERSION } from '../../protocol/vote.ts'
import { ERR_NOT_VALIDATOR } from '../job/errors.ts'
import { type KeyFile, loadOrCreateKeyFile } from '../keys.ts'
import type { NodeRole } from '../types.ts'
import { OPTIMIZER_GENERATOR } from '../optimizer/version.ts'
import { MEASUREMENT_ENGINE } from './measure-port.ts'

/** Code of an observer started with a validator's key (see `NodeInit.role`). */
export const ERR_OBSERVER_IS_VALIDATOR = declareCode('ERR_OBSERVER_IS_VALIDATOR', { status: 400 })

/** A node's identity on its network. */
export interface NodeIdentity {
  keyFile: KeyFile
  /** The network file's entry for this key; undefined for an observer. */
  validator: Validator | undefined
  role: NodeRole
  /** Shown in logs and `GET /v1/node`. */
  name: string | null
}

/** What {@link resolveIdentity} reads (the matching `NodeInit` fields, with the key file's path resolved). */
export interface NodeIdentityInit {
  network: NetworkConfig
  keyFile: string
  name?: string | null
  role?: NodeRole
}

/** Loads or creates the key and checks it against the network and the role asked for. */
export function resolveIdentity (init: NodeIdentityInit): NodeIdentity {
  const { network } = init
  const keyFile = loadOrCreateKeyFile(init.keyFile)
  const validator = network.validators.find((v) => v.publicKey === keyFile.publicKey)
  if (validator !== undefined && network.measurement.engine !== MEASUREMENT_ENGINE) {
    // Its votes would differ from honest ones for no fault of anyone: refuse to take part rather than look Byzantine.
    throw new TrustEngineError(ERR_ENGINE_VERSION, `the network pins measurement engine ${network.measurement.engine}; this node measures with ${MEASUREMENT_ENGINE}`)
  }
  if (validator !== undefined && network.measurement.optimizer !== OPTIMIZER_GENERATOR) {
    // Its re-execution of network-optimized scene jobs would give other bytes than the honest nodes': the same rule.
    throw new TrustEngineError(ERR_ENGINE_VERSION, `the network pins optimizer ${network.measurement.optimizer}; this node optimizes with ${OPTIMIZER_GENERATOR}`)
  }
  const name = init.name ?? validator?.name ?? null
  if (init.role === 'validator' && validator === undefined) {
    throw new TrustEngineError(ERR_NOT_VALIDATOR, `the key ${keyFile.publicKey} is not a validator of network ${network.networkId}; add it to the network file (trust-engine network add-validator) or start as an observer`)
  }
  if (init.role === 'observer' && validator !== undefined) {
    throw new TrustEngineError(ERR_OBSERVER_IS_VALIDATOR, `the key of validator ${validator.name} cannot run an observer: give the observer a key of its own`)
  }
  return { keyFile, validator, role: validator === undefined ? 'observer' : 'validator', name }
}
