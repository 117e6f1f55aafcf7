import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { loadKeyFile, peerIdOf } from '../../../../node/keys.ts'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const NODE = join(ROOT, 'node_modules', '.bin', 'node')
const dir = mkdtempSync(join(tmpdir(), 'trust-engine-keygen-'))
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

function cli (...args: string[]): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(NODE, ['bin/trust-engine.js', ...args], { cwd: ROOT, encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('trust-engine keygen', () => {
  it('writes a 0600 key file and prints its public key and peer id', () => {
    const out = join(dir, 'key.json')
    const r = cli('keygen', '--out', out, '--json')
    expect(r.status).toBe(0)
    const printed = JSON.parse(r.stdout) as { publicKey: string, peerId: string }
    const keyFile = loadKeyFile(out)
    expect(printed.publicKey).toBe(keyFile.publicKey)
    expect(printed.peerId).toBe(peerIdOf(keyFile.publicKey).toString())
    expect(statSync(out).mode & 0o777).toBe(0o600)
  })

  it('refuses to overwrite without --force (exit 2, ERR_KEY_FILE_EXISTS), replaces with it', () => {
    const out = join(dir, 'key2.json')
    expect(cli('keygen', '--out', out).status).toBe(0)
    const before = loadKeyFile(out)
    const refused = cli('keygen', '--out', out)
    expect(refused.status).toBe(2)
    expect(refused.stderr).toContain('ERR_KEY_FILE_EXISTS')
    expect(loadKeyFile(out)).toEqual(before)
    expect(cli('keygen', '--out', out, '--force').status).toBe(0)
    expect(loadKeyFile(out).publicKey).not.toBe(before.publicKey)
  })

  it('exits 2 on a usage error', () => {
    expect(cli('keygen').status).toBe(2)
  })
})
