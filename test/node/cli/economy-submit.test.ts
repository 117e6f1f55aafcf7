/**
 * `trust-engine submit SCENE --profile economy` and `trust-engine schedules`
 * as real CLI processes against a real in-process node on the manual clock:
 * the schedule printed as JSON and as text, the listing before and after the
 * slot, the API's scheduling codes passed through, and the flag checks.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERR_BAD_ARGS } from '../../../node/cli/args.ts'
import { economyFromFlags } from '../../../node/cli/economy-submit.ts'
import type { TrustEngineNode } from '../../../node/node.ts'
import type { ScheduleView } from '../../../node/types.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { THU_00, WED_10, H, economyTestDir, jobSettled, scheduleFired, smallScene, startEconomyNode, type EconomyTestDir } from '../economy/fixtures.ts'
import { runCliProcess } from './run-cli.ts'

let t: EconomyTestDir
let node: TrustEngineNode
let url: string
let scene: string
let sceneSha: string

beforeAll(async () => {
  t = await economyTestDir()
  node = await startEconomyNode(t, { api: { port: 0 } })
  url = node.info().apiUrl!
  scene = join(t.dir, 'scene.glb')
  const bytes = await smallScene()
  sceneSha = sha256Hex(bytes)
  await writeFile(scene, bytes)
})
afterAll(async () => {
  await node?.stop()
  await t?.remove()
})

const codeOf = (fn: () => unknown): string | undefined => {
  try { fn(); return undefined } catch (err) { return (err as { code?: string }).code }
}

describe('economyFromFlags', () => {
  const economy = { kind: 'scene' as const, candidate: [], profile: 'economy' }
  it('reads a deadline (ISO with an offset, or +Nh) and a budget for economy scene jobs only', () => {
    expect(economyFromFlags(economy, {})).toEqual({})
    expect(economyFromFlags(economy, { optimizeBy: '2026-01-08T06:00:00+01:00', budget: '0.5' })).toEqual({ optimizeBy: '2026-01-08T06:00:00+01:00', budgetUsd: 0.5 })
    expect(economyFromFlags(economy, { optimizeBy: '+6h' }, WED_10)).toEqual({ optimizeBy: WED_10 + 6 * H })
    expect(economyFromFlags({ ...economy, profile: 'balanced' }, {})).toBeNull()
    expect(economyFromFlags({ ...economy, candidate: ['x'] }, {})).toBeNull()
  })
  it('refuses malformed values, economy flags on other jobs, and --wait', () => {
    for (const flags of [{ optimizeBy: '2026-01-08 06:00' }, { optimizeBy: '2026-01-08T06:00:00' }, { optimizeBy: 'tomorrow' }, { optimizeBy: '+h' }, { budget: '-1' }, { budget: '1e3' }, { wait: true }]) {
      expect(codeOf(() => economyFromFlags(economy, flags))).toBe(ERR_BAD_ARGS)
    }
    expect(codeOf(() => economyFromFlags({ ...economy, profile: 'balanced' }, { budget: '1' }))).toBe(ERR_BAD_ARGS)
    expect(codeOf(() => economyFromFlags({ kind: 'frames', candidate: [], profile: 'economy' }, { optimizeBy: '+1h' }))).toBe(ERR_BAD_ARGS)
  })
})

describe('trust-engine submit --profile economy and trust-engine schedules', () => {
  it('prints the schedule, lists it, and shows its job once the slot came', async () => {
    const json = await runCliProcess(['submit', scene, '--profile', 'economy', '--optimize-by', '2026-01-07T23:00:00Z', '--budget', '1', '--api', url, '--json'])
    expect(json.code).toBe(0)
    const early = JSON.parse(json.stdout) as ScheduleView
    expect(early).toMatchObject({ status: 'scheduled', slotStart: Date.parse('2026-01-07T20:00:00Z'), optimizeBy: Date.parse('2026-01-07T23:00:00Z'), budgetUsd: 1, request: { reference: [sceneSha] } })

    const text = await runCliProcess(['submit', scene, '--profile', 'economy', '--api', url])
    expect(text.code).toBe(0)
    expect(text.stderr).toContain(`uploaded ${scene} ${sceneSha}`)
    expect(text.stdout).toMatch(/^schedule {2}[0-9a-f]{32}\nstatus {4}scheduled\nslot {6}2026-01-08T00:00:00\.000Z -> /)
    expect(text.stdout).toContain('(shifted 14 h; deadline 2026-01-08T10:00:00.000Z)')
    expect(text.stdout).toMatch(/saved [0-9.]+ USD, 80\.\d+ %/)

    const listed = await runCliProcess(['schedules', '--api', url, '--json'])
    expect(listed.code).toBe(0)
    const { schedules } = JSON.parse(listed.stdout) as { schedules: ScheduleView[] }
    expect(schedules.map((s) => s.status)).toEqual(['scheduled', 'scheduled'])
    expect(schedules.map((s) => s.scheduleId)).toContain(early.scheduleId)

    t.clock.set(THU_00)
    const fired = await Promise.all(schedules.map(async (s) => await scheduleFired(node, s.scheduleId)))
    for (const f of fired) await jobSettled(node, f.jobId!)
    const after = await runCliProcess(['schedules', '--api', url])
    expect(after.code).toBe(0)
    const lines = after.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^schedule\s+status\s+slot start\s+cost USD\s+saved %\s+job$/)
    const byId = [...fired].sort((a, b) => a.scheduleId.localeCompare(b.scheduleId))
    expect(lines.slice(1).sort()).toEqual(byId.map((f) => expect.stringMatching(new RegExp(`^${f.scheduleId}  started .* ${f.jobId}$`))))
  })

  it('passes the API\'s scheduling codes through with exit code 2, and refuses bad flags', async () => {
    const over = await runCliProcess(['submit', scene, '--profile', 'economy', '--budget', '0.0001', '--api', url])
    expect(over.code).toBe(2)
    expect(over.stderr).toContain('error ERR_SCHEDULE_OVER_BUDGET')
    const past = await runCliProcess(['submit', scene, '--profile', 'economy', '--optimize-by', '2026-01-01T00:00:00Z', '--api', url])
    expect(past.code).toBe(2)
    expect(past.stderr).toContain('error ERR_SCHEDULE_DEADLINE_UNREACHABLE')
    const misplaced = await runCliProcess(['submit', scene, '--budget', '1', '--api', url])
    expect(misplaced.code).toBe(2)
    expect(misplaced.stderr).toContain(`error ${ERR_BAD_ARGS}: --budget`)
  })

  it('schedules --cancel refuses a malformed schedule id before any request', async () => {
    // Port 9 (discard) on loopback: a request would fail ERR_API_UNREACHABLE; a malformed id never gets that far.
    for (const id of ['zz', 'A'.repeat(32), 'a'.repeat(31), 'a'.repeat(64), '../jobs']) {
      const r = await runCliProcess(['schedules', '--cancel', id, '--api', 'http://127.0.0.1:9'])
      expect({ id, code: r.code, stderr: r.stderr }).toEqual({ id, code: 2, stderr: expect.stringContaining(`error ${ERR_BAD_ARGS}: --cancel`) })
    }
    // A well-formed id reaches the node, which knows no such schedule.
    const unknown = await runCliProcess(['schedules', '--cancel', '0'.repeat(32), '--api', url])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('error ERR_SCHEDULE_NOT_FOUND')
  })
})
