/**
 * The launcher's cache of type-stripped TypeScript (bin/ts-cache.js): a first
 * run fills it, a later run is answered from it (shown by a cached entry
 * edited on purpose), and with the cache off the
 * sources load as usual. Real processes of the launcher.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const LAUNCHER = resolve(import.meta.dirname, '../../bin/trust-engine.js')
const VERSION_TS = resolve(import.meta.dirname, '../../node/version.ts')
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
})
