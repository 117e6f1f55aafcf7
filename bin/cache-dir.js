// The launcher's caches (ts-cache.js, bundle-cache.js) hold code the CLI runs:
// type-stripped TypeScript, the bundle and V8's code cache of it. Code that
// another user can write there is code that would run as this user, so a
// cache folder is used only when it passes the rule OpenSSH applies to the
// files it trusts (StrictModes): it belongs to this user or to root, and
// neither its group nor others can write it. A folder that fails is not read
// at all; the CLI then loads its sources, as where the cache is off.
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

/**
 * Why `dir` must not hold code this process runs, or null when it may.
 * Creates it when missing, owner-only (0700, whatever the umask). Where the
 * platform has no user ids (Windows), folders are not checked.
 */
export function untrustedCacheDir (dir) {
  if (typeof process.getuid !== 'function') return null
  try {
    makeDirs(dir, 0o700)
  } catch (err) {
    return `cannot create ${dir}: ${err instanceof Error ? err.message : String(err)}`
  }
  let st
  try { st = statSync(dir) } catch (err) { return `cannot read ${dir}: ${err instanceof Error ? err.message : String(err)}` }
  if (!st.isDirectory()) return `${dir} is not a folder`
  if (st.uid !== process.getuid() && st.uid !== 0) return `${dir} belongs to another user (uid ${st.uid})`
  if ((st.mode & 0o022) !== 0) return `${dir} can be written by other users (mode ${(st.mode & 0o777).toString(8)})`
  return null
}

/**
 * `mkdir -p` one level at a time (as node/files/ensure-dir.ts, which the
 * launcher cannot load before its TypeScript cache): Node's recursive mkdir
 * under a folder that cannot hold children (`/proc`) retries forever at full
 * CPU; here its ENOENT is thrown. A folder another process made meanwhile is
 * taken.
 */
function makeDirs (dir, mode) {
  const missing = []
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.push(d)
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode })
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST' && statSync(d).isDirectory())) throw err
    }
  }
}

/** Mode of the files written into a cache folder: written by this user only, whatever the umask. */
export const CACHE_FILE_MODE = 0o644
