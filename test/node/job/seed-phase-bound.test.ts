/**
 * The seed phase's hold of messages for jobs this node does not know yet is
 * bounded by `maxHeldJobs` (real shares: VRF proofs of a validator's key,
 * checked on intake), and the count it reports for the node's gauge follows
 * it: the oldest held job goes first, and a forgotten job frees its place.
 */
import { describe, expect, it } from 'vitest'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { makeSeedShare } from '../../../protocol/seed.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { SeedPhase } from '../../../node/job/seed-phase.ts'

const keys = [generateKeyPair(), generateKeyPair()]
const network = parseNetwork({ networkId: 'seed-bound', protocolVersion: 1, validators: keys.map((k, i) => ({ name: `v${i}`, publicKey: k.publicKey, weight: 1 })) })

describe('seed phase bound', () => {
  it('holds the shares of at most maxHeldJobs unknown jobs, the oldest going first', async () => {
    const seeds = new SeedPhase({ network, key: keys[0]!, shares: true, publish: async () => {}, jobOf: () => null, onSeed: async () => {}, clock: () => 0 }, { maxHeldJobs: 3 })
    const jobIds = [0, 1, 2, 3, 4].map((i) => sha256Hex(`job ${i}`))
    for (const jobId of jobIds) await seeds.onMessage(canonicalEncode(makeSeedShare(network, jobId, keys[1]!)))
    expect(seeds.heldJobs).toBe(3)
    expect(jobIds.map((id) => seeds.sharesOf(id).length)).toEqual([0, 0, 1, 1, 1])
    seeds.forget(jobIds[4]!)
    expect(seeds.heldJobs).toBe(2)
  })
})
