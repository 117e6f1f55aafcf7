/**
 * Reading a local file with a size limit, checked before the contents are
 * read: the first step of the boundary rule (size check, parse, schema) for
 * files named on the command line or in a config file.
 */
import { open } from 'node:fs/promises'
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'

/** Code of a file that does not exist. */
export const ERR_FILE_NOT_FOUND = declareCode('ERR_FILE_NOT_FOUND', { status: 404 })
/** Code of a file larger than the limit of what it is read as (or not a regular file). */
export const ERR_FILE_TOO_LARGE = declareCode('ERR_FILE_TOO_LARGE', { status: 413 })
/** Code of any other failure to read a file (permissions, I/O). */
export const ERR_FILE_UNREADABLE = declareCode('ERR_FILE_UNREADABLE', { status: 500 })

/**
 * Reads the whole file at `path` if it is a regular file of at most
 * `maxBytes`. Reads at most `maxBytes + 1` bytes even when the file grows
 * while being read. `what` names the file in messages (e.g. `certificate`).
 */
export async function readFileBounded (path: string, maxBytes: number, what: string): Promise<Uint8Array> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new TrustEngineError(ERR_FILE_NOT_FOUND, `${what}: no file at ${path}`, { cause: err })
    throw new TrustEngineError(ERR_FILE_UNREADABLE, `${what}: cannot open ${path} (${code ?? 'error'})`, { cause: err })
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new TrustEngineError(ERR_FILE_UNREADABLE, `${what}: ${path} is not a regular file`)
    if (stat.size > maxBytes) {
      throw new TrustEngineError(ERR_FILE_TOO_LARGE, `${what}: ${path} has ${stat.size} bytes, more than the limit of ${maxBytes}`, { details: { size: stat.size, limit: maxBytes } })
    }
    const buf = Buffer.alloc(Math.min(maxBytes + 1, stat.size + 1))
    let length = 0
    for (;;) {
      if (length === buf.length) {
        throw new TrustEngineError(ERR_FILE_UNREADABLE, `${what}: ${path} changed size while being read`)
      }
      const { bytesRead } = await handle.read(buf, length, buf.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
      if (length > maxBytes) throw new TrustEngineError(ERR_FILE_TOO_LARGE, `${what}: ${path} is larger than ${maxBytes} bytes`)
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, length)
  } catch (err) {
    if (err instanceof TrustEngineError) throw err
    throw new TrustEngineError(ERR_FILE_UNREADABLE, `${what}: cannot read ${path}`, { cause: err })
  } finally {
    await handle.close()
  }
}
