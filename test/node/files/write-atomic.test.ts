import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
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
  it('replaces no device, socket or link to one with a regular file', async () => {
    // A link to /dev/null stands for /dev/null itself, which a test must not risk replacing.
    const link = join(dir, 'null-link')
    symlinkSync('/dev/null', link)
    await expect(writeFileAtomic(link, new Uint8Array([1]))).rejects.toMatchObject({ code: ERR_OUTPUT_WRITE_FAILED, message: `cannot write ${link}: not a regular file` })
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(readlinkSync(link)).toBe('/dev/null')
    const socket = join(dir, 'socket')
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(socket, resolve))
    try {
      await expect(writeFileAtomic(socket, new Uint8Array([1]))).rejects.toMatchObject({ code: ERR_OUTPUT_WRITE_FAILED })
      expect(lstatSync(socket).isSocket()).toBe(true)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
    // A link to a regular file is replaced as before (the link, not its target).
    const target = join(dir, 'target.glb')
    writeFileSync(target, 'old')
    const fileLink = join(dir, 'file-link')
    symlinkSync(target, fileLink)
    await writeFileAtomic(fileLink, new Uint8Array([2]))
    expect(Array.from(readFileSync(fileLink))).toEqual([2])
    expect(readFileSync(target, 'utf8')).toBe('old')
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
