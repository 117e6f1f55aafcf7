// A content-addressed cache of one esbuild bundle of the CLI, for the start-up
// of the short-lived commands that run once per scene (`optimize`, `analyze`).
// Loading their graph as separate modules (about 240: the CLI, the optimizer's
// TypeScript, zod, glTF-Transform, meshoptimizer) costs more than their
// evaluation: each module is resolved, loaded through the type-stripping hook,
// compiled and linked on its own. One bundled module skips all of that
// (docs/cli.md, "The optimize and analyze bundle", has the figures).
//
// node_modules/.cache/trust-engine/bundle/<key>.json (the key: the sha256 of
// the Node version, the installation's folder and this file) names the bundle
// and lists every file it was built from with the sha256 of its content and
// a stat stamp: the sources, the packages' files, the package files it
// requires at run time and esbuild's package.json. A run stats them all (3 to
// 5 ms) and reads and hashes those whose stamp changed; it uses the bundle
// only if every content is unchanged, and otherwise builds a new one with
// esbuild (a devDependency; once per change) and stores it atomically under
// the sha256 of its text, with its size in the manifest (a bundle of another
// size or content, cut short, emptied or changed, is built again, not run). It is CommonJS, run
// as a vm.Script with V8's code cache of it made after a command ran
// (bundle-script.js), beside it. Where esbuild is
// missing or the cache cannot be written (checked before building), or
// anything fails, the caller loads the sources as usual.
// TRUST_ENGINE_BUNDLE=0 turns it off; TRUST_ENGINE_BUNDLE_DIR puts it
// elsewhere. A folder that another user can write, or that
// belongs to another user (root aside), is not used at all (cache-dir.js): the
// CLI loads its sources. TRUST_ENGINE_BUNDLE_TRACE=1
// prints what happened on stderr (`bundle: hit|built|off|unavailable ...`).
//
// The bundle is the same code as the sources: the same modules (their
// TypeScript stripped by Node's own stripping, so what Node refuses fails the
// build, and no tsconfig.json read), evaluated in the order the sources
// evaluate them, functions and classes keeping their
// names (esbuild renames clashing ones otherwise), with `import.meta.url`
// (and dirname, filename) of each project file replaced by that file's own,
// so files it reads or requires relative to itself are the same;
// `import.meta.main` is false (the launcher imports it).
// Only the modules of the bundled commands are inside it: the other commands'
// modules, which the CLI imports when their action runs, stay outside (the
// launcher never runs those commands from the bundle: a module loaded twice,
// inside and outside, would have two copies of its classes). Package files
// that locate files next to themselves (`__dirname`, `import.meta`) stay
// outside too, imported from where they are installed. glTF-Transform's
// `ndarray-pixels` is the stub that skip-native-pixels.ts maps it to, and its
// functions module makes its number formatter on first use (PACKAGE_EDITS).
import { createHash } from 'node:crypto'
import { accessSync, constants, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { CACHE_FILE_MODE, untrustedCacheDir } from './cache-dir.js'
import { runBundle } from './bundle-script.js'
import { strip } from './ts-cache.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const ENTRY = join(ROOT, 'node/cli/main.ts')
const CLI_DIR = join(ROOT, 'node/cli/')
const STUB = join(ROOT, 'node/optimizer/pixels-stub.ts')
/** The commands run from the bundle (the first argument of the command line). */
export const BUNDLED_COMMANDS = new Set(['optimize', 'analyze'])
/** The command files whose lazily imported modules go into the bundle. */
const INLINED_FROM = new Set(['optimize', 'analyze'].map((c) => join(CLI_DIR, 'commands', `${c}.ts`)))
/** Bundles that no manifest names are removed after this long, on the next build (a run may still be loading one). */
const KEEP_MS = 3600_000

const sha256 = (data) => createHash('sha256').update(data).digest('hex')
const trace = (text) => { if (process.env.TRUST_ENGINE_BUNDLE_TRACE === '1') process.stderr.write(`bundle: ${text}\n`) }
const cacheDir = () => process.env.TRUST_ENGINE_BUNDLE_DIR !== undefined && process.env.TRUST_ENGINE_BUNDLE_DIR !== ''
  ? process.env.TRUST_ENGINE_BUNDLE_DIR
  : join(ROOT, 'node_modules/.cache/trust-engine/bundle')

/** Writes a file atomically (a temporary file renamed into place), so a concurrent run never reads half of it. */
function writeAtomic (path, data) {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, data, { mode: CACHE_FILE_MODE })
  renameSync(tmp, path)
}

