/**
 * `trust-engine node --api-token-file FILE` and `TRUST_ENGINE_API_TOKEN_FILE`:
 * the token read from a file (so it is not visible in `ps`) guards the
 * writing routes; a key file others can read stops the node with its code.
 */
import { spawn } from 'node:child_process'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, NODE, readyLine, stopProcess } from '../../../sim/cluster.ts'
import { runCliProcess } from './run-cli.ts'

let dir: string
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'trust-engine-token-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

const TOKEN = 'a-token-of-more-than-16-chars'

async function uploadStatus (apiUrl: string, token: string | null): Promise<number> {
  const res = await fetch(`${apiUrl}/v1/blobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: new Uint8Array([1, 2, 3])
  })
  await res.arrayBuffer()
  return res.status
}

describe('API token from a file', () => {
  for (const via of ['flag', 'env'] as const) {
    it(`guards the writing routes with the token read from a file (${via})`, async () => {
      const tokenFile = join(dir, `token-${via}`)
      await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 })
      const args = [CLI, 'node', '--data-dir', join(dir, `data-${via}`), '--api', '127.0.0.1:0', '--log-level', 'warn', ...(via === 'flag' ? ['--api-token-file', tokenFile] : [])]
      const proc = spawn(NODE, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...(via === 'env' ? { TRUST_ENGINE_API_TOKEN_FILE: tokenFile } : {}) } })
      try {
        const ready = await readyLine(proc)
        expect(await uploadStatus(ready.apiUrl!, null)).toBe(401)
        expect(await uploadStatus(ready.apiUrl!, TOKEN)).toBe(201)
      } finally {
        await stopProcess(proc)
      }
    })
  }

  it('refuses to start on a key file readable by others, with ERR_KEY_FILE_PERMISSIONS', async () => {
    const dataDir = join(dir, 'data-perm')
    const keygen = await runCliProcess(['keygen', '--out', join(dataDir, 'key.json')])
    expect(keygen.code).toBe(0)
    await chmod(join(dataDir, 'key.json'), 0o644)
    const run = await runCliProcess(['node', '--data-dir', dataDir, '--api', 'off'])
    expect(run.code).not.toBe(0)
    expect(run.stderr).toContain('ERR_KEY_FILE_PERMISSIONS')
  })
})
