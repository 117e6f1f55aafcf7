/**
 * Key encoders for repositories. Keys are bytes compared lexicographically by
 * LevelDB, so composite keys use fixed-width parts (32-byte ids, big-endian
 * integers): a prefix of a key is then always a whole number of parts and
 * prefix scans ("all votes of this job") are exact.
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_STORE_BAD_KEY, ERR_STORE_CORRUPT } from './errors.ts'

/** Encodes and decodes the part of a key after the bucket byte. */
export interface KeyCodec<K> {
  encode: (key: K) => Uint8Array
  decode: (bytes: Uint8Array) => K
}

const HEX32 = /^[0-9a-f]{64}$/
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Bytes of a 32-byte id given as 64 lowercase hex characters (hashes, public keys). */
export function hex32Bytes (hex: string): Uint8Array {
  if (!HEX32.test(hex)) throw new TrustEngineError(ERR_STORE_BAD_KEY, 'expected 32 bytes of lowercase hex')
  return Buffer.from(hex, 'hex')
}

/** Key codec of a 32-byte id in hex (a job id, a public key). */
export const hex32Key: KeyCodec<string> = {
  encode: hex32Bytes,
  decode: (bytes) => {
    if (bytes.length !== 32) throw badStoredKey()
    return Buffer.from(bytes).toString('hex')
  }
}

/**
 * Key codec of a UTF-8 string (a peer id, a meta name). Only for keys that
 * are a whole key, never a part of a composite one (its length is not fixed).
 * Limited to 1 to 256 bytes.
 */
export const stringKey: KeyCodec<string> = {
  encode: (s) => {
    const bytes = encoder.encode(s)
    if (bytes.length === 0 || bytes.length > 256) throw new TrustEngineError(ERR_STORE_BAD_KEY, 'string key must be 1 to 256 bytes')
    return bytes
  },
  decode: (bytes) => {
    try {
      return decoder.decode(bytes)
    } catch {
      throw badStoredKey()
    }
  }
}

/** Largest round number (a 4-byte unsigned integer). */
export const MAX_ROUND = 0xffff_ffff

/** Four big-endian bytes of a round number (0 to {@link MAX_ROUND}). */
export function roundBytes (round: number): Uint8Array {
  if (!Number.isSafeInteger(round) || round < 0 || round > MAX_ROUND) {
    throw new TrustEngineError(ERR_STORE_BAD_KEY, 'round must be an integer from 0 to 2^32-1')
  }
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, round)
  return out
}

/** Eight big-endian bytes of a sequence number (0 to 2^53-1), so byte order is numeric order. */
export function seqBytes (seq: number): Uint8Array {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new TrustEngineError(ERR_STORE_BAD_KEY, 'seq must be a non-negative safe integer')
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(seq))
  return out
}

/** Decodes {@link seqBytes}; null when `bytes` is not 8 bytes of a safe integer. */
export function seqFromBytes (bytes: Uint8Array): number | null {
  if (bytes.length !== 8) return null
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0)
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : null
}

/** The 32 bytes at `offset` of `bytes` as lowercase hex (the caller checked the length). */
export function hex32At (bytes: Uint8Array, offset: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, 32).toString('hex')
}

/** The big-endian 4-byte unsigned integer at `offset` of `bytes` (the caller checked the length). */
export function uint32At (bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0)
}

/** Concatenation of byte strings. */
export function concatBytes (...parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

/**
 * The smallest byte string greater than every string that starts with
 * `prefix` (the exclusive end of a prefix range); null when there is none
 * (the prefix is all 0xff bytes).
 */
export function prefixEnd (prefix: Uint8Array): Uint8Array | null {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const out = prefix.slice(0, i + 1)
      out[i] = prefix[i]! + 1
      return out
    }
  }
  return null
}

function badStoredKey (): TrustEngineError {
  return new TrustEngineError(ERR_STORE_CORRUPT, 'stored key has the wrong length or encoding')
}
