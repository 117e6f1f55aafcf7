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
import { TrustEngineError, declareCode } from './errors.ts'

/** Code of a value that has no canonical encoding. */
export const ERR_CANONICAL = declareCode('ERR_CANONICAL', { action: 'reject', status: 400 })

const encoder = new TextEncoder()

/** Canonical JSON text of `value`. Throws `ERR_CANONICAL` for values without one. */
export function canonicalString (value: unknown): string {
  const text = write(value)
  if (text === undefined) throw refusal(value)
  return text
}

/** Canonical JSON bytes (UTF-8) of `value`. Throws `ERR_CANONICAL` for values without one. */
export function canonicalEncode (value: unknown): Uint8Array {
  return encoder.encode(canonicalString(value))
}

/**
 * Canonical JSON text of the plain object `value` without its top-level
 * field `omit` (what a signature covers: the message without the signature),
 * the same text as `canonicalString` of a copy without that field, but
 * without copying. Throws `ERR_CANONICAL` for values without one.
 */
export function canonicalStringWithout (value: object, omit: string): string {
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null) {
    const text = writeObject(value as Record<string, unknown>, omit)
    if (text !== undefined) return text
  }
  // Not a plain object, or a part without encoding: the copy's text or refusal.
  const { [omit]: _omitted, ...rest } = value as Record<string, unknown>
  return canonicalString(rest)
}

/**
 * Where the top-level member `omit` lies in a canonical text, with the comma
 * that separates it: `text.slice(0, start) + text.slice(end)` is the
 * canonical text without it (`start === end` when there is no such member).
 */
export interface MemberSpan {
  start: number
  end: number
}

/**
 * Reads JSON `text` that `JSON.parse` turned into `value` (nothing else: the
 * answer relies on what JSON.parse makes): null when `text` is not the
 * canonical encoding of `value`, else where in `text` its top-level field
 * `omit` lies (what a signature leaves out). This is the gossip gate's check
 * (re-encode and compare) and the signed text, from one encoding instead of
 * three.
 *
 * Fast path: when every object's keys already come in canonical order (as
 * they do for JSON.parse of canonical text without integer-like keys),
 * `JSON.stringify` writes exactly the canonical text (same strings, same
 * numbers, same separators; a non-finite number written as `null` cannot
 * equal the text it was parsed from). Any other value is encoded by
 * {@link canonicalString}. Either way the member ends where the members after
 * it begin, and those are short to write again for signed messages (`type`,
 * `voter`).
 */
export function canonicalMemberSpan (value: unknown, text: string, omit: string): MemberSpan | null {
  if (keysInOrder(value)) {
    if (JSON.stringify(value) !== text) return null
    return memberSpan(value, text, omit, JSON.stringify, false)
  }
  let canonical: string
  try {
    canonical = canonicalString(value)
  } catch {
    return null
  }
  if (canonical !== text) return null
  return memberSpan(value, text, omit, canonicalString, true)
}

/** {@link canonicalMemberSpan} as text: the canonical text of `value` without `omit`, or null when `text` is not canonical. */
export function canonicalTextWithout (value: unknown, text: string, omit: string): string | null {
  const span = canonicalMemberSpan(value, text, omit)
  if (span === null) return null
  return span.start === span.end ? text : text.slice(0, span.start) + text.slice(span.end)
}

/**
 * True when every object in the JSON.parse output `value` lists its keys in
 * strictly increasing UTF-16 order. `for...in` lists an object's own keys in
 * the order of `Object.keys` without building an array (inherited enumerable
 * keys, which JSON.parse never makes, would follow them and at worst send the
 * value down the general path).
 */
function keysInOrder (value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!keysInOrder(value[i])) return false
    return true
  }
  const obj = value as Record<string, unknown>
  let previous: string | null = null
  for (const key in obj) {
    if (previous !== null && !(previous < key)) return false
    if (!keysInOrder(obj[key])) return false
    previous = key
  }
  return true
}

/**
 * The span of the top-level member `omit` in `text`, the canonical text of
 * `value` as `encode` writes each member's value, counting from the end:
 * the closing brace and the members after `omit` in canonical key order
 * (the order of `Object.keys` on the fast path, else once `sort`ed).
 */
