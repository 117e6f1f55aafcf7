/**
 * The stop order of a node (node/wiring/shutdown.ts): steps run newest
 * first, a failing step does not keep the others from running, and a second
 * run stops nothing twice.
 */
import { describe, expect, it } from 'vitest'
import { Shutdown } from '../../../node/wiring/shutdown.ts'

describe('a node\'s shutdown', () => {
  it('runs its steps newest first, past a failing one, and each only once', async () => {
    const shutdown = new Shutdown()
    const ran: string[] = []
    shutdown.defer(async () => { ran.push('store') })
    shutdown.defer(() => { ran.push('host') })
    shutdown.defer(async () => { ran.push('engine'); throw new Error('stop failed') })
    shutdown.defer(() => { ran.push('api'); throw new Error('close failed') })
    await shutdown.run()
    expect(ran).toEqual(['api', 'engine', 'host', 'store'])
    await shutdown.run()
    expect(ran).toEqual(['api', 'engine', 'host', 'store'])
  })
})
