/**
 * The single-node development network: what `trust-engine node` runs with no
 * network file. The node's key is the only validator, so every job it is
 * given is decided by its own measurement (3·1 > 2·1). The network file is
 * written into the data folder once and reused, so the network id and the
 * audit chain stay the same across restarts.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type NetworkConfig, parseNetwork } from '../../protocol/network.ts'
import { PROTOCOL_VERSION } from '../../protocol/constants.ts'
import { loadOrCreateKeyFile } from '../keys.ts'
import { ensureDir } from '../files/ensure-dir.ts'
import { ERR_OPTIONS_INVALID } from './node-options.ts'

/** Name of the development network file inside the data folder. */
export const DEV_NETWORK_FILE = 'network.json'

/** Name of the only validator of a development network. */
export const DEV_NODE_NAME = 'dev'

/**
 * Returns the development network of `dataDir`, creating the node key (at
 * `keyFile`) and `<dataDir>/network.json` when missing.
 */
export function ensureDevNetwork (dataDir: string, keyFile: string): { network: NetworkConfig, networkFile: string } {
  ensureDir(dataDir, ERR_OPTIONS_INVALID, 'option dataDir: the data folder')
  const key = loadOrCreateKeyFile(keyFile)
  const networkFile = join(dataDir, DEV_NETWORK_FILE)
  if (!existsSync(networkFile)) {
    const network = {
      networkId: `dev-${key.publicKey.slice(0, 8)}`,
      protocolVersion: PROTOCOL_VERSION,
      validators: [{ name: DEV_NODE_NAME, publicKey: key.publicKey, weight: 1 }]
    }
    const tmp = `${networkFile}.tmp`
    writeFileSync(tmp, JSON.stringify(parseNetwork(network), null, 2) + '\n')
    renameSync(tmp, networkFile)
  }
  return { network: parseNetwork(readFileSync(networkFile)), networkFile }
}
