/**
 * A job this node would announce is checked by the schema every peer decodes
 * announcements with, before anything is stored or gossiped: a frames job
 * whose reference and candidate counts differ is refused with `ERR_SCHEMA`
 * (it reached the store before, which refused it as `ERR_STORE_BAD_VALUE`).
 * Real parts: LevelDB store, the blob folder; the network is this node alone.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness } from './engine-harness.ts'

describe('submitting a job the protocol would refuse', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('refuses a frames job with more reference than candidate frames as ERR_SCHEMA, storing nothing', async () => {
    const h = await EngineHarness.create('trust-engine-new-job-')
    cleanups.push(async () => { await h.close() })
    const own = generateKeyPair()
    const network = parseNetwork({ networkId: 'new-job-test', protocolVersion: 1, validators: [{ name: 'node1', publicKey: own.publicKey, weight: 1 }] })
    const { engine } = await h.engine('db', network, own)
    await h.start(engine)
    const a = await h.blobs.put(encodePng(scene(64, 64)))
    const b = await h.blobs.put(encodePng(scene(48, 48)))
    const err = await engine.submit({ kind: 'frames', reference: [a, b], candidate: [a] }).then(() => null, (e: unknown) => e)
    expect((err as { code?: string }).code).toBe('ERR_SCHEMA')
    expect((err as Error).message).toMatch(/candidate/)
    expect(await engine.list({ limit: 10 })).toEqual([])
  })
})
