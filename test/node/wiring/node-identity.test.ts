/**
 * What a validator checks before it takes part: the network file pins the
 * measurement engine and the optimizer it must run, since honest votes and
 * honest re-executions of network-optimized scene jobs are identical only
 * on identical code. A validator on other code refuses to start rather
 * than look Byzantine; an observer (no votes) starts. Real key files in a
 * temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { OPTIMIZER_GENERATOR } from '../../../node/optimizer/version.ts'
import { loadOrCreateKeyFile } from '../../../node/keys.ts'
import { MEASUREMENT_ENGINE } from '../../../node/wiring/measure-port.ts'
import { resolveIdentity } from '../../../node/wiring/node-identity.ts'
import { DEFAULT_MEASUREMENT_ENGINE, DEFAULT_OPTIMIZER } from '../../../protocol/constants.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { ERR_ENGINE_VERSION } from '../../../protocol/vote.ts'

describe('the code a network file pins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trust-engine-identity-'))
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })
  const keyFile = join(dir, 'key.json')
  const key = loadOrCreateKeyFile(keyFile)
  const network = (measurement?: { engine?: string, optimizer?: string }) => parseNetwork({
    networkId: 'pins',
    protocolVersion: 1,
    validators: [{ name: 'node1', publicKey: key.publicKey, weight: 1 }],
    ...(measurement === undefined ? {} : { measurement })
  })

  it('defaults to this code: the protocol\'s defaults are the node\'s engine and optimizer ids', () => {
    expect(DEFAULT_MEASUREMENT_ENGINE).toBe(MEASUREMENT_ENGINE)
    expect(DEFAULT_OPTIMIZER).toBe(OPTIMIZER_GENERATOR)
    expect(network().measurement).toEqual({ engine: MEASUREMENT_ENGINE, optimizer: OPTIMIZER_GENERATOR })
    expect(resolveIdentity({ network: network(), keyFile, role: 'validator' }).validator?.name).toBe('node1')
  })

  it('a validator refuses to start on another measurement engine or another optimizer', () => {
    for (const pinned of [{ engine: 'trust-engine-measure/2' }, { optimizer: 'trust-engine-optimizer/5' }]) {
      let code: string | undefined
      try {
        resolveIdentity({ network: network(pinned), keyFile })
      } catch (err) {
        code = (err as { code?: string }).code
      }
      expect([pinned, code]).toEqual([pinned, ERR_ENGINE_VERSION])
    }
  })

  it('an observer (no votes, no re-execution) starts whatever the network pins', () => {
    const other = join(dir, 'observer.json')
    loadOrCreateKeyFile(other)
    expect(resolveIdentity({ network: network({ optimizer: 'trust-engine-optimizer/5' }), keyFile: other, role: 'observer' }).validator).toBeUndefined()
  })
})
