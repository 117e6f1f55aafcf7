/**
 * Decoding untrusted bytes in three steps: size check, JSON parse, schema.
 *
 * Every wire message goes through {@link decodeWith}: the size is checked
 * before anything is parsed, the text must be valid UTF-8 JSON, and the value
 * must satisfy a strict zod schema (unknown fields are refused, because a
 * signature covers every field and silently dropping one would change what
 * was signed). Each step fails with its own stable code.
 */
import type { z } from 'zod'
import { TrustEngineError, declareCode } from './errors.ts'

/** Code of input larger than its limit (checked before parsing). */
export const ERR_TOO_LARGE = declareCode('ERR_TOO_LARGE', { action: 'reject', status: 413 })
/** Code of input that is not UTF-8 JSON. */
export const ERR_MALFORMED = declareCode('ERR_MALFORMED', { action: 'reject', status: 400 })
/** Code of JSON that does not satisfy the message schema. */
export const ERR_SCHEMA = declareCode('ERR_SCHEMA', { action: 'reject', status: 400 })

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Size check and JSON parse of `bytes`; throws `ERR_TOO_LARGE` or `ERR_MALFORMED`. */
export function decodeJson (bytes: Uint8Array, maxBytes: number, what: string): unknown {
  if (!(bytes instanceof Uint8Array)) throw new TrustEngineError(ERR_MALFORMED, `${what}: expected bytes`)
  if (bytes.byteLength > maxBytes) {
    throw new TrustEngineError(ERR_TOO_LARGE, `${what}: ${bytes.byteLength} bytes exceeds the limit of ${maxBytes}`, { details: { size: bytes.byteLength, limit: maxBytes } })
  }
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch (cause) {
    throw new TrustEngineError(ERR_MALFORMED, `${what}: not valid UTF-8`, { cause })
  }
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
