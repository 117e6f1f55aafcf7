import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Level } from 'level'
import { afterAll, describe, expect, it } from 'vitest'
import { generateKeyPair } from '../../../../protocol/signing.ts'
import { auditKey } from '../../../../node/store/audit.ts'
import { openStore } from '../../../../node/store/db.ts'
import { NETWORK_ID, removeTempDirs, tempDir } from '../../store/helpers.ts'
import { buildTrail } from '../../store/trail.ts'

afterAll(removeTempDirs)

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const NODE = join(ROOT, 'node_modules', '.bin', 'node')

function cli (...args: string[]): { status: number | null, stdout: string, stderr: string } {
  const r = spawnSync(NODE, ['bin/trust-engine.js', ...args], { cwd: ROOT, encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('trust-engine audit verify', () => {
  it('exits 0 on an intact trail, 1 naming the first bad entry of a broken one', async () => {
    const dataDir = tempDir()
    const key = await buildTrail(join(dataDir, 'db'), 12)
    const ok = cli('audit', 'verify', '--data-dir', dataDir, '--json')
    expect(ok.status).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, length: 12, head: { seq: 11 }, publicKey: key.publicKey, networkId: NETWORK_ID })
    expect(cli('audit', 'verify', '--data-dir', dataDir).stdout).toContain('intact: 12 entries')

    // Verifying against another key (e.g. the one in the network file) fails at entry 0.
    const foreign = cli('audit', 'verify', '--data-dir', dataDir, '--json', '--public-key', generateKeyPair().publicKey)
    expect(foreign.status).toBe(1)
    expect(JSON.parse(foreign.stdout)).toMatchObject({ ok: false, code: 'ERR_AUDIT_SIGNATURE', seq: 0 })

    const raw = new Level<Uint8Array, Uint8Array>(join(dataDir, 'db'), { keyEncoding: 'view', valueEncoding: 'view' })
    await raw.del(auditKey(6))
    await raw.close()
    const broken = cli('audit', 'verify', '--data-dir', dataDir, '--json')
    expect(broken.status).toBe(1)
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, code: 'ERR_AUDIT_GAP', seq: 6 })
    const text = cli('audit', 'verify', '--data-dir', dataDir)
    expect(text.status).toBe(1)
    expect(text.stdout).toContain('entry 6: ERR_AUDIT_GAP')
  })

  it('names another network id as the cause, with the id the trail was signed under, not a forged signature', async () => {
    const dataDir = tempDir()
    await buildTrail(join(dataDir, 'db'), 3)
    const wrong = cli('audit', 'verify', '--data-dir', dataDir, '--network-id', 'other-net')
    expect(wrong.status).toBe(2)
    expect(wrong.stderr).toContain('ERR_AUDIT_NETWORK_MISMATCH')
    expect(wrong.stderr).toContain(NETWORK_ID)
    expect(wrong.stderr).toContain('other-net')
    expect(wrong.stderr).not.toContain('ERR_AUDIT_SIGNATURE')
    const json = cli('audit', 'verify', '--data-dir', dataDir, '--network-id', 'other-net', '--json')
    expect(json.status).toBe(2)
    expect(json.stderr).toContain('ERR_AUDIT_NETWORK_MISMATCH')
    // The recorded id itself, given explicitly, still verifies.
    expect(cli('audit', 'verify', '--data-dir', dataDir, '--network-id', NETWORK_ID).status).toBe(0)
  })

  it('exits 2 with ERR_STORE_LOCKED while a node holds the store', async () => {
    const dataDir = tempDir()
    await buildTrail(join(dataDir, 'db'), 2)
    const store = await openStore(join(dataDir, 'db'))
    try {
      const r = cli('audit', 'verify', '--data-dir', dataDir)
      expect(r.status).toBe(2)
      expect(r.stderr).toContain('ERR_STORE_LOCKED')
    } finally {
      await store.close()
    }
  })

  it('exits 2 on a missing store, a store without identity, and usage errors', async () => {
    const empty = tempDir()
    const missing = cli('audit', 'verify', '--data-dir', empty)
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain('ERR_STORE_MISSING')
    await (await openStore(join(empty, 'db'))).close()
    const anonymous = cli('audit', 'verify', '--data-dir', empty)
    expect(anonymous.status).toBe(2)
    expect(anonymous.stderr).toContain('ERR_STORE_NO_IDENTITY')
    expect(cli('audit', 'verify').status).toBe(2)
    expect(cli('audit', 'verify', '--data-dir', empty, '--no-such-flag').status).toBe(2)
  })
})
