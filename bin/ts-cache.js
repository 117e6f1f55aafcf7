// A content-addressed cache of the project's TypeScript with its types
// stripped, for the `trust-engine` command's start-up. Node runs .ts files by
// stripping their types with a WebAssembly build of swc, which it loads on the
// first .ts file of every process: about 0.3-0.4 s of CPU before any command
// runs, most of a short command's time. This synchronous load hook
// (module.registerHooks, this thread only) answers a project .ts file from
// node_modules/.cache/trust-engine/ts/<sha256>.js, where the key is the
// sha256 of the Node version and the file's source, so an edited file or
// another Node is a miss; a miss strips the source with Node's own
// module.stripTypeScriptTypes (the same stripping Node does, positions kept,
// so stack traces point at the same lines) and stores it atomically. The
// cache lives inside the installation (the same trust as the code itself,
// never a shared temporary folder); where it cannot be written, files load
// as usual. TRUST_ENGINE_TS_CACHE=0 turns it off; TRUST_ENGINE_TS_CACHE_DIR
// puts it elsewhere. A folder that another user can write, or that belongs to
// another user (root aside), is not used at all (cache-dir.js): its entries
// are code this process would run.
import { createHash } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { registerHooks, stripTypeScriptTypes } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CACHE_FILE_MODE, untrustedCacheDir } from './cache-dir.js'

const root = new URL('../', import.meta.url).href
const dir = process.env.TRUST_ENGINE_TS_CACHE_DIR !== undefined && process.env.TRUST_ENGINE_TS_CACHE_DIR !== ''
  ? join(process.env.TRUST_ENGINE_TS_CACHE_DIR, '/')
  : fileURLToPath(new URL('../node_modules/.cache/trust-engine/ts/', import.meta.url))

/**
 * Strips types without the experimental-API warning that Node prints for
 * stripTypeScriptTypes (the stripping is the one Node itself runs). A source
 * it refuses throws Node's error located at `url` (file and line, as Node's
 * own loading shows it; the successful output carries no URL, since a cache
 * entry may serve several files of the same content).
 */
export function strip (source, url) {
  const emit = process.emitWarning
  process.emitWarning = (warning, ...rest) => {
    if (String(warning).includes('stripTypeScriptTypes')) return
    emit.call(process, warning, ...rest)
  }
  try {
    return stripTypeScriptTypes(source, { mode: 'strip' })
  } catch (err) {
    if (url !== undefined) stripTypeScriptTypes(source, { mode: 'strip', sourceUrl: url })
    throw err
  } finally {
    process.emitWarning = emit
  }
}

/** Registers the hook (once per process). */
export function registerTsCache () {
  if (process.env.TRUST_ENGINE_TS_CACHE === '0' || typeof registerHooks !== 'function' || typeof stripTypeScriptTypes !== 'function') return
  // A folder that cannot be created, or that others could have written, is not read: files load as usual.
  if (untrustedCacheDir(dir) !== null) return
  let writable = true
  registerHooks({
    load (url, context, next) {
      if (!url.startsWith(root) || !url.endsWith('.ts') || url.includes('/node_modules/')) return next(url, context)
      const source = readFileSync(new URL(url), 'utf8')
      const key = createHash('sha256').update(process.version).update('\0').update(source).digest('hex')
      const path = `${dir}${key}.js`
      try {
        return { format: 'module', source: readFileSync(path, 'utf8'), shortCircuit: true }
      } catch {}
      const stripped = strip(source, url)
      if (writable) {
        try {
          const tmp = `${path}.${process.pid}.tmp`
          writeFileSync(tmp, stripped, { mode: CACHE_FILE_MODE })
          renameSync(tmp, path)
        } catch {
          writable = false
        }
      }
      return { format: 'module', source: stripped, shortCircuit: true }
    }
  })
}
