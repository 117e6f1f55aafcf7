/** Content-addressed blob files: layout, hash checks, limits, corruption. */
import { mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BlobDir, ERR_BLOB_QUOTA, ERR_BLOB_HASH, ERR_BLOB_ID, ERR_BLOB_TOO_LARGE } from '../../../node/p2p/index.ts'
import { sha256Hex } from '../../../protocol/hash.ts'

let dataDir: string
beforeEach(async () => { dataDir = await mkdtemp(join(tmpdir(), 'te-blobdir-')) })
afterEach(async () => { await rm(dataDir, { recursive: true, force: true }) })

/** Every file under `dir`, relative, sorted. */
async function files (dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort()
  } catch {
    return []
  }
}

async function collect (chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const c of chunks) parts.push(Buffer.from(c))
  return Buffer.concat(parts)
}

describe('BlobDir', () => {
  it('refuses a blob that would take the store past its quota, counting what an earlier process stored', async () => {
    const first = new BlobDir(dataDir, { maxTotalBytes: 2500 })
    await first.put(Buffer.alloc(1000, 1))
    await first.put(Buffer.alloc(1000, 2))
    await first.put(Buffer.alloc(1000, 1)) // already stored: costs nothing
    await expect(first.put(Buffer.alloc(1000, 3))).rejects.toMatchObject({ code: ERR_BLOB_QUOTA, details: { used: 2000, limit: 2500 } })
    // A new instance (a restarted node) reads the usage from disk.
    const again = new BlobDir(dataDir, { maxTotalBytes: 2500 })
    await expect(again.put(Buffer.alloc(600, 4))).rejects.toMatchObject({ code: ERR_BLOB_QUOTA })
    expect(await again.put(Buffer.alloc(500, 4))).toBe(sha256Hex(Buffer.alloc(500, 4)))
  })

  it('stores a blob under blobs/aa/bb/<sha256> and reads it back', async () => {
    const dir = new BlobDir(dataDir)
    const bytes = Buffer.from('a scene')
    const sha = await dir.put(bytes)
    expect(sha).toBe(sha256Hex(bytes))
    expect(await files(join(dataDir, 'blobs'))).toEqual([join(sha.slice(0, 2), sha.slice(2, 4), sha)])
    expect(await dir.has(sha)).toBe(true)
    expect(Buffer.from((await dir.get(sha))!)).toEqual(bytes)
    const src = (await dir.open(sha))!
    expect(src.size).toBe(bytes.length)
    expect(await collect(src.chunks)).toEqual(bytes)
    // Storing again is a no-op.
    expect(await dir.put(bytes, sha)).toBe(sha)
  })

  it('answers null / false for an absent blob', async () => {
    const dir = new BlobDir(dataDir)
    const sha = sha256Hex('absent')
    expect(await dir.has(sha)).toBe(false)
    expect(await dir.get(sha)).toBe(null)
    expect(await dir.open(sha)).toBe(null)
  })

  it('refuses bytes that do not match the expected hash and stores nothing', async () => {
    const dir = new BlobDir(dataDir)
    await expect(dir.put(Buffer.from('evil'), sha256Hex('good'))).rejects.toMatchObject({ code: ERR_BLOB_HASH })
    expect(await files(dataDir)).toEqual([])
  })

  it('refuses a blob over the size limit and stores nothing', async () => {
    const dir = new BlobDir(dataDir, { maxBlobBytes: 10 })
    await expect(dir.put(Buffer.alloc(11))).rejects.toMatchObject({ code: ERR_BLOB_TOO_LARGE })
    expect(await files(dataDir)).toEqual([])
    expect(await dir.put(Buffer.alloc(10))).toBe(sha256Hex(Buffer.alloc(10)))
  })

  it('refuses malformed ids', async () => {
    const dir = new BlobDir(dataDir)
    for (const bad of ['', 'AB'.repeat(32), '../'.repeat(21) + 'a', 'a'.repeat(65)]) {
      await expect(dir.has(bad)).rejects.toMatchObject({ code: ERR_BLOB_ID })
      await expect(dir.get(bad)).rejects.toMatchObject({ code: ERR_BLOB_ID })
    }
  })

  it('never returns a stored blob whose bytes changed on disk: it is quarantined, reads as absent, and a put stores it again', async () => {
    const dir = new BlobDir(dataDir)
    const quarantined: Array<[string, string]> = []
    dir.watchQuarantine((sha, reason) => { quarantined.push([sha, reason]) })
    const sha = await dir.put(Buffer.from('original'))
    await writeFile(dir.pathOf(sha), 'tampered')
    expect(await dir.get(sha)).toBeNull()
    expect(quarantined).toEqual([[sha, 'hash']])
    expect(await dir.has(sha)).toBe(false)
    expect((await readdir(dir.quarantineDir)).map((n) => n.endsWith(`-${sha}`))).toEqual([true])
    expect(await dir.put(Buffer.from('original'))).toBe(sha)
    expect(Buffer.from((await dir.get(sha))!).toString()).toBe('original')
  })

  it('never serves a truncated blob to a peer, and a put over a truncated file repairs it', async () => {
    const dir = new BlobDir(dataDir)
    const quarantined: string[] = []
    dir.watchQuarantine((sha) => { quarantined.push(sha) })
    const bytes = Buffer.alloc(300_000, 7)
    const sha = await dir.put(bytes)
    await truncate(dir.pathOf(sha), 1000)
    expect(await dir.open(sha)).toBeNull()
    expect(quarantined).toEqual([sha])
    await dir.put(bytes)
    await truncate(dir.pathOf(sha), 10)
    // The put finds the file whole or not: here not, so it writes it again.
    expect(await dir.put(bytes)).toBe(sha)
    expect(quarantined).toEqual([sha, sha])
    const source = await dir.open(sha)
    let served = 0
    for await (const chunk of source!.chunks) served += (chunk as Uint8Array).byteLength
    expect([source!.size, served]).toEqual([bytes.length, bytes.length])
  })

  it('verifyAll hashes every blob and quarantines the broken ones, keeping at most maxQuarantined files aside', async () => {
    const dir = new BlobDir(dataDir, { maxQuarantined: 2 })
    const shas = await Promise.all([1, 2, 3, 4].map(async (i) => await dir.put(Buffer.alloc(1000 + i, i))))
    for (const sha of shas.slice(0, 3)) await writeFile(dir.pathOf(sha), 'x')
    const report = await dir.verifyAll()
    expect(report.checked).toBe(4)
    expect([...report.quarantined].sort()).toEqual(shas.slice(0, 3).sort())
    expect((await readdir(dir.quarantineDir)).length).toBe(2)
    expect(await dir.has(shas[3]!)).toBe(true)
  })
})
