/**
 * Canonical JSON encoding, the bytes that are hashed and signed.
 *
 * Follows RFC 8785 (JCS) for the values the protocol uses: object keys sorted
 * by UTF-16 code units, no whitespace, strings and numbers as ECMAScript's
 * `JSON.stringify` writes them (shortest round-trip form for numbers). Values
 * JSON cannot represent exactly (non-finite numbers, `undefined`, bigint,
 * functions, symbols) are refused rather than silently changed, because two
 * nodes must never sign different bytes for what they think is one message.
 */
import { TrustEngineError } from './errors.ts'

/** Code of a value that has no canonical encoding. */
export const ERR_CANONICAL = 'ERR_CANONICAL'

const encoder = new TextEncoder()

/** Canonical JSON text of `value`. Throws `ERR_CANONICAL` for values without one. */
export function canonicalString (value: unknown): string {
  return encode(value, '$')
}

/** Canonical JSON bytes (UTF-8) of `value`. Throws `ERR_CANONICAL` for values without one. */
export function canonicalEncode (value: unknown): Uint8Array {
  return encoder.encode(canonicalString(value))
}

function encode (value: unknown, path: string): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'string':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw refuse(path, 'a non-finite number')
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value)) {
        return '[' + value.map((v, i) => encode(v, `${path}[${i}]`)).join(',') + ']'
      }
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) throw refuse(path, 'a non-plain object')
      const obj = value as Record<string, unknown>
      const keys = Object.keys(obj).sort(compareUtf16)
      const parts: string[] = []
      for (const k of keys) {
        const v = obj[k]
        if (v === undefined) throw refuse(`${path}.${k}`, 'undefined')
        parts.push(JSON.stringify(k) + ':' + encode(v, `${path}.${k}`))
      }
      return '{' + parts.join(',') + '}'
    }
    default:
      throw refuse(path, typeof value)
  }
}

/** Orders strings by UTF-16 code units, as RFC 8785 requires (not by locale). */
function compareUtf16 (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function refuse (path: string, what: string): TrustEngineError {
  return new TrustEngineError(ERR_CANONICAL, `no canonical encoding for ${what} at ${path}`, { details: { path } })
}
