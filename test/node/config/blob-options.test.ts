/**
 * The blob storage options of a node process: the config file's `blobs`
 * object, checked at the edge, merged field by field, and in force in a real
 * `trust-engine node` process (its per-uploader quota and its clean-up).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../protocol/hash.ts'
import { CLI, NODE, ROOT, readyLine, stopProcess, tempDir, waitFor } from '../../../sim/cluster.ts'
import { ERR_CONFIG_INVALID, configFileToOptions, parseConfigFile } from '../../../node/config/config-file.ts'
import { DEFAULT_NODE_OPTIONS, ERR_OPTIONS_INVALID, resolveNodeOptions } from '../../../node/config/node-options.ts'

const bytes = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o))
const codeOf = (fn: () => unknown): string | undefined => {
  try { fn(); return undefined } catch (err) { return (err as { code?: string }).code }
}

describe('blob storage options', () => {
  it('come from the config file, later sources winning field by field, absent fields left to their defaults', () => {
    const file = parseConfigFile(bytes({ blobs: { maxTotalBytes: 1e9, uploadGraceMs: 7_200_000 } }))
    expect(resolveNodeOptions([configFileToOptions(file)], '/x').blobs).toEqual({ maxTotalBytes: 1e9, uploadGraceMs: 7_200_000 })
    expect(resolveNodeOptions([configFileToOptions(file), { blobs: { maxPendingBytesPerUploader: 1024, uploadGraceMs: 60_000 } }], '/x').blobs)
      .toEqual({ maxTotalBytes: 1e9, maxPendingBytesPerUploader: 1024, uploadGraceMs: 60_000 })
    expect(DEFAULT_NODE_OPTIONS.blobs).toEqual({})
  })

  it('refuses unknown fields and values that are not positive integers', () => {
    expect(codeOf(() => parseConfigFile(bytes({ blobs: { maxPendingBytes: 5 } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => parseConfigFile(bytes({ blobs: { uploadGraceMs: 0 } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => parseConfigFile(bytes({ blobs: { maxTotalBytes: 1.5 } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => resolveNodeOptions([{ blobs: { sweepIntervalMs: -1 } }], '/x'))).toBe(ERR_OPTIONS_INVALID)
  })
})

describe('a trust-engine node process with blob options', () => {
  const dir = tempDir('blob-options')
  let proc: ChildProcess | null = null
  afterAll(async () => {
    if (proc !== null) await stopProcess(proc)
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses an upload over the configured per-uploader quota and deletes uploads no job named after the configured grace period', async () => {
    const config = join(dir, 'config.json')
    writeFileSync(config, JSON.stringify({ dataDir: 'data', api: '127.0.0.1:0', logLevel: 'warn', blobs: { maxPendingBytesPerUploader: 1000, uploadGraceMs: 300, sweepIntervalMs: 100 } }))
    proc = spawn(NODE, [CLI, 'node', '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const apiUrl = (await readyLine(proc)).apiUrl!
    const upload = async (bytes: Uint8Array): Promise<{ status: number, body: any }> => {
      const r = await fetch(`${apiUrl}/v1/blobs`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes })
      return { status: r.status, body: await r.json() }
    }
    // Over the configured quota on its own (no timing involved), then one within it.
    const refused = await upload(new Uint8Array(1500).fill(2))
    expect([refused.status, refused.body.error.code]).toEqual([507, 'ERR_BLOB_UPLOADER_QUOTA'])
    const first = new Uint8Array(800).fill(1)
    expect((await upload(first)).status).toBe(201)
    const deleted = async (): Promise<number> => {
      const line = (await (await fetch(`${apiUrl}/metrics`)).text()).split('\n').find((l) => l.startsWith('trust_engine_blob_uploads_deleted_total '))
      return Number(line?.split(' ')[1] ?? 0)
    }
    await waitFor(async () => await deleted() >= 1, 'the upload no job named deleted')
    const sha = sha256Hex(first)
    expect(existsSync(join(dir, 'data', 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha))).toBe(false)
  })
})
