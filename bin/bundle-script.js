// Runs the launcher's bundle (bundle-cache.js, CommonJS) as a vm.Script with
// V8's code cache of it, made after a command has run. Node's own compile
// cache (module.enableCompileCache) serializes a module right after it is
// compiled, before it runs, so it holds only the code V8 compiles eagerly
// (about 270 KB for the bundle): every function a command then calls is
// parsed and compiled again in every process. A cache serialized after the
// command (script.createCachedData() once it returned) holds those functions
// too (about 1 MB): an optimize of a 2-triangle scene takes about 14 % less
// time with it, of 20,000 triangles about 6 to 15 % (docs/cli.md).
//
// One cache per bundle, command and Node flags (`<bundle>.<command>.<flags>.v8`
// beside the bundle), written atomically after the first run of that command
// that ends with exit code 0, and again when V8 rejects it (another V8 or
// flags). V8 checks its version, flags and the source's length before using a
// cache; the folder is trusted as the bundle itself is (cache-dir.js).
import { createHash } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { arch } from 'node:os'
import { dirname } from 'node:path'
import vm from 'node:vm'
import { CACHE_FILE_MODE } from './cache-dir.js'

/** The code cache file of `bundlePath` for `command` under this Node and its flags. */
export function codeCachePath (bundlePath, command) {
  const flags = createHash('sha256').update(`${process.version}\0${arch()}\0${process.execArgv.join('\0')}`).digest('hex').slice(0, 16)
  return `${bundlePath.replace(/\.cjs$/, '')}.${command.replace(/[^a-z-]/g, '')}.${flags}.v8`
}

/**
 * Node 22 marks vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER experimental and warns on the first import() made
 * through it (glTF-Transform's NodeIO imports `fs` so). It is how a vm.Script imports with Node's own loader, and the
 * launcher runs on the Node 22 it is pinned to, so that one warning is not shown; every other warning is.
 */
function hideLoaderWarning () {
  const emit = process.emitWarning
  process.emitWarning = function (warning, ...rest) {
    if (String(warning instanceof Error ? warning.message : warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return
    return emit.call(process, warning, ...rest)
  }
}

/**
 * Evaluates the CommonJS bundle `text`, read from `bundlePath` (and checked to be the bundle written: V8 takes a
 * code cache for any source of the same length), with its code cache for
 * `command` (when there is one) and returns its exports and `save`, which
 * writes the cache when there was none or V8 rejected it (call it after the
 * command has run; it never throws). `cache` says what happened to the cache:
 * `used`, `rejected` or `none`.
 */
export function runBundle (bundlePath, text, command) {
  const loader = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER
  if (loader === undefined) throw new Error('this Node has no vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER')
  const cachePath = codeCachePath(bundlePath, command)
  let cachedData
  try { cachedData = readFileSync(cachePath) } catch {}
  // The CommonJS wrapper on the bundle's first line, so line numbers in stack traces are the bundle's; a shebang
  // line becomes a comment.
  const body = text.startsWith('#!') ? `//${text.slice(2)}` : text
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${body}\n})`, {
    filename: bundlePath,
    cachedData,
    // The bundle's dynamic import() of the other commands' modules goes through Node's own loader (and its hooks).
    importModuleDynamically: loader
  })
  hideLoaderWarning()
  const module = { exports: {} }
  script.runInThisContext()(module.exports, createRequire(bundlePath), module, bundlePath, dirname(bundlePath))
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'used'
  const save = () => {
    if (cache === 'used') return false
    try {
      const tmp = `${cachePath}.${process.pid}.tmp`
      writeFileSync(tmp, script.createCachedData(), { mode: CACHE_FILE_MODE })
      renameSync(tmp, cachePath)
      return true
    } catch {
      return false
    }
  }
  return { exports: module.exports, cache, save }
}
