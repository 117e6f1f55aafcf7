/**
 * Verification that sees what a viewer sees: generated PBR scenes
 * (verification-scenes.ts) with candidates a person would reject, which must
 * FAIL at the network's default thresholds, and candidates a person would
 * accept, which must PASS. Real files, real renders, real measurements at
 * the default measurement options (views, resolution, region zoom, plan),
 * one seed.
 *
 * Each candidate's row of the table in docs/measurement.md (written by
 * scripts/measurement-table.ts from the same measurement and format,
 * verification-table.ts) must equal the row of this test's measurement, so
 * the committed table is what the code measures.
 */
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { pbrSceneGlb, REJECTED } from './verification-scenes.ts'
import type { SceneReference } from '../../../node/render/scene-reference.ts'
import { allCandidates, type Candidate, committedRows, measureCandidate, originalReference, TABLE_DOC, tableRow } from './verification-table.ts'

let original: Uint8Array
let reference: SceneReference
let candidates: Candidate[] = []
let rows = new Map<string, string>()
beforeAll(async () => {
  original = await pbrSceneGlb()
  candidates = await allCandidates(original)
  reference = await originalReference(original)
  rows = committedRows(readFileSync(new URL(`../../../${TABLE_DOC}`, import.meta.url), 'utf8'))
}, 120_000)

async function check (name: string): Promise<boolean> {
  const c = candidates.find((x) => x.name === name)!
  const r = await measureCandidate(reference, c.bytes)
  expect(rows.get(name)).toBe(tableRow(c, r))
  return r.passes
}

describe('candidates a person would reject fail at the default thresholds', () => {
  for (const name of Object.keys(REJECTED)) {
    it(name, async () => {
      expect(await check(name)).toBe(false)
    }, 600_000)
  }
})

describe('candidates a person would accept pass at the default thresholds', () => {
  it('lossless re-encoding, 12-bit quantization and a mild simplification pass', async () => {
    const accepted = candidates.filter((c) => c.person === 'accepts')
    expect(accepted).toHaveLength(3)
    for (const c of accepted) expect({ name: c.name, passes: await check(c.name) }).toEqual({ name: c.name, passes: true })
  }, 1_800_000)

  it('the table holds every candidate and nothing else', () => {
    expect([...rows.keys()]).toEqual(candidates.map((c) => c.name))
  })
})
