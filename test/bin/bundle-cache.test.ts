/**
 * The launcher's bundle of the `optimize` and `analyze` commands
 * (bin/bundle-cache.js): a first run builds it, later runs use it while its
 * inputs are unchanged and build it again when one changed; the output bytes
 * and the report are those of the sources; a bundle that cannot be built,
 * written or loaded leaves the command running from the sources. Real
 * processes; what each run did is read from its TRUST_ENGINE_BUNDLE_TRACE line.
 */
import { appendFileSync, chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { makeGlb } from '../../sim/scenes.ts'
import { runProcess } from '../helpers/run-process.ts'

const LAUNCHER = resolve(import.meta.dirname, '../../bin/trust-engine.js')
const work = mkdtempSync(join(tmpdir(), 'trust-engine-bundle-'))
const readOnlyDirs: string[] = []
afterAll(() => {
  for (const dir of readOnlyDirs) chmodSync(dir, 0o755)
  rmSync(work, { recursive: true, force: true })
})
const scene = join(work, 'scene.glb')
writeFileSync(scene, await makeGlb({ grids: [6], texture: [16, 16] }))

interface Run { code: number | null, stdout: string, bundle: string, trace: string[], bytes: Buffer | null }

/** Runs the CLI with the bundle traced (as `user`, when given); `bundle` is the trace line ('' when the bundle was not consulted). */
async function run (args: string[], env: Record<string, string>, user: { uid?: number, gid?: number } = {}): Promise<Run> {
  const out = join(work, 'out.glb')
  rmSync(out, { force: true })
  const r = await runProcess(process.execPath, [LAUNCHER, ...args, ...(args[0] === 'optimize' ? ['-o', out] : [])], { env: { ...process.env, TRUST_ENGINE_BUNDLE_TRACE: '1', ...env }, ...user })
  const trace = r.stderr.split('\n').filter((l) => l.startsWith('bundle: '))
  let bytes: Buffer | null = null
  try { bytes = readFileSync(out) } catch {}
  return { code: r.status, stdout: r.stdout.replaceAll(out, 'OUT'), bundle: trace[0] ?? '', trace, bytes }
}

/**
 * Puts `text` in place of the bundle as the launcher writes one (named by its sha256, its size in the manifest),
 * standing for a bundle written whole that does not load.
 */
function plantBundle (dir: string, text: string): void {
  const path = manifestOf(dir)
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { bundle: string, size: number }
  rmSync(bundleOf(dir))
  manifest.bundle = `${createHash('sha256').update(text).digest('hex')}.cjs`
  manifest.size = Buffer.byteLength(text)
  writeFileSync(join(dir, manifest.bundle), text)
  writeFileSync(path, JSON.stringify(manifest))
}

const manifestOf = (dir: string): string => join(dir, readdirSync(dir).find((f) => f.endsWith('.json'))!)
const bundleOf = (dir: string): string => join(dir, readdirSync(dir).find((f) => f.endsWith('.cjs'))!)

/**
 * Makes `dir` read-only for the runs given the returned user: no write
 * permission, and, where the tests run as root (which writes anyway), another
 * user (nobody), for whom the scene and the output's folder are opened up.
 */
function readOnly (dir: string): { uid?: number, gid?: number } {
  mkdirSync(dir, { recursive: true })
  chmodSync(dir, 0o555)
  readOnlyDirs.push(dir)
  if (process.getuid?.() !== 0) return {}
  chmodSync(work, 0o777)
  return { uid: 65534, gid: 65534 }
}

describe('bundle of the optimize and analyze commands', () => {
  const optimize = ['optimize', scene, '--profile', 'gaming', '--json']

  it('is built once, then used, and writes the bytes and report of the sources', async () => {
    const dir = join(work, 'cache')
    const sources = await run(optimize, { TRUST_ENGINE_BUNDLE: '0' })
    expect(sources.bundle).toBe('bundle: off')
    expect(sources.code).toBe(0)
    const first = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(first.bundle).toMatch(/^bundle: built \(\d+ inputs\)/)
    const names = readdirSync(dir)
    expect(names.filter((f) => f.endsWith('.cjs'))).toHaveLength(1)
    expect(names.filter((f) => f.endsWith('.tmp'))).toEqual([])
    const second = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(second.bundle).toMatch(/^bundle: hit /)
    for (const r of [first, second]) {
      expect(r.code).toBe(0)
      expect(r.stdout).toBe(sources.stdout)
      expect(r.bytes!.equals(sources.bytes!)).toBe(true)
    }
    const analyze = await run(['analyze', scene, '--json'], { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(analyze.bundle).toMatch(/^bundle: hit /)
    expect(analyze.stdout).toBe((await run(['analyze', scene, '--json'], { TRUST_ENGINE_BUNDLE: '0' })).stdout)
    // An error keeps its code and exit status.
    const bad = await run(['optimize', join(work, 'missing.glb')], { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(bad.bundle).toMatch(/^bundle: hit /)
    expect(bad.code).toBe(2)
    // Other commands never consult it.
    expect((await run(['--version'], { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toBe('')
  })

  it('prints an unexpected (untyped) error as one short line with exit code 2, its stack only with TRUST_ENGINE_DEBUG=1', async () => {
    // An output path under a file: the write fails with Node's untyped ENOTDIR.
    const file = join(work, 'not-a-folder')
    writeFileSync(file, '')
    const dir = join(work, 'unexpected')
    const runs: Record<string, Awaited<ReturnType<typeof runProcess>>> = {}
    for (const [name, env] of Object.entries({
      sources: { TRUST_ENGINE_BUNDLE: '0' },
      built: { TRUST_ENGINE_BUNDLE_DIR: dir },
      bundled: { TRUST_ENGINE_BUNDLE_DIR: dir },
      debug: { TRUST_ENGINE_BUNDLE_DIR: dir, TRUST_ENGINE_DEBUG: '1' }
    })) {
      runs[name] = await runProcess(process.execPath, [LAUNCHER, 'optimize', scene, '-o', join(file, 'out.glb')], { env: { ...process.env, TRUST_ENGINE_BUNDLE_TRACE: '1', ...env } })
    }
    expect(runs.bundled!.stderr).toMatch(/^bundle: hit /)
    for (const [name, r] of Object.entries(runs)) {
      const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('bundle: '))
      expect({ name, status: r.status, first: lines[0] }).toEqual({ name, status: 2, first: expect.stringMatching(/^error ERR_UNEXPECTED: .*ENOTDIR/) })
      // Never a source line (the bundle's is all of it, minified): every line is short.
      expect(Math.max(...lines.map((l) => l.length)), `${name}: ${r.stderr.slice(0, 2000)}`).toBeLessThan(1000)
      if (name === 'debug') {
        expect(lines.length).toBeGreaterThan(1)
      } else {
        expect(lines.length).toBe(1)
        expect(lines[0]).toContain('TRUST_ENGINE_DEBUG=1')
      }
    }
  })

  it("runs with V8's code cache of each command, made after the command's first run that ended well", async () => {
    const dir = join(work, 'code-cache')
    const sources = await run(optimize, { TRUST_ENGINE_BUNDLE: '0' })
    const caches = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.v8')).sort()
    // A run that failed ran too little of the command: it writes none.
    const failed = await run(['optimize', join(work, 'missing.glb')], { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(failed.code).toBe(2)
    expect(failed.trace).toEqual([expect.stringMatching(/^bundle: built .*\(code cache: none\)$/)])
    expect(caches()).toEqual([])
    const first = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(first.trace).toEqual([expect.stringMatching(/^bundle: hit .*\(code cache: none\)$/), 'bundle: code cache written for optimize'])
    expect(caches()).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.optimize\.[0-9a-f]{16}\.v8$/)])
    const cache = join(dir, caches()[0]!)
    expect(statSync(cache).size).toBeGreaterThan(statSync(bundleOf(dir)).size / 2)
    const second = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(second.trace).toEqual([expect.stringMatching(/^bundle: hit .*\(code cache: used\)$/)])
    // analyze has one of its own.
    expect((await run(['analyze', scene, '--json'], { TRUST_ENGINE_BUNDLE_DIR: dir })).trace[1]).toBe('bundle: code cache written for analyze')
    expect(caches()).toHaveLength(2)
    // A cache V8 does not take (not one it wrote) is replaced; the run is the same.
    writeFileSync(cache, 'not a code cache')
    const rejected = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(rejected.trace).toEqual([expect.stringMatching(/\(code cache: rejected\)$/), 'bundle: code cache written for optimize'])
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toMatch(/\(code cache: used\)$/)
    for (const r of [first, second, rejected]) {
      expect(r.code).toBe(0)
      expect(r.stdout).toBe(sources.stdout)
      expect(r.bytes!.equals(sources.bytes!)).toBe(true)
    }
  })

  it('loads no built-in module an optimize run does not use', async () => {
    const dir = join(work, 'builtins')
    const plain = join(work, 'plain.glb')
    writeFileSync(plain, await makeGlb({ grids: [6] }))
    const out = join(work, 'plain.out.glb')
    const preload = resolve(import.meta.dirname, '../helpers/report-builtins.mjs')
    const env = { ...process.env, TRUST_ENGINE_BUNDLE_DIR: dir, TRUST_ENGINE_BUNDLE_TRACE: '1' }
    const runs = []
    for (let i = 0; i < 2; i++) runs.push(await runProcess(process.execPath, ['--import', preload, LAUNCHER, 'optimize', plain, '-o', out, '--meshopt'], { env }))
    expect(runs.map((r) => r.status)).toEqual([0, 0])
    expect(runs[1]!.stderr).toMatch(/^bundle: hit /m)
    const loaded = runs[1]!.stderr.split('\n').find((l) => l.startsWith('builtins: '))!.slice('builtins: '.length).split(',')
    expect(loaded).toContain('zlib')
    // commander's executable subcommands and the launcher's child for an older Node (net is left out of the check:
    // Node loads it for standard streams that are pipes, as they are here).
    for (const unused of ['child_process', 'dgram', 'worker_threads']) expect(loaded).not.toContain(unused)
  })

  it('is not used from a folder that another user can write or owns', async () => {
    const sources = await run(optimize, { TRUST_ENGINE_BUNDLE: '0' })
    const shared = join(work, 'shared')
    mkdirSync(shared, { mode: 0o777 })
    chmodSync(shared, 0o777)
    const r = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: shared })
    expect(r.bundle).toMatch(/^bundle: unavailable \(.*can be written by other users \(mode 777\)\)$/)
    expect(r.code).toBe(0)
    expect(r.bytes!.equals(sources.bytes!)).toBe(true)
    expect(readdirSync(shared)).toEqual([])
    // Group-writable is refused too.
    chmodSync(shared, 0o775)
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: shared })).bundle).toMatch(/^bundle: unavailable \(.*can be written by other users \(mode 775\)\)$/)
    // A missing folder is made owner-only, whatever the umask.
    const fresh = join(work, 'fresh', 'cache')
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: fresh })).bundle).toMatch(/^bundle: built/)
    expect(statSync(fresh).mode & 0o777).toBe(0o700)
    for (const name of readdirSync(fresh)) expect(statSync(join(fresh, name)).mode & 0o022).toBe(0)
    if (process.getuid?.() === 0) {
      // Root, who owns no folder here, does not trust one that belongs to another user either.
      const theirs = join(work, 'theirs')
      mkdirSync(theirs, { mode: 0o755 })
      chownSync(theirs, 65534, 65534)
      expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: theirs })).bundle).toMatch(/^bundle: unavailable \(.*belongs to another user \(uid 65534\)\)$/)
    }
  })

  it('is built again when an input changed, not when only its stat did', async () => {
    const dir = join(work, 'stale')
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toMatch(/^bundle: built/)
    const path = manifestOf(dir)
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { inputs: Array<[string, string, string | null]> }
    // A stat stamp that differs (a touched file) sends the run to the content, which is unchanged.
    manifest.inputs[0]![2] = '0:0:0:0'
    writeFileSync(path, JSON.stringify(manifest))
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toMatch(/^bundle: hit /)
    // A recorded content that differs is a changed source: a new bundle.
    manifest.inputs[0]![1] = '0'.repeat(64)
    writeFileSync(path, JSON.stringify(manifest))
    const rebuilt = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(rebuilt.bundle).toMatch(/^bundle: built/)
    expect(rebuilt.code).toBe(0)
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toMatch(/^bundle: hit /)
  })

  it('leaves the command to the sources when the bundle cannot be loaded or written', async () => {
    const sources = await run(optimize, { TRUST_ENGINE_BUNDLE: '0' })
    const dir = join(work, 'broken')
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toMatch(/^bundle: built/)
    // Written whole, but not JavaScript.
    plantBundle(dir, ')'.repeat(1000))
    const broken = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(broken.bundle).toMatch(/^bundle: unavailable/)
    expect(broken.code).toBe(0)
    expect(broken.bytes!.equals(sources.bytes!)).toBe(true)
    // The broken bundle is forgotten: the next run builds a good one.
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toMatch(/^bundle: built/)
    // A cache folder that cannot be created (its parent is a file).
    const file = join(work, 'a-file')
    writeFileSync(file, '')
    const unwritable = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: join(file, 'cache') })
    expect(unwritable.bundle).toMatch(/^bundle: unavailable/)
    expect(unwritable.code).toBe(0)
    expect(unwritable.bytes!.equals(sources.bytes!)).toBe(true)
  })

  it('falls back, without hanging, where the cache folder would be under a folder that cannot hold folders (/proc)', async () => {
    const sources = await run(optimize, { TRUST_ENGINE_BUNDLE: '0' })
    // Node's recursive mkdir retries forever there; the type-stripped TypeScript cache is in the same case.
    const r = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: '/proc/trust-engine/cache', TRUST_ENGINE_TS_CACHE_DIR: '/proc/trust-engine/ts' })
    expect(r.bundle).toBe("bundle: unavailable (cannot create /proc/trust-engine/cache: ENOENT: no such file or directory, mkdir '/proc/trust-engine')")
    expect(r.code).toBe(0)
    expect(r.bytes!.equals(sources.bytes!)).toBe(true)
  })

  it('does not run a bundle that is not the one it wrote', async () => {
    const sources = await run(optimize, { TRUST_ENGINE_BUNDLE: '0' })
    const dir = join(work, 'truncated')
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toMatch(/^bundle: built/)
    const bundle = bundleOf(dir)
    const size = statSync(bundle).size
    // Emptied (as a crash right after its rename can leave it), or cut where it still parses, it is built again.
    writeFileSync(bundle, '')
    const emptied = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(emptied.bundle).toMatch(/^bundle: built/)
    expect(emptied.bytes!.equals(sources.bytes!)).toBe(true)
    // Changed but of the same size (V8 would take the code cache for it, made for the bundle written): built again.
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toMatch(/\(code cache: used\)$/)
    writeFileSync(bundleOf(dir), `//${' '.repeat(size - 2)}`)
    const changed = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(changed.bundle).toMatch(/^bundle: built/)
    expect(changed.bytes!.equals(sources.bytes!)).toBe(true)
    // A module without the CLI in it is not taken for it: the command runs from the sources.
    plantBundle(dir, `//${' '.repeat(size - 2)}`)
    const hollow = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })
    expect(hollow.bundle).toMatch(/^bundle: unavailable \(.*has no runCli\)/)
    expect(hollow.code).toBe(0)
    expect(hollow.bytes!.equals(sources.bytes!)).toBe(true)
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toMatch(/^bundle: built/)
  })

  it('falls back without building where the cache folder is read-only, and without stopping where its bundle is broken', async () => {
    const sources = await run(optimize, { TRUST_ENGINE_BUNDLE: '0' })
    // No bundle yet: nothing is built that could not be written.
    const empty = join(work, 'read-only-empty')
    const none = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: empty }, readOnly(empty))
    expect(none.bundle).toMatch(/^bundle: unavailable \(.*read-only-empty/)
    expect(none.bundle).not.toMatch(/\.cjs/)
    expect(none.code).toBe(0)
    expect(none.bytes!.equals(sources.bytes!)).toBe(true)
    // A bundle that does not load, whose manifest cannot be removed.
    const dir = join(work, 'read-only-broken')
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toMatch(/^bundle: built/)
    plantBundle(dir, ')'.repeat(1000))
    const broken = await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir }, readOnly(dir))
    expect(broken.bundle).toMatch(/^bundle: unavailable/)
    expect(broken.code).toBe(0)
    expect(broken.bytes!.equals(sources.bytes!)).toBe(true)
  })

  it('forgets, at its next build, the manifests no run can use and the bundles only they named', async () => {
    const dir = join(work, 'leftovers')
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toMatch(/^bundle: built/)
    const path = manifestOf(dir)
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { bundle: string, root: string, self: string, inputs: Array<[string, string, string | null]> }
    // Manifests as earlier versions of bundle-cache.js, other installations and crashes leave them, each
    // naming a bundle of its own made two hours ago.
    const other = join(work, 'other-checkout')
    mkdirSync(join(other, 'bin'), { recursive: true })
    writeFileSync(join(other, 'bin/bundle-cache.js'), '')
    const planted = {
      'earlier-version': { ...manifest, self: '0'.repeat(64) },
      'before-root-and-self': { bundle: 'before.cjs', inputs: manifest.inputs },
      'gone-installation': { ...manifest, root: join(work, 'gone/') },
      'other-installation': { ...manifest, root: other }
    }
    const old = (Date.now() - 7200_000) / 1000
    for (const [name, m] of Object.entries(planted)) {
      const bundle = `${name}.cjs`
      // Each with a code cache, which goes with its bundle.
      for (const file of [bundle, `${name}.optimize.0123456789abcdef.v8`]) {
        writeFileSync(join(dir, file), '')
        utimesSync(join(dir, file), old, old)
      }
      writeFileSync(join(dir, `${name}.json`), JSON.stringify({ ...m, bundle }))
    }
    // Node's compile cache folder, as earlier versions of bundle-cache.js left it.
    mkdirSync(join(dir, 'v8', 'v22-x64'), { recursive: true })
    writeFileSync(join(dir, 'v8', 'v22-x64', 'entry'), '')
    writeFileSync(join(dir, 'not-json.json'), '{')
    // Its own manifest, with a changed input: the next run builds and prunes.
    manifest.inputs[0]![1] = '0'.repeat(64)
    manifest.inputs[0]![2] = null
    writeFileSync(path, JSON.stringify(manifest))
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toMatch(/^bundle: built/)
    const left = readdirSync(dir).filter((f) => !f.startsWith(manifest.bundle.slice(0, 8)))
    expect(left.sort()).toEqual([path.slice(dir.length + 1), 'other-installation.json', 'other-installation.cjs', 'other-installation.optimize.0123456789abcdef.v8'].sort())
    expect(existsSync(join(dir, manifest.bundle))).toBe(true)
    expect((await run(optimize, { TRUST_ENGINE_BUNDLE_DIR: dir })).bundle).toMatch(/^bundle: hit /)
  })

  it('runs the TypeScript that Node runs: a source Node refuses, or an import only tsconfig.json resolves, fails as from the sources', async () => {
    // A copy of the installation (its packages linked) with an enum, which Node's type stripping refuses.
    const root = resolve(import.meta.dirname, '../..')
    const copy = join(work, 'installation')
    for (const part of ['bin', 'node', 'protocol', 'sim', 'package.json']) cpSync(join(root, part), join(copy, part), { recursive: true })
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'))
    appendFileSync(join(copy, 'node/scene/preflight-scene.ts'), '\nenum Probe { A }\nexport const probe = Probe.A\n')
    const runCopy = async (env: Record<string, string>): Promise<{ status: number | null, stderr: string, bundle: string }> => {
      const r = await runProcess(process.execPath, [join(copy, 'bin/trust-engine.js'), ...optimize, '-o', join(work, 'copy.glb')], {
        env: { ...process.env, TRUST_ENGINE_BUNDLE_TRACE: '1', TRUST_ENGINE_TS_CACHE_DIR: join(work, 'copy-ts'), TRUST_ENGINE_BUNDLE_DIR: join(work, 'copy-bundle'), ...env }
      })
      const lines = r.stderr.split('\n')
      return { status: r.status, stderr: lines.filter((l) => !l.startsWith('bundle: ')).join('\n'), bundle: lines.find((l) => l.startsWith('bundle: ')) ?? '' }
    }
    const sources = await runCopy({ TRUST_ENGINE_BUNDLE: '0' })
    // An unexpected error (main.ts): one line naming Node's code and the refused file's line.
    expect(sources.status).toBe(2)
    expect(sources.stderr).toMatch(/^error ERR_UNEXPECTED: SyntaxError \[ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX\]: .* at file:\/\/.*\/node\/scene\/preflight-scene\.ts:\d+ /)
    const bundled = await runCopy({})
    expect(bundled.bundle).toMatch(/^bundle: unavailable \(.*enum is not supported/)
    expect(bundled.status).toBe(2)
    expect(bundled.stderr).toBe(sources.stderr)
    // An import that only a tsconfig.json's `paths` resolves, which Node does not read.
    writeFileSync(join(copy, 'node/scene/preflight-scene.ts'), readFileSync(join(root, 'node/scene/preflight-scene.ts'), 'utf8') + "\nimport 'probe-alias'\n")
    writeFileSync(join(copy, 'node/scene/alias.ts'), 'export {}\n')
    writeFileSync(join(copy, 'tsconfig.json'), JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { 'probe-alias': ['./node/scene/alias.ts'] } } }))
    const unresolved = await runCopy({ TRUST_ENGINE_BUNDLE: '0' })
    expect(unresolved.status).toBe(2)
    expect(unresolved.stderr).toContain("Cannot find package 'probe-alias'")
    const aliased = await runCopy({})
    expect(aliased.bundle).toMatch(/^bundle: unavailable \(.*probe-alias/)
    expect(aliased.status).toBe(2)
    expect(aliased.stderr).toBe(unresolved.stderr)
  })

  it('is what `npm run trust-engine` runs too', async () => {
    const r = await runProcess('npm', ['run', '-s', 'trust-engine', '--', 'analyze', scene, '--json'], {
      cwd: resolve(import.meta.dirname, '../..'),
      env: { ...process.env, TRUST_ENGINE_BUNDLE_TRACE: '1', TRUST_ENGINE_BUNDLE_DIR: join(work, 'npm') }
    })
    expect(r.status).toBe(0)
    expect(r.stderr).toMatch(/^bundle: built/m)
    expect(r.stdout).toBe((await run(['analyze', scene, '--json'], { TRUST_ENGINE_BUNDLE: '0' })).stdout)
  })

  it('keeps the CLI working where the launcher is run from another folder', async () => {
    const { stdout: out, status } = await runProcess(process.execPath, [LAUNCHER, 'optimize', '--help'], { cwd: work, env: { ...process.env, TRUST_ENGINE_BUNDLE_DIR: join(work, 'cache') } })
    expect(status).toBe(0)
    expect(out).toContain('optimize a glTF/GLB scene')
  })
})
