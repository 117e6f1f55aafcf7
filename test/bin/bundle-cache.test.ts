/**
 * The launcher's bundle of the `optimize` and `analyze` commands
 * (bin/bundle-cache.js): a first run builds it, later runs use it while its
 * inputs are unchanged and build it again when one changed; the output bytes
 * and the report are those of the sources; a bundle that cannot be built,
 * written or loaded leaves the command running from the sources. Real
 * processes; what each run did is read from its TRUST_ENGINE_BUNDLE_TRACE line.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { makeGlb } from '../../sim/scenes.ts'

const LAUNCHER = resolve(import.meta.dirname, '../../bin/trust-engine.js')
const work = mkdtempSync(join(tmpdir(), 'trust-engine-bundle-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))
const scene = join(work, 'scene.glb')
writeFileSync(scene, await makeGlb({ grids: [6], texture: [16, 16] }))

interface Run { code: number | null, stdout: string, bundle: string, bytes: Buffer | null }

/** Runs the CLI with the bundle traced; `bundle` is the trace line ('' when the bundle was not consulted). */
function run (args: string[], env: Record<string, string>): Run {
  const out = join(work, 'out.glb')
  rmSync(out, { force: true })
  const r = spawnSync(process.execPath, [LAUNCHER, ...args, ...(args[0] === 'optimize' ? ['-o', out] : [])], { encoding: 'utf8', env: { ...process.env, TRUST_ENGINE_BUNDLE_TRACE: '1', ...env } })
  const bundle = r.stderr.split('\n').find((l) => l.startsWith('bundle: ')) ?? ''
  let bytes: Buffer | null = null
  try { bytes = readFileSync(out) } catch {}
  return { code: r.status, stdout: r.stdout.replaceAll(out, 'OUT'), bundle, bytes }
}

const manifestOf = (dir: string): string => join(dir, readdirSync(dir).find((f) => f.endsWith('.json'))!)

describe('bundle of the optimize and analyze commands', () => {
  const optimize = ['optimize', scene, '--profile', 'gaming', '--json']

  it('is built once, then used, and writes the bytes and report of the sources', () => {
    const dir = join(work, 'cache')
    const sources = run(optimize, { TRUST_ENGINE_BUNDLE: '0' })
    expect(sources.bundle).toBe('bundle: off')
    expect(sources.code).toBe(0)
    const first = run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(first.bundle).toMatch(/^bundle: built \(\d+ inputs\)/)
    const names = readdirSync(dir)
    expect(names.filter((f) => f.endsWith('.mjs'))).toHaveLength(1)
    expect(names.filter((f) => f.endsWith('.tmp'))).toEqual([])
    const second = run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(second.bundle).toMatch(/^bundle: hit /)
    for (const r of [first, second]) {
      expect(r.code).toBe(0)
      expect(r.stdout).toBe(sources.stdout)
      expect(r.bytes!.equals(sources.bytes!)).toBe(true)
    }
    const analyze = run(['analyze', scene, '--json'], { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(analyze.bundle).toMatch(/^bundle: hit /)
    expect(analyze.stdout).toBe(run(['analyze', scene, '--json'], { TRUST_ENGINE_BUNDLE: '0' }).stdout)
    // An error keeps its code and exit status.
    const bad = run(['optimize', join(work, 'missing.glb')], { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(bad.bundle).toMatch(/^bundle: hit /)
    expect(bad.code).toBe(2)
    // Other commands never consult it.
    expect(run(['--version'], { TRUST_ENGINE_BUNDLE_DIR: dir }).bundle).toBe('')
  })

  it('is built again when an input changed, not when only its stat did', () => {
    const dir = join(work, 'stale')
    expect(run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir }).bundle).toMatch(/^bundle: built/)
    const path = manifestOf(dir)
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { inputs: Array<[string, string, string | null]> }
    // A stat stamp that differs (a touched file) sends the run to the content, which is unchanged.
    manifest.inputs[0]![2] = '0:0:0:0'
    writeFileSync(path, JSON.stringify(manifest))
    expect(run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir }).bundle).toMatch(/^bundle: hit /)
    // A recorded content that differs is a changed source: a new bundle.
    manifest.inputs[0]![1] = '0'.repeat(64)
    writeFileSync(path, JSON.stringify(manifest))
    const rebuilt = run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(rebuilt.bundle).toMatch(/^bundle: built/)
    expect(rebuilt.code).toBe(0)
    expect(run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir }).bundle).toMatch(/^bundle: hit /)
  })

  it('leaves the command to the sources when the bundle cannot be loaded or written', () => {
    const sources = run(optimize, { TRUST_ENGINE_BUNDLE: '0' })
    const dir = join(work, 'broken')
    expect(run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir }).bundle).toMatch(/^bundle: built/)
    const bundle = join(dir, readdirSync(dir).find((f) => f.endsWith('.mjs'))!)
    writeFileSync(bundle, 'this is not JavaScript')
    const broken = run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(broken.bundle).toMatch(/^bundle: unavailable/)
    expect(broken.code).toBe(0)
    expect(broken.bytes!.equals(sources.bytes!)).toBe(true)
    // The broken bundle is forgotten: the next run builds a good one.
    expect(run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir }).bundle).toMatch(/^bundle: built/)
    // A cache folder that cannot be created (its parent is a file).
    const file = join(work, 'a-file')
    writeFileSync(file, '')
    const unwritable = run(optimize, { TRUST_ENGINE_BUNDLE_DIR: join(file, 'cache') })
    expect(unwritable.bundle).toMatch(/^bundle: unavailable/)
    expect(unwritable.code).toBe(0)
    expect(unwritable.bytes!.equals(sources.bytes!)).toBe(true)
  })

  it('keeps the CLI working where the launcher is run from another folder', () => {
    const out = execFileSync(process.execPath, [LAUNCHER, 'optimize', '--help'], { encoding: 'utf8', cwd: work, env: { ...process.env, TRUST_ENGINE_BUNDLE_DIR: join(work, 'cache') } })
    expect(out).toContain('optimize a glTF/GLB scene')
  })
})
