/**
 * Node key files: the ed25519 key that signs this node's votes and audit
 * trail, and from which its libp2p peer id is derived.
 *
 * A key file is small JSON, `{ "type": "ed25519", "publicKey": hex,
 * "privateKey": hex }` (raw 32-byte public key, 32-byte seed). It is written
 * atomically (temporary file, fsync, then link or rename, then fsync of the
 * folder) with mode 0600, so a crash never leaves a half-written key and other
 * users cannot read it. Because the peer id comes from the same key, a node
 * keeps its peer id across restarts for as long as it keeps its key file.
 *
 * Reading follows the boundary rule: size check, parse, schema, then a check
 * that the public key belongs to the private key.
 */
import { randomBytes } from 'node:crypto'
import { chmodSync, closeSync, fstatSync, fsyncSync, linkSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { privateKeyFromRaw, publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { Ed25519PeerId, Ed25519PrivateKey, Ed25519PublicKey } from '@libp2p/interface'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { z } from 'zod'
import { TrustEngineError, declareCode } from '../protocol/errors.ts'
import { ERR_BAD_KEY, generateKeyPair, publicKeyOf } from '../protocol/signing.ts'
import { ensureDir } from './files/ensure-dir.ts'

/** Code of a key file that does not exist. */
export const ERR_KEY_FILE_MISSING = declareCode('ERR_KEY_FILE_MISSING', { status: 404 })
/** Code of a key file larger than {@link MAX_KEY_FILE_BYTES} (or not a regular file). */
export const ERR_KEY_FILE_TOO_LARGE = declareCode('ERR_KEY_FILE_TOO_LARGE', { status: 413 })
/** Code of a key file that is not valid JSON or does not match the key file schema. */
export const ERR_KEY_FILE_INVALID = declareCode('ERR_KEY_FILE_INVALID', { status: 400 })
/** Code of a key file whose public key is not the public key of its private key. */
export const ERR_KEY_FILE_MISMATCH = declareCode('ERR_KEY_FILE_MISMATCH', { status: 400 })
/** Code of a refusal to overwrite an existing key file. */
export const ERR_KEY_FILE_EXISTS = declareCode('ERR_KEY_FILE_EXISTS', { status: 409 })
/** Code of any other file system failure while reading or writing a key file. */
export const ERR_KEY_FILE_IO = declareCode('ERR_KEY_FILE_IO', { status: 500 })
/** The key file is readable or writable by group or others (it must be mode 0600 or stricter). */
export const ERR_KEY_FILE_PERMISSIONS = declareCode('ERR_KEY_FILE_PERMISSIONS', { status: 400 })

/**
 * Largest key file read. A key file is about 170 bytes; 4 KiB leaves room for
 * pretty-printing and stops a wrong path (a log, an image) being read whole.
 */
export const MAX_KEY_FILE_BYTES = 4096

const hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 32 bytes of lowercase hex')

/** Schema of a key file. Unknown fields are refused, so a typo is not silently ignored. */
export const KeyFileSchema = z.strictObject({
  type: z.literal('ed25519'),
  publicKey: hex32,
  privateKey: hex32
})

/** Contents of a node key file. */
export type KeyFile = z.infer<typeof KeyFileSchema>

/** Options of {@link generateKeyFile}. */
export interface GenerateKeyFileOptions {
  /** Replace an existing file at the path. Default false: an existing key is never lost by accident. */
  overwrite?: boolean
}

/**
 * Generates a fresh key and writes it to `path` atomically with mode 0600.
 * Throws `ERR_KEY_FILE_EXISTS` when the file exists and `overwrite` is not set
 * (checked atomically: the final step is a hard link, which fails on an
 * existing name, so two processes racing never both win).
 */
export function generateKeyFile (path: string, options: GenerateKeyFileOptions = {}): KeyFile {
  const pair = generateKeyPair()
  const keyFile: KeyFile = { type: 'ed25519', publicKey: pair.publicKey, privateKey: pair.privateKey }
  writeKeyFile(path, keyFile, options.overwrite === true)
  return keyFile
}

/** Reads and checks the key file at `path` (`ERR_KEY_FILE_*` codes on failure). */
export function loadKeyFile (path: string): KeyFile {
  const text = readBounded(path)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new TrustEngineError(ERR_KEY_FILE_INVALID, `key file ${path} is not valid JSON`, { cause: err })
  }
  const parsed = KeyFileSchema.safeParse(json)
  if (!parsed.success) {
    throw new TrustEngineError(ERR_KEY_FILE_INVALID, `key file ${path} does not match the key file schema: ${parsed.error.issues[0]?.message ?? 'invalid'}`)
  }
  const keyFile = parsed.data
  if (publicKeyOf(keyFile.privateKey) !== keyFile.publicKey) {
    throw new TrustEngineError(ERR_KEY_FILE_MISMATCH, `key file ${path}: publicKey is not the public key of privateKey`)
  }
  return keyFile
}

/**
 * Loads the key file at `path`, or creates one when there is none. When two
 * processes race to create it, both end up with the one that was written first.
 */
export function loadOrCreateKeyFile (path: string): KeyFile {
  try {
    return loadKeyFile(path)
  } catch (err) {
    if (!(err instanceof TrustEngineError) || err.code !== ERR_KEY_FILE_MISSING) throw err
  }
  try {
    return generateKeyFile(path)
  } catch (err) {
    if (err instanceof TrustEngineError && err.code === ERR_KEY_FILE_EXISTS) return loadKeyFile(path)
    throw err
  }
}

/**
 * The key as a libp2p ed25519 private key (libp2p's raw form is the 32-byte
 * seed followed by the 32-byte public key), to pass as `privateKey` when
 * creating the libp2p node.
 */
export function libp2pPrivateKey (keyFile: KeyFile): Ed25519PrivateKey {
  const raw = Buffer.concat([Buffer.from(keyFile.privateKey, 'hex'), Buffer.from(keyFile.publicKey, 'hex')])
  const key = privateKeyFromRaw(raw)
  if (key.type !== 'Ed25519') throw new TrustEngineError(ERR_KEY_FILE_INVALID, 'not an ed25519 key')
  // @libp2p/crypto 5.1 declares its keys with @libp2p/interface 3 types while
  // libp2p 2.10 declares its options with @libp2p/interface 2; the objects are
  // the same at run time (libp2p itself passes them between the two).
  return key as unknown as Ed25519PrivateKey
}

/**
 * The libp2p peer id of a validator public key (raw 32 bytes as hex). The
 * peer id and the validator key are one key, so a vote's signer and the
 * peer that gossiped it can be compared.
 */
export function peerIdOf (publicKeyHex: string): Ed25519PeerId {
  if (!/^[0-9a-f]{64}$/.test(publicKeyHex)) throw new TrustEngineError(ERR_BAD_KEY, 'public key must be 32 bytes of lowercase hex')
  const publicKey = publicKeyFromRaw(Buffer.from(publicKeyHex, 'hex'))
  if (publicKey.type !== 'Ed25519') throw new TrustEngineError(ERR_KEY_FILE_INVALID, 'not an ed25519 key')
  // Same @libp2p/interface 2 versus 3 type split as in libp2pPrivateKey.
  return peerIdFromPublicKey(publicKey as unknown as Ed25519PublicKey)
}

function readBounded (path: string): string {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new TrustEngineError(ERR_KEY_FILE_MISSING, `no key file at ${path}`, { cause: err })
    }
    throw ioError(`cannot open key file ${path}`, err)
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile() || stat.size > MAX_KEY_FILE_BYTES) {
      throw new TrustEngineError(ERR_KEY_FILE_TOO_LARGE, `key file ${path} is not a regular file of at most ${MAX_KEY_FILE_BYTES} bytes`)
    }
    // Refused, not warned: a private key others can read may already be copied; the operator decides (chmod 600).
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      throw new TrustEngineError(ERR_KEY_FILE_PERMISSIONS, `key file ${path} has mode ${(stat.mode & 0o777).toString(8)}; it must not be accessible to group or others (chmod 600)`)
    }
    // Read one byte more than the limit, in case the file grew after fstat.
    const buf = Buffer.alloc(MAX_KEY_FILE_BYTES + 1)
    let length = 0
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null)
      if (n === 0) break
      length += n
      if (length > MAX_KEY_FILE_BYTES) {
        throw new TrustEngineError(ERR_KEY_FILE_TOO_LARGE, `key file ${path} is larger than ${MAX_KEY_FILE_BYTES} bytes`)
      }
    }
    return buf.subarray(0, length).toString('utf8')
  } catch (err) {
    if (err instanceof TrustEngineError) throw err
    throw ioError(`cannot read key file ${path}`, err)
  } finally {
    closeSync(fd)
  }
}

