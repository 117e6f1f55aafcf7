/**
 * The launcher's cache of type-stripped TypeScript (bin/ts-cache.js): a first
 * run fills it, a later run is answered from it (shown by a cached entry
 * edited on purpose), and with the cache off the
 * sources load as usual; another TypeScript entry point (a file this test
 * writes into test/bin/ and removes, as only project files are cached) loads
 * from it with `--import bin/ts-cache-register.js`. Real processes.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const LAUNCHER = resolve(import.meta.dirname, '../../bin/trust-engine.js')
const VERSION_TS = resolve(import.meta.dirname, '../../node/version.ts')
const REGISTER = resolve(import.meta.dirname, '../../bin/ts-cache-register.js')
const dir = mkdtempSync(join(tmpdir(), 'trust-engine-ts-cache-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const run = (env: Record<string, string>): string => execFileSync(process.execPath, [LAUNCHER, '--version'], { encoding: 'utf8', env: { ...process.env, ...env } }).trim()
const keyOf = (source: string): string => createHash('sha256').update(process.version).update('\0').update(source).digest('hex')

describe('type-stripped TypeScript cache', () => {
  it('is filled by a first run and answers later runs', () => {
    const source = readFileSync(VERSION_TS, 'utf8')
    const version = /VERSION = '([^']+)'/.exec(source)![1]!
    expect(run({ TRUST_ENGINE_TS_CACHE_DIR: dir })).toBe(version)
    const entries = readdirSync(dir).filter((f) => f.endsWith('.js'))
    expect(entries).toContain(`${keyOf(source)}.js`)
    expect(entries.filter((f) => f.endsWith('.tmp'))).toEqual([])
    // Stripping keeps every position: the entry has the source's length, types replaced by spaces.
    const entry = readFileSync(join(dir, `${keyOf(source)}.js`), 'utf8')
    expect(entry.length).toBe(source.length)
    // A later run reads the entry, not the source: an entry edited here is what it runs.
    writeFileSync(join(dir, `${keyOf(source)}.js`), entry.replace(`'${version}'`, "'9.9.9-cached'"))
    expect(run({ TRUST_ENGINE_TS_CACHE_DIR: dir })).toBe('9.9.9-cached')
    // Off, the source loads as usual.
    expect(run({ TRUST_ENGINE_TS_CACHE_DIR: dir, TRUST_ENGINE_TS_CACHE: '0' })).toBe(version)
  })

  it('does not read a folder that another user can write', () => {
    const source = readFileSync(VERSION_TS, 'utf8')
    const version = /VERSION = '([^']+)'/.exec(source)![1]!
    const shared = mkdtempSync(join(tmpdir(), 'trust-engine-ts-cache-'))
    try {
      // An entry planted by another user: a trusted folder would run it.
      writeFileSync(join(shared, `${keyOf(source)}.js`), source.replace(`'${version}'`, "'6.6.6-planted'"))
      expect(run({ TRUST_ENGINE_TS_CACHE_DIR: shared })).toBe('6.6.6-planted')
      chmodSync(shared, 0o777)
      expect(run({ TRUST_ENGINE_TS_CACHE_DIR: shared })).toBe(version)
      chmodSync(shared, 0o775)
      expect(run({ TRUST_ENGINE_TS_CACHE_DIR: shared })).toBe(version)
    } finally {
      rmSync(shared, { recursive: true, force: true })
    }
  })

  it('answers another TypeScript entry point through --import bin/ts-cache-register.js, the entry included', () => {
    const entry = resolve(import.meta.dirname, 'ts-cache-entry.ts')
    const own = mkdtempSync(join(tmpdir(), 'trust-engine-ts-cache-'))
    try {
      writeFileSync(entry, "const answer: string = 'stripped'\nprocess.stdout.write(answer)\n")
      const source = readFileSync(entry, 'utf8')
      const runEntry = (): string => execFileSync(process.execPath, ['--import', REGISTER, entry], { encoding: 'utf8', env: { ...process.env, TRUST_ENGINE_TS_CACHE_DIR: own } })
      expect(runEntry()).toBe('stripped')
      expect(readdirSync(own)).toContain(`${keyOf(source)}.js`)
      // the entry itself is read from the cache
      writeFileSync(join(own, `${keyOf(source)}.js`), readFileSync(join(own, `${keyOf(source)}.js`), 'utf8').replace("'stripped'", "'cached'"))
      expect(runEntry()).toBe('cached')
    } finally {
      rmSync(entry, { force: true })
      rmSync(own, { recursive: true, force: true })
    }
  })

  it('names the file and line of TypeScript that Node refuses, as Node does without it', () => {
    const entry = resolve(import.meta.dirname, 'ts-cache-refused.ts')
    const own = mkdtempSync(join(tmpdir(), 'trust-engine-ts-cache-'))
    try {
      writeFileSync(entry, "const answer: string = 'stripped'\nenum Refused { A }\nprocess.stdout.write(answer)\n")
      const stderrOf = (args: string[]): string => spawnSync(process.execPath, [...args, entry], { encoding: 'utf8', env: { ...process.env, TRUST_ENGINE_TS_CACHE_DIR: own } }).stderr
      const located = `${pathToFileURL(entry).href}:2\n`
      expect(stderrOf([])).toContain(located)
      const hooked = stderrOf(['--import', REGISTER])
      expect(hooked).toContain(located)
      expect(hooked).toContain('ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX')
    } finally {
      rmSync(entry, { force: true })
      rmSync(own, { recursive: true, force: true })
    }
  })
})
