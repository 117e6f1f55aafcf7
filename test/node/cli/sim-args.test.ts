/**
 * `sim run` and `sim scale` refuse a node log level they do not know before
 * any network starts: exit 2 with `ERR_BAD_ARGS`, nothing run.
 */
import { describe, expect, it } from 'vitest'
import { runCliProcess } from './run-cli.ts'

describe('trust-engine sim --log-level', () => {
  for (const command of [['sim', 'run', 'honest'], ['sim', 'scale', '--sizes', '4']]) {
    it(`${command.slice(0, 2).join(' ')} refuses an unknown level with ERR_BAD_ARGS before starting anything`, async () => {
      const r = await runCliProcess([...command, '--log-level', 'loud'])
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('ERR_BAD_ARGS: --log-level: error, warn or info')
      expect(r.stdout + r.stderr).not.toContain('starting')
    })
  }
})
