/**
 * Scenario files (sim/scenario.ts) and the seed (sim/seed.ts): validation
 * with stable codes, defaults, and reproducible placement and keys.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scenarioNames, resolveScenario } from '../../sim/library.ts'
import { placeNodes } from '../../sim/network-files.ts'
import { ERR_SCENARIO_INVALID, byzantineShare, loadScenario, parseScenario } from '../../sim/scenario.ts'
import { keyPairFor } from '../../sim/seed.ts'
import { publicKeyOf } from '../../protocol/signing.ts'
import { codeOf } from '../helpers/codes.ts'

describe('scenario files', () => {
  it('fills defaults', () => {
    const s = parseScenario({ name: 'x', nodes: [{ count: 4 }] })
    expect(s.nodes[0]).toEqual({ count: 4, weight: 1, strategy: { kind: 'honest' } })
    expect(s.jobs).toMatchObject({ kind: 'frames', count: 3, quality: 'mixed' })
    expect(s.network).toEqual({ delayMs: 0, jitterMs: 0, partitions: [] })
  })

  it('refuses unknown fields, strategies, nodes and bad seeds with ERR_SCENARIO_INVALID', () => {
    for (const bad of [
      { name: 'x', nodes: [{ count: 4 }], extra: 1 },
      { name: 'x', nodes: [{ strategy: { kind: 'teleport' } }] },
      { name: 'x', nodes: [{ count: 2 }], submitter: 'node3' },
      { name: 'x', nodes: [{ count: 2 }], seed: 'XYZ' },
      { name: 'x', nodes: [{ count: 2 }], network: { partitions: [{ groups: [['node1'], ['node9']] }] } },
      { name: 'x', nodes: [{ count: 2 }], network: { partitions: [{ groups: [['node1'], ['node2']], fromMs: 5, healMs: 5 }] } }
    ]) expect(codeOf(() => parseScenario(bad))).toBe(ERR_SCENARIO_INVALID)
  })

  it('refuses a file that is not JSON or too large', () => {
    const dir = mkdtempSync(join(tmpdir(), 'te-scenario-'))
    writeFileSync(join(dir, 'a.json'), '{ nope')
    expect(codeOf(() => loadScenario(join(dir, 'a.json')))).toBe(ERR_SCENARIO_INVALID)
    writeFileSync(join(dir, 'b.json'), ' '.repeat(300 * 1024))
    expect(codeOf(() => loadScenario(join(dir, 'b.json')))).toBe(ERR_SCENARIO_INVALID)
    expect(codeOf(() => loadScenario(join(dir, 'missing.json')))).toBe(ERR_SCENARIO_INVALID)
  })

  it('every shipped scenario is valid', () => {
    expect(scenarioNames().length).toBeGreaterThanOrEqual(16)
    for (const name of scenarioNames()) expect(resolveScenario(name).name).toBe(name)
  })

  it('the Byzantine share counts weights, with crash nodes honest', () => {
    expect(byzantineShare(resolveScenario('inflate-cartel-34')).share).toBeCloseTo(0.34, 10)
    expect(byzantineShare(resolveScenario('crash-restart')).share).toBe(0)
  })
})

describe('the seed', () => {
  it('places faulty nodes by the seed, the same every time, and not always last', () => {
    const s = parseScenario({ name: 'x', seed: '01', nodes: [{ count: 6 }, { count: 2, strategy: { kind: 'liar' } }] })
    const a = placeNodes(s).map((n) => n.strategy.kind)
    expect(placeNodes(s).map((n) => n.strategy.kind)).toEqual(a)
    const positions = ['01', '02', '03', '04', '05'].map((seed) => placeNodes({ ...s, seed }).findIndex((n) => n.strategy.kind === 'liar'))
    expect(new Set(positions).size).toBeGreaterThan(1)
    expect(placeNodes({ ...s, placement: 'listed' }).slice(6).every((n) => n.strategy.kind === 'liar')).toBe(true)
  })

  it('derives valid, reproducible ed25519 keys', () => {
    const k = keyPairFor('5eed', 'node1')
    expect(keyPairFor('5eed', 'node1')).toEqual(k)
    expect(keyPairFor('5eee', 'node1').publicKey).not.toBe(k.publicKey)
    expect(publicKeyOf(k.privateKey)).toBe(k.publicKey)
  })
})
