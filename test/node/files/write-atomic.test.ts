import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ERR_OUTPUT_WRITE_FAILED, writeFileAtomic } from '../../../node/files/write-atomic.ts'

const dir = mkdtempSync(join(tmpdir(), 'trust-engine-atomic-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('writeFileAtomic', () => {
  it('writes and replaces a file, leaving no temporary file', async () => {
    const path = join(dir, 'a.glb')
    writeFileSync(path, 'old')
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]))
    expect(Array.from(readFileSync(path))).toEqual([1, 2, 3])
    expect(readdirSync(dir)).toEqual(['a.glb'])
  })
  it('fails with ERR_OUTPUT_WRITE_FAILED and leaves nothing behind when the target cannot be written', async () => {
    await expect(writeFileAtomic(join(dir, 'missing-dir', 'b.glb'), new Uint8Array([1]))).rejects.toMatchObject({ code: ERR_OUTPUT_WRITE_FAILED })
    // Renaming over a directory fails after the temporary file was written: it must be removed.
    const target = join(dir, 'is-a-dir')
    mkdirSync(target)
    await expect(writeFileAtomic(target, new Uint8Array([1]))).rejects.toMatchObject({ code: ERR_OUTPUT_WRITE_FAILED })
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
