/**
 * What the lockfile lets into an install (docs/decisions.md, "Supply
 * chain"): `npm ci` already refuses a lockfile that does not match
 * package.json; this checks what it would still accept. Every installed
 * package is pinned by a sha512 integrity hash; package.json names only
 * registry versions (no git, file, link or URL sources, which bypass those
 * hashes); and only the reviewed packages run install scripts, so a new
 * dependency (or a new version of one) that starts running code at install
 * time fails here until someone looks at it and adds it below.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>, devDependencies?: Record<string, string> }
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { lockfileVersion: number, packages: Record<string, { version?: string, integrity?: string, link?: boolean, hasInstallScript?: boolean, dev?: boolean }> }

/** Packages allowed to run install scripts, and why each needs to. */
const REVIEWED_INSTALL_SCRIPTS: Record<string, string> = {
  // LevelDB's native binding: the install script picks the prebuilt binary shipped in the package (node-gyp-build), no download.
  'node_modules/classic-level': 'prebuilt LevelDB binding',
  // The bundler of the console (dev only): its script checks the platform binary of its optional dependency
  // (locked, with its hash) and only if that is missing fetches the same package from the registry.
  'node_modules/esbuild': 'platform binary check',
  // Node 22 for the scripts (dev only): its script runs `npm install node-<os>-<arch>@22.23.3` and links that
  // binary. That package comes from the registry outside the lockfile's hashes: the one such fetch, and why
  // production installs and the image (which omit dev dependencies) do not have it.
  'node_modules/node': 'installs and links the Node 22 binary'
}

describe('supply chain: what the lockfile lets in', () => {
  const installed = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && entry.link !== true)

  it('pins every installed package by a sha512 integrity hash', () => {
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(3)
    expect(installed.length).toBeGreaterThan(100)
    expect(installed.filter(([, e]) => !/^sha512-[A-Za-z0-9+/]+=*$/.test(e.integrity ?? '')).map(([p]) => p)).toEqual([])
  })

  it('names only registry versions in package.json, each one in the lockfile', () => {
    const all = { ...pkg.dependencies, ...pkg.devDependencies }
    expect(Object.entries(all).filter(([, range]) => /^(git|file|link|http|https|github):|\//.test(range)).map(([name]) => name)).toEqual([])
    expect(Object.keys(all).filter((name) => lock.packages[`node_modules/${name}`] === undefined)).toEqual([])
  })

  it('lets only the reviewed packages run install scripts', () => {
    expect(installed.filter(([, e]) => e.hasInstallScript === true).map(([p]) => p).sort()).toEqual(Object.keys(REVIEWED_INSTALL_SCRIPTS).sort())
  })
})
