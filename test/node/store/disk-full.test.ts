/**
 * A node whose data folder fills up, on a real file system made for the
 * test: a tmpfs mounted on a temporary folder (it needs the right to mount,
 * as root in a container or a CI machine has; without it the test is
 * skipped and says so). Uploads stop with 507 `ERR_DISK_FULL` while
 * `minFreeBytes` are still free, never with a file system error; the node
 * keeps serving and still decides a job (its LevelDB writes and audit
 * entries have the room kept free); uploads work again as soon as space
 * returns (the tmpfs is grown); and the audit trail verifies at the end.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { statfs } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startApi } from '../../../node/api/server.ts'
import { generateKeyFile } from '../../../node/keys.ts'
import { createNode } from '../../../node/node.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { apiPoster, mountTmpfs, verifyStoppedTrail, untilFinal, uploadFrames, type ApiAnswer } from './full-disk.ts'

const MiB = 1024 * 1024

const root = mkdtempSync(join(tmpdir(), 'trust-engine-disk-full-'))
const mounted = mountTmpfs(root, '48m')
afterAll(() => {
  if (mounted) execFileSync('umount', [root], { stdio: 'ignore' })
  rmSync(root, { recursive: true, force: true })
})

describe.skipIf(!mounted)('a node whose disk fills up (skipped where mounting a tmpfs is not allowed)', () => {
  it('refuses uploads with ERR_DISK_FULL while space is kept free, keeps serving and deciding, takes uploads again when space returns, and its audit trail verifies', async () => {
    const key = generateKeyFile(join(root, 'key.json'))
    const network = parseNetwork({ networkId: 'disk-full', protocolVersion: 1, validators: [{ name: 'node1', publicKey: key.publicKey, weight: 1 }] })
    const minFreeBytes = 16 * MiB
    const node = await createNode({ dataDir: root, keyFile: join(root, 'key.json'), network, logLevel: 'silent', blobs: { minFreeBytes }, store: { minFreeBytes: 4 * MiB } })
    let stopped = false
    const api = await startApi(node, { port: 0 })
    try {
      const post = apiPoster(api.url)
      const { reference, candidate } = await uploadFrames(post)

      // Distinct 2 MiB blobs until the node refuses one (bounded: 48 MiB cannot hold 30).
      let accepted = 0
      let refused: ApiAnswer | null = null
      for (let i = 0; i < 30 && refused === null; i++) {
        const r = await post('/v1/blobs', new Uint8Array(2 * MiB).fill(i + 1), 'application/octet-stream')
        if (r.status === 201) accepted++
        else refused = r
      }
      expect(accepted).toBeGreaterThanOrEqual(5)
      expect([refused?.status, refused?.body.error.code]).toEqual([507, 'ERR_DISK_FULL'])
      const fs = await statfs(root)
      expect(fs.bavail * fs.bsize).toBeGreaterThanOrEqual(minFreeBytes)
      const metrics = await (await fetch(`${api.url}/metrics`)).text()
      const free = Number(/^trust_engine_disk_free_bytes (\d+)/m.exec(metrics)?.[1])
      expect(free).toBeGreaterThanOrEqual(minFreeBytes)
      expect(free).toBeLessThan(minFreeBytes + 2 * MiB)

      // Still serving, and still deciding: a job of blobs already stored is taken and validated.
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200)
      const job = await post('/v1/jobs', JSON.stringify({ kind: 'frames', reference: [reference], candidate: [candidate] }), 'application/json')
      expect(job.status).toBe(201)
      expect(await untilFinal(node, job.body.jobId)).toEqual(['validated', true])

      // Space returns: the same upload is taken.
      expect(mountTmpfs(root, '96m', true)).toBe(true)
      expect((await post('/v1/blobs', new Uint8Array(2 * MiB).fill(200), 'application/octet-stream')).status).toBe(201)
    } finally {
      await api.close()
      await node.stop()
      stopped = true
    }
    expect(stopped).toBe(true)
    expect(await verifyStoppedTrail(root)).toMatchObject({ ok: true })
  }, 300_000)
})
