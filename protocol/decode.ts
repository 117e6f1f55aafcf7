/**
 * Decoding untrusted bytes in three steps: size check, JSON parse, schema.
 *
 * Every wire message goes through {@link decodeWith}: the size is checked
 * before anything is parsed, the text must be valid UTF-8 JSON, and the value
 * must satisfy a strict zod schema (unknown fields are refused, because a
 * signature covers every field and silently dropping one would change what
 * was signed). Each step fails with its own stable code. Signed messages
 * read from gossip may use {@link decodeSignedJson} for the first two steps,
 * which also checks the canonical encoding from the same parse.
 */
import type { z } from 'zod'
import { type MemberSpan, canonicalMemberSpan } from './canonical.ts'
import { TrustEngineError, declareCode } from './errors.ts'

/** Code of input larger than its limit (checked before parsing). */
export const ERR_TOO_LARGE = declareCode('ERR_TOO_LARGE', { action: 'reject', status: 413 })
/** Code of input that is not UTF-8 JSON. */
export const ERR_MALFORMED = declareCode('ERR_MALFORMED', { action: 'reject', status: 400 })
/** Code of JSON that does not satisfy the message schema. */
export const ERR_SCHEMA = declareCode('ERR_SCHEMA', { action: 'reject', status: 400 })
/**
 * Code of a signed message in any JSON encoding but its canonical one
 * (canonical.ts): a new message id for an old, validly signed message.
 */
export const ERR_NOT_CANONICAL = declareCode('ERR_NOT_CANONICAL', { action: 'reject', status: 400 })

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Size check and JSON parse of `bytes`; throws `ERR_TOO_LARGE` or `ERR_MALFORMED`. */
export function decodeJson (bytes: Uint8Array, maxBytes: number, what: string): unknown {
  return parseJsonText(decodeText(bytes, maxBytes, what), what)
}

/** A signed message as read by {@link decodeSignedJson}: its canonical bytes and text, and where its signature lies in them. */
export interface SignedJson {
  /** The parsed value (not yet checked against any schema). */
  value: unknown
  /** The bytes received, the canonical encoding of `value`. */
  bytes: Uint8Array
  /** Their text. */
  text: string
  /** The top-level `signature` member in `text`: the text without it is what the signature covers after the domain line. */
  signature: MemberSpan
}

/**
 * Size check, JSON parse and canonical-encoding check of a signed message:
 * throws `ERR_TOO_LARGE`, `ERR_MALFORMED`, or `ERR_NOT_CANONICAL` when the
 * bytes are JSON in any encoding but the canonical one. The text is parsed
 * and encoded once; the encoding also says where the signature lies, so the
 * signature check takes the signed bytes from the received ones
 * (signing.ts `verifySignedJson`).
 */
export function decodeSignedJson (bytes: Uint8Array, maxBytes: number, what: string): SignedJson {
  const text = decodeText(bytes, maxBytes, what)
  const value = parseJsonText(text, what)
  // The decoder drops a leading byte order mark, the one difference between the text and the bytes it checks.
  const signature = startsWithBom(bytes) ? null : canonicalMemberSpan(value, text, 'signature')
  if (signature === null) throw new TrustEngineError(ERR_NOT_CANONICAL, `${what}: not in canonical JSON encoding`)
  return { value, bytes, text, signature }
}

function startsWithBom (bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
}

function decodeText (bytes: Uint8Array, maxBytes: number, what: string): string {
  if (!(bytes instanceof Uint8Array)) throw new TrustEngineError(ERR_MALFORMED, `${what}: expected bytes`)
  if (bytes.byteLength > maxBytes) {
    throw new TrustEngineError(ERR_TOO_LARGE, `${what}: ${bytes.byteLength} bytes exceeds the limit of ${maxBytes}`, { details: { size: bytes.byteLength, limit: maxBytes } })
  }
  try {
    return utf8.decode(bytes)
  } catch (cause) {
    throw new TrustEngineError(ERR_MALFORMED, `${what}: not valid UTF-8`, { cause })
  }
}

function parseJsonText (text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (cause) {
    throw new TrustEngineError(ERR_MALFORMED, `${what}: not valid JSON`, { cause })
  }
}

/** Validates `value` against `schema`; throws `ERR_SCHEMA` naming the failing paths (never the data). */
export function parseWith<S extends z.ZodType> (schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.slice(0, 8).map((i) => ({ path: i.path.map(String).join('.'), code: i.code }))
  const where = issues.map((i) => i.path === '' ? i.code : `${i.path} (${i.code})`).join(', ')
  throw new TrustEngineError(ERR_SCHEMA, `${what}: schema violation at ${where}`, { details: { issues } })
}

/** The three decoding steps in order: size check, JSON parse, schema. */
export function decodeWith<S extends z.ZodType> (schema: S, bytes: Uint8Array, maxBytes: number, what: string): z.output<S> {
  return parseWith(schema, decodeJson(bytes, maxBytes, what), what)
}