/** What stat says of a file that changes whenever its content does: size, inode, and the change time (which no program can set back). */
const stamp = (st) => `${st.size}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}`

/**
 * True when every input still has the content it had when the bundle was built.
 * An input whose stat stamp is the recorded one is unchanged without reading it
 * (as git's index does); any other is read and its sha256 compared, and an
 * unchanged one gets its new stamp (the manifest is rewritten), so a touched
 * file is read once, not at every run.
 */
function unchanged (inputs) {
  const nowNs = BigInt(Date.now()) * 1_000_000n
  let restamped = false
  for (const input of inputs) {
    const [path, hash, recorded] = input
    let st
    try { st = statSync(path, { bigint: true }) } catch { return { fresh: false, restamped } }
    if (recorded !== null && stamp(st) === recorded) continue
    let data
    try { data = readFileSync(path) } catch { return { fresh: false, restamped } }
    if (sha256(data) !== hash) return { fresh: false, restamped }
    const now = settled(st, nowNs) ? stamp(st) : null
    if (now !== recorded) { input[2] = now; restamped = true }
  }
  return { fresh: true, restamped }
}

/**
 * Whether a file's stamp can be trusted: not for a file changed in the last
 * few seconds, which a further change within the file system's timestamp
 * resolution could leave with the same stamp (such an input is always hashed).
 */
const settled = (st, nowNs) => st.ctimeNs < nowNs - 3_000_000_000n && st.mtimeNs < nowNs - 3_000_000_000n

/** An input's manifest entry: path, sha256 and stat stamp (null where not settled). */
function entry (path, startedNs) {
  const st = statSync(path, { bigint: true })
  return [path, sha256(readFileSync(path)), settled(st, startedNs) ? stamp(st) : null]
}

/** A package file that finds files next to itself: bundled elsewhere, it would look in the wrong folder. */
function locatesItself (path) {
  let text
  try { text = readFileSync(path, 'utf8') } catch { return false }
  if (!/__dirname|__filename|import\.meta/.test(text)) return false
  // Only code counts, not comments that mention them.
  return text.split('\n').some((line) => /__dirname|__filename|import\.meta/.test(line) && !/^\s*(\*|\/\*|\/\/)/.test(line))
}

/** True for a CommonJS file: `.cjs`, or `.js` where the nearest package.json does not say `"type": "module"`. */
function isCommonJs (path) {
  if (path.endsWith('.cjs')) return true
  if (!path.endsWith('.js')) return false
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    let text
    try { text = readFileSync(join(dir, 'package.json'), 'utf8') } catch { continue }
    try { return JSON.parse(text).type !== 'module' } catch { return false }
  }
  return true
}

/**
 * Edits of package files in the bundle, each applied only where its exact text is found (an update of the package
 * that changes it leaves the file as it is). glTF-Transform's functions module makes an `Intl.NumberFormat` when it
 * loads, for the numbers of its debug messages, which the optimizer's passes do not log; starting ICU for it costs
 * about 20 ms of every process. In the bundle it is made on first use: the same messages. zod re-exports its 47
 * message locales as `z.locales` (and `z.core.locales`), which evaluates every one of them at load; the project only
 * uses English, the locale zod configures itself with, so in the bundle `locales` holds `en` alone. commander
 * requires node:child_process when it loads (with net, dgram and stream behind it), only to spawn executable
 * subcommands, which this CLI has none of; in the bundle it requires it when it spawns one.
 */