function writeKeyFile (path: string, keyFile: KeyFile, overwrite: boolean): void {
  const dir = dirname(path)
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    // The key's folder is created (private to the user) when missing, as `network init` does for node folders.
    ensureDir(dir, ERR_KEY_FILE_IO, 'the key file\'s folder', 0o700)
    const fd = openSync(tmp, 'wx', 0o600)
    try {
      // The mode given to open is reduced by the umask; make it exactly 0600.
      chmodSync(tmp, 0o600)
      writeSync(fd, JSON.stringify(keyFile, null, 2) + '\n')
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    if (overwrite) {
      renameSync(tmp, path)
    } else {
      try {
        linkSync(tmp, path)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new TrustEngineError(ERR_KEY_FILE_EXISTS, `a key file already exists at ${path}; refusing to overwrite it`)
        }
        throw err
      }
      unlinkSync(tmp)
    }
    fsyncDir(dir)
  } catch (err) {
    try { unlinkSync(tmp) } catch { /* already renamed, unlinked or never created */ }
    if (err instanceof TrustEngineError) throw err
    throw ioError(`cannot write key file ${path}`, err)
  }
}

/** Makes a rename or link durable: the new directory entry is on disk once this returns. */
function fsyncDir (dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // Some file systems refuse fsync on a directory; the data itself is already synced.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

function ioError (message: string, cause: unknown): TrustEngineError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code
  return new TrustEngineError(ERR_KEY_FILE_IO, `${message}${code === undefined ? '' : ` (${code})`}`, { cause })
}
