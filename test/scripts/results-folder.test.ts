/**
 * `npm run soak` and `npm run crashloop` write their results at the end of a
 * run of minutes to hours: an --out that cannot be a folder (a file in the
 * way) is refused before any node starts (exit 2 with the script's options
 * code), not found by a bare EEXIST once the run is over and its results lost.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runProcess } from '../helpers/run-process.ts'

const root = mkdtempSync(join(tmpdir(), 'te-results-folder-'))
const file = join(root, 'a-file')
writeFileSync(file, 'not a folder')
afterAll(() => { rmSync(root, { recursive: true, force: true }) })

describe('results folder of the long runs', () => {
  it.each([
    // Short runs, so that without the check the run ends soon and its EEXIST fails the test quickly.
    ['soak', 'ERR_SOAK_OPTIONS', ['--minutes', '0.02', '--nodes', '3']],
    ['crashloop', 'ERR_CRASHLOOP_OPTIONS', ['--kills', '1', '--nodes', '3']]
  ])('%s --out FILE exits 2 with %s before starting anything', async (script, code, args) => {
    const path = fileURLToPath(new URL(`../../scripts/${script}.ts`, import.meta.url))
    const r = await runProcess(process.execPath, [path, ...args, '--out', file])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`error ${code}: --out: the results folder ${file} cannot be created`)
    expect(r.stdout + r.stderr).not.toContain('starting')
  })
})
