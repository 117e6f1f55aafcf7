/**
 * The long-run commands' options (scripts/run-options.ts): defaults, plain
 * decimal numbers only, and every refusal a typed error of the command's
 * code naming the flag.
 */
import { describe, expect, it } from 'vitest'
import { DEFAULT_CRASHLOOP_OPTIONS, ERR_CRASHLOOP_OPTIONS, parseCrashLoopArgs } from '../../scripts/crashloop/options.ts'
import { DEFAULT_SOAK_OPTIONS, ERR_SOAK_OPTIONS, parseSoakArgs } from '../../scripts/soak/options.ts'

const NOW = new Date('2026-01-02T03:04:05.678Z')
const codeAndMessage = (fn: () => unknown): [string | undefined, string | undefined] => {
  try {
    fn()
  } catch (err) {
    return [(err as { code?: string }).code, (err as Error).message]
  }
  return [undefined, undefined]
}

describe('options of the long-run commands', () => {
  it('fill in their defaults and a results folder named after the start time', () => {
    expect(parseSoakArgs([], NOW)).toMatchObject({ minutes: DEFAULT_SOAK_OPTIONS.minutes, nodes: DEFAULT_SOAK_OPTIONS.nodes, out: 'soak-results/2026-01-02T03-04-05-678Z', retentionMinutes: null })
    expect(parseCrashLoopArgs([], NOW)).toMatchObject({ kills: DEFAULT_CRASHLOOP_OPTIONS.kills, keepData: false, minutes: null, out: 'crashloop-results/2026-01-02T03-04-05-678Z' })
    expect(parseSoakArgs(['--minutes', '2', '--max-in-flight', '3', '--out', 'x', '--seed', 'ab'], NOW)).toMatchObject({ minutes: 2, maxInFlight: 3, out: 'x', seed: 'ab' })
    expect(parseCrashLoopArgs(['--kills', '7', '--keep-data', '--minutes', '1.5'], NOW)).toMatchObject({ kills: 7, keepData: true, minutes: 1.5 })
  })

  it('refuse unknown flags, numbers that are not plain decimal and values out of range, naming the flag', () => {
    expect(codeAndMessage(() => parseSoakArgs(['--bogus', '1']))[0]).toBe(ERR_SOAK_OPTIONS)
    expect(codeAndMessage(() => parseCrashLoopArgs(['--bogus']))[0]).toBe(ERR_CRASHLOOP_OPTIONS)
    const [code, message] = codeAndMessage(() => parseSoakArgs(['--max-in-flight', '1e3']))
    expect(code).toBe(ERR_SOAK_OPTIONS)
    expect(message).toMatch(/^--max-in-flight: /)
    expect(codeAndMessage(() => parseCrashLoopArgs(['--kill-window-ms', 'soon']))[1]).toMatch(/^--kill-window-ms: /)
    expect(codeAndMessage(() => parseCrashLoopArgs(['--nodes', '3', '--overlap', '3']))).toEqual([ERR_CRASHLOOP_OPTIONS, '--overlap: must be below --nodes'])
  })
})