function memberSpan (value: unknown, text: string, omit: string, encode: (v: unknown) => string, sort: boolean): MemberSpan {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, omit)) return { start: 0, end: 0 }
  const obj = value as Record<string, unknown>
  const keys = sort ? Object.keys(obj).sort() : Object.keys(obj)
  const at = keys.indexOf(omit)
  // Length of "," + member for every member after `omit`, and the closing brace.
  let after = 1
  for (let i = at + 1; i < keys.length; i++) after += 1 + quotedKey(keys[i]!).length + 1 + encode(obj[keys[i]!]).length
  const end = text.length - after
  const start = end - (quotedKey(omit).length + 1 + encode(obj[omit]).length)
  /* c8 ignore next 3: the arithmetic is exact for text that encodes value; kept as a guard */
  if (!text.startsWith(quotedKey(omit), start) || text.charCodeAt(start + quotedKey(omit).length) !== 0x3a) {
    throw new Error('canonical: the member does not lie where its length says')
  }
  // The member's own comma: the one before it, or the one after it when it comes first.
  if (at > 0) return { start: start - 1, end }
  return { start, end: keys.length === 1 ? end : end + 1 }
}

/**
 * The canonical text of `value`, or undefined when some part has none. The
 * fast path builds no paths; the error path finds the location afterwards.
 */
function write (value: unknown): string | undefined {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false'
    case 'string':
      return JSON.stringify(value)
    case 'number':
      // ECMAScript's Number::toString, which JSON.stringify also uses for finite numbers.
      return Number.isFinite(value) ? String(value) : undefined
    case 'object': {
      if (Array.isArray(value)) {
        let out = '['
        for (let i = 0; i < value.length; i++) {
          const part = write(value[i])
          if (part === undefined) return undefined
          out += i > 0 ? ',' + part : part
        }
        return out + ']'
      }
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return undefined
      return writeObject(value as Record<string, unknown>, null)
    }
    default:
      return undefined
  }
}

/** A plain object's canonical text, leaving out the key `omit` (null: none). */
function writeObject (obj: Record<string, unknown>, omit: string | null): string | undefined {
  // Array.prototype.sort without a comparator orders strings by UTF-16 code units, as RFC 8785 requires.
  const keys = Object.keys(obj).sort()
  let out = '{'
  let first = true
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!
    if (k === omit) continue
    const part = write(obj[k])
    if (part === undefined) return undefined
    out += (first ? '' : ',') + quotedKey(k) + ':' + part
    first = false
  }
  return out + '}'
}

/** Bound on remembered quoted keys (message schemas use a few dozen). */
const QUOTED_KEY_LIMIT = 256
const quotedKeys = new Map<string, string>()

/** JSON.stringify of an object key, remembered for the first few hundred keys seen. */
function quotedKey (k: string): string {
  let q = quotedKeys.get(k)
  if (q === undefined) {
    q = JSON.stringify(k)
    if (quotedKeys.size < QUOTED_KEY_LIMIT) quotedKeys.set(k, q)
  }
  return q
}

/** The error for the first value in `root` without a canonical encoding, naming its path. */
function refusal (root: unknown): TrustEngineError {
  const found = locate(root, '$')
  /* c8 ignore next: write() and locate() refuse the same values */
  return refuse(found?.path ?? '$', found?.what ?? 'a value')
}

function locate (value: unknown, path: string): { path: string, what: string } | null {
  if (value === null) return null
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return null
    case 'number':
      return Number.isFinite(value) ? null : { path, what: 'a non-finite number' }
    case 'undefined':
      return { path, what: 'undefined' }
    case 'object': {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const f = locate(value[i], `${path}[${i}]`)
          if (f !== null) return f
        }
        return null
      }
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return { path, what: 'a non-plain object' }
      const obj = value as Record<string, unknown>
      for (const k of Object.keys(obj).sort(compareUtf16)) {
        const f = locate(obj[k], `${path}.${k}`)
        if (f !== null) return f
      }
      return null
    }
    default:
      return { path, what: typeof value }
  }
}

/** Orders strings by UTF-16 code units, as RFC 8785 requires (not by locale). */
function compareUtf16 (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function refuse (path: string, what: string): TrustEngineError {
  return new TrustEngineError(ERR_CANONICAL, `no canonical encoding for ${what} at ${path}`, { details: { path } })
}