const PACKAGE_EDITS = [{
  file: '/node_modules/commander/lib/command.js',
  from: "const childProcess = require('node:child_process');",
  to: "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };"
}, {
  file: '/node_modules/zod/v4/classic/external.js',
  from: 'export * as locales from "../locales/index.js";',
  to: 'export const locales = Object.freeze({ en });'
}, {
  file: '/node_modules/zod/v4/core/index.js',
  from: 'export * as locales from "../locales/index.js";',
  to: 'import __localeEn from "../locales/en.js";\nexport const locales = Object.freeze({ en: __localeEn });'
}, {
  file: '/node_modules/@gltf-transform/functions/dist/functions.modern.js',
  from: 'const _longFormatter = new Intl.NumberFormat(undefined, {\n  maximumFractionDigits: 0\n});\n/** @hidden */\nfunction formatLong(x) {\n  return _longFormatter.format(x);\n}',
  to: 'let _longFormatter;\n/** @hidden */\nfunction formatLong(x) {\n  _longFormatter ??= new Intl.NumberFormat(undefined, {\n    maximumFractionDigits: 0\n  });\n  return _longFormatter.format(x);\n}'
}]

/** The esbuild plugin that keeps the bundle the same program as the sources (see the header). */
function plugin (externals, read) {
  const skip = Symbol('resolving')
  return {
    name: 'trust-engine',
    setup (build) {
      build.onResolve({ filter: /.*/, namespace: 'installed-cjs' }, (args) => ({ path: args.path, external: true }))
      build.onResolve({ filter: /^ndarray-pixels$/ }, (args) => args.importer.includes('/@gltf-transform/functions/') ? { path: STUB } : undefined)
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === skip || args.path.startsWith('node:') || args.kind === 'entry-point') return undefined
        const otherCommand = args.kind === 'dynamic-import' && args.importer.startsWith(CLI_DIR) && !INLINED_FROM.has(args.importer)
        const bare = !args.path.startsWith('.') && !args.path.startsWith('/')
        if (!otherCommand && !bare && !args.importer.includes('/node_modules/')) return undefined
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: skip })
        if (resolved.errors.length > 0 || resolved.external || resolved.path === '' || !resolved.path.startsWith('/')) return undefined
        if (!otherCommand && !(resolved.path.includes('/node_modules/') && locatesItself(resolved.path))) return undefined
        externals.add(resolved.path)
        if (otherCommand) return { path: pathToFileURL(resolved.path).href, external: true }
        // A CommonJS package file is required where it is installed, when its importer runs (a static import of
        // an external file would be hoisted to the bundle's start instead).
        if (isCommonJs(resolved.path)) return { path: resolved.path, namespace: 'installed-cjs' }
        return { path: pathToFileURL(resolved.path).href, external: true }
      })
      build.onLoad({ filter: /.*/, namespace: 'installed-cjs' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)})`, loader: 'js' }))
      // Every file is read here, so the manifest records the content that went into the bundle (stat taken
      // first: a file edited during the build is then seen as changed by the next run).
      build.onLoad({ filter: /\.(ts|js|mjs|cjs|json)$/, namespace: 'file' }, (args) => {
        const st = statSync(args.path, { bigint: true })
        const bytes = readFileSync(args.path)
        read.set(args.path, [sha256(bytes), st])
        // TypeScript as Node runs it: stripped by Node's own stripping, not compiled by esbuild, which would
        // accept what Node refuses (an enum) and follow tsconfig.json's options (not an input of the bundle).
        const ts = args.path.endsWith('.ts')
        let source = ts ? strip(bytes.toString('utf8'), pathToFileURL(args.path).href) : bytes.toString('utf8')
        for (const edit of PACKAGE_EDITS) if (args.path.endsWith(edit.file)) source = source.replace(edit.from, edit.to)
        if (!args.path.includes('/node_modules/')) {
          const url = pathToFileURL(args.path)
          source = source.replace(/\bimport\.meta\.(url|dirname|filename|main)\b/g, (_, field) =>
            field === 'url' ? JSON.stringify(url.href) : field === 'main' ? 'false' : JSON.stringify(field === 'dirname' ? fileURLToPath(new URL('.', url)).replace(/\/$/, '') : args.path))
        }
        return { contents: source, loader: args.path.endsWith('.json') ? 'json' : 'js' }
      })
    }
  }
}

/** Builds the bundle with esbuild; returns its text and its inputs (path and sha256). */
async function build () {
  const startedNs = BigInt(Date.now()) * 1_000_000n
  const esbuild = await import('esbuild')
  const externals = new Set()
  const read = new Map()
  try {
    const result = await esbuild.build({
      entryPoints: [ENTRY],
      absWorkingDir: ROOT,
      bundle: true,
      write: false,
      platform: 'node',
      // CommonJS: run as a vm.Script, whose code cache can be made after the command ran (bundle-script.js).
      format: 'cjs',
      target: 'node22',
      metafile: true,
      logLevel: 'silent',
      // Node reads no tsconfig.json (its `paths` would otherwise resolve imports that Node cannot).
      tsconfigRaw: '{}',
      // Less text to parse at every start; identifiers are kept, for readable stack traces.
      minifyWhitespace: true,
      minifySyntax: true,
      keepNames: true,
      plugins: [plugin(externals, read)]
    })
    // The virtual modules (namespace:path) are covered by their installed files, among the externals.
    const sources = Object.keys(result.metafile.inputs).filter((p) => !/^[a-z-]+:/.test(p)).map((p) => join(ROOT, p))
    const files = [...new Set([...sources, ...externals]), join(ROOT, 'node_modules/esbuild/package.json')]
    const inputs = files.map((path) => {
      const seen = read.get(path)
      return seen === undefined ? entry(path, startedNs) : [path, seen[0], settled(seen[1], startedNs) ? stamp(seen[1]) : null]
    })
    const text = result.outputFiles[0].text
    // An ES module package file imported statically would be required, which fails: no bundle rather than a broken one.
    if (text.includes('require("file:')) throw new Error('a package file that locates itself is an ES module imported statically: not bundled')
    return { text, inputs }
  } finally {
    await esbuild.stop()
  }
}

/**
 * True for a manifest no run can use any more, so that it does not keep its
 * bundle forever: one written by another version of this file for this
 * installation (or by a version that did not record it), one of an
 * installation that is gone, or, in this installation's own folder, one of
 * another installation (a node_modules copied from it).
 */
function dead (manifest, self, own) {
  if (typeof manifest.root !== 'string' || typeof manifest.self !== 'string') return true
  if (manifest.root === ROOT) return manifest.self !== self
  return own || !existsSync(join(manifest.root, 'bin/bundle-cache.js'))
}

/**
 * Removes the manifests no run can use (other than `current`), then the
 * bundles and temporary files older than KEEP_MS that no manifest names.
 */
function prune (dir, current, self) {
  const own = dir === join(ROOT, 'node_modules/.cache/trust-engine/bundle')
  const keep = new Set()
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue
    try {
      const manifest = JSON.parse(readFileSync(join(dir, name), 'utf8'))
      if (name !== current && dead(manifest, self, own)) rmSync(join(dir, name), { force: true })
      else keep.add(manifest.bundle)
    } catch {
      // Not JSON (written whole, so never half of one): no run can use it either.
      try { if (name !== current) rmSync(join(dir, name), { force: true }) } catch {}
    }
  }
  for (const name of readdirSync(dir)) {
    // A code cache (<bundle>.<command>.<flags>.v8) goes with its bundle.
    const owner = name.endsWith('.v8') ? `${name.split('.')[0]}.cjs` : name
    if (keep.has(owner) || !(name.endsWith('.cjs') || name.endsWith('.v8') || name.endsWith('.tmp') || name.endsWith('.mjs'))) continue
    try {
      if (Date.now() - statSync(join(dir, name)).mtimeMs > KEEP_MS) rmSync(join(dir, name), { force: true })
    } catch {}
  }
  // Node's compile cache of the ES module bundles that earlier versions of this file wrote.
  rmSync(join(dir, 'v8'), { recursive: true, force: true })
}

/**
 * The CLI's `runCli` from the bundle, built first if it is missing or stale;
 * undefined where the bundle is off or cannot be built, written or loaded
 * (the caller then loads the sources).
 */
export async function bundledRunCli () {
  if (process.env.TRUST_ENGINE_BUNDLE === '0') { trace('off'); return undefined }
  const dir = cacheDir()
  // Code others could have written is not run: neither the bundle nor V8's code cache of it.
  const untrusted = untrustedCacheDir(dir)
  if (untrusted !== null) { trace(`unavailable (${untrusted})`); return undefined }
  const self = sha256(readFileSync(fileURLToPath(import.meta.url)))
  const key = sha256(`${process.version}\0${ROOT}\0${self}`)
  const manifestPath = join(dir, `${key}.json`)
  let bundlePath
  let bundleText
  let how = 'hit'
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
    if (typeof manifest.bundle === 'string' && Array.isArray(manifest.inputs)) {
      const { fresh, restamped } = unchanged(manifest.inputs)
      // A bundle whose content is not the one written (truncated, emptied, changed) is not run: it is built again.
      // Its size first (a stat); then its sha256, its name: V8 takes a code cache for any source of the same
      // length, so a changed bundle would otherwise run the cached code of the one before.
      const path = join(dir, manifest.bundle)
      if (fresh && statSync(path).size === manifest.size && `${sha256(bundleText = readFileSync(path, 'utf8'))}.cjs` === manifest.bundle) {
        bundlePath = path
        if (restamped) try { writeAtomic(manifestPath, JSON.stringify(manifest)) } catch {}
      }
    }
  } catch {}
  if (bundlePath === undefined) {
    try {
      // A folder this run cannot write is found before the build (a second or more), not after it.
      accessSync(dir, constants.W_OK)
      const { text, inputs } = await build()
      const name = `${sha256(text)}.cjs`
      writeAtomic(join(dir, name), text)
      bundleText = text
      writeAtomic(manifestPath, JSON.stringify({ bundle: name, size: Buffer.byteLength(text), node: process.version, root: ROOT, self, inputs }))
      bundlePath = join(dir, name)
      how = `built (${inputs.length} inputs)`
      try { prune(dir, `${key}.json`, self) } catch {}
    } catch (err) {
      trace(`unavailable (${(err instanceof Error ? err.message : String(err)).replaceAll('\n', ' ')})`)
      return undefined
    }
  }
  try {
    // With V8's code cache of the functions this command ran the last time (bundle-script.js).
    const command = process.argv[2]
    const { exports, cache, save } = runBundle(bundlePath, bundleText, command)
    const { runCli } = exports
    if (typeof runCli !== 'function') throw new Error(`${relative(ROOT, bundlePath)} has no runCli`)
    trace(`${how} ${relative(ROOT, bundlePath)} (code cache: ${cache})`)
    return async () => {
      await runCli()
      // After a run that ended well: a failed one (a missing file, say) ran too little of the command to be worth keeping.
      if ((process.exitCode ?? 0) === 0 && save()) trace(`code cache written for ${command}`)
    }
  } catch (err) {
    // A bundle that does not load is forgotten, so the next run builds it again (where the folder can be written).
    try { rmSync(manifestPath, { force: true }) } catch {}
    trace(`unavailable (${(err instanceof Error ? err.message : String(err)).replaceAll('\n', ' ')})`)
    return undefined
  }
}
