/**
 * A folder the user named that cannot be made (a file in the way) is a typed
 * error naming the folder, at the library level and for every command that
 * makes one: before, each of them died with Node's bare EEXIST and its stack.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TrustEngineError } from '../../../protocol/errors.ts'
import { ensureDir } from '../../../node/files/ensure-dir.ts'
import { runCliProcess } from '../cli/run-cli.ts'

const root = mkdtempSync(join(tmpdir(), 'te-ensure-dir-'))
const file = join(root, 'a-file')
writeFileSync(file, 'not a folder')
afterAll(() => { rmSync(root, { recursive: true, force: true }) })

describe('ensureDir', () => {
  it('makes a folder and its parents, and accepts one that exists', () => {
    const dir = join(root, 'x', 'y')
    ensureDir(dir, 'ERR_BAD_ARGS', 'the folder')
    ensureDir(dir, 'ERR_BAD_ARGS', 'the folder')
    expect(statSync(dir).isDirectory()).toBe(true)
  })
  it.skipIf(!existsSync('/proc/self'))('throws under a folder that cannot hold folders (/proc), where Node\'s recursive mkdir spins forever', () => {
    expect(() => { ensureDir('/proc/no-such-trust-engine-folder/data', 'ERR_BAD_ARGS', 'the folder') }).toThrow(expect.objectContaining({ code: 'ERR_BAD_ARGS' }))
  })
  it('makes folders with the mode given', () => {
    const dir = join(root, 'private', 'inner')
    ensureDir(dir, 'ERR_BAD_ARGS', 'the folder', 0o700)
    expect(statSync(dir).mode & 0o777).toBe(0o700 & ~process.umask())
    expect(statSync(join(root, 'private')).mode & 0o777).toBe(0o700 & ~process.umask())
  })
  it('throws the given code, naming the folder, when a file is in the way', () => {
    for (const path of [file, join(file, 'sub')]) {
      let caught: unknown
      try { ensureDir(path, 'ERR_BAD_ARGS', 'the folder') } catch (err) { caught = err }
      expect(caught).toBeInstanceOf(TrustEngineError)
      expect((caught as TrustEngineError).code).toBe('ERR_BAD_ARGS')
      expect((caught as TrustEngineError).message).toContain(path)
    }
  })
})

describe('commands given a folder that is a file', () => {
  it.each([
    ['node --data-dir (development network)', ['node', '--data-dir', file, '--api', '127.0.0.1:0'], 'ERR_OPTIONS_INVALID'],
    ['network init --out', ['network', 'init', '--nodes', '2', '--out', file, '--base-port', '0', '--api-base-port', '0'], 'ERR_OUTPUT_WRITE_FAILED'],
    ['sim run --out, refused before any network starts', ['sim', 'run', 'honest', '--out', file], 'ERR_BAD_ARGS']
  ])('%s: exit 2 with a typed error, no stack', async (_name, args, code) => {
    const r = await runCliProcess(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`error ${code}: `)
    expect(r.stderr).not.toContain('EEXIST')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
  it('measure --evidence', async () => {
    const png = join(root, 'frame.png')
    const { makePng } = await import('../../../sim/scenes.ts')
    writeFileSync(png, makePng(16, 16))
    const r = await runCliProcess(['measure', png, png, '--evidence', file])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('error ERR_OUTPUT_WRITE_FAILED: ')
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(readdirSync(root).sort()).toEqual(['a-file', 'frame.png', 'private', 'x'])
  })
})

describe('a key file under a folder that cannot hold folders', () => {
  it.skipIf(!existsSync('/proc/self'))('keygen exits 2 with ERR_KEY_FILE_IO instead of spinning in mkdir', async () => {
    const r = await runCliProcess(['keygen', '--out', '/proc/no-such-trust-engine-folder/key.json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('error ERR_KEY_FILE_IO: ')
  })
})
