import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ERR_CANONICAL, canonicalEncode, canonicalString, canonicalStringWithout, canonicalTextWithout } from '../../protocol/canonical.ts'
import { isTrustEngineError } from '../../protocol/errors.ts'
import { codeOf } from '../helpers/codes.ts'

describe('canonicalString', () => {
  it('sorts object keys at every depth and writes no whitespace', () => {
    expect(canonicalString({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}')
  })

  it('sorts keys by UTF-16 code units, not code points or locale', () => {
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FFFF in UTF-16 order
    // (but after it in code point order); 'B' (0x42) sorts before 'a' (0x61).
    expect(canonicalString({ '\uffff': 1, '\u{1f600}': 2, a: 3, B: 4 })).toBe('{"B":4,"a":3,"\u{1f600}":2,"\uffff":1}')
  })

  it('writes numbers in shortest round-trip form', () => {
    expect(canonicalString([1.0, 1e-9, 0.1 + 0.2, 1e21, -0, 123456789012345680000])).toBe('[1,1e-9,0.30000000000000004,1e+21,0,123456789012345680000]')
  })

  it('keeps array order and escapes strings as JSON does', () => {
    expect(canonicalString(['b', 'a', '"\n\u0001'])).toBe('["b","a","\\"\\n\\u0001"]')
  })

  it('refuses values without a canonical encoding', () => {
    for (const bad of [NaN, Infinity, -Infinity, undefined, () => 1, 10n, Symbol('s'), { a: undefined }, [1, NaN], new Date(0), new Map()]) {
      expect(codeOf(() => canonicalString(bad))).toBe(ERR_CANONICAL)
    }
  })

  it('is independent of key insertion order (property)', () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 8 }), (obj) => {
      const reversed = Object.fromEntries(Object.entries(obj).reverse())
      expect(canonicalString(reversed)).toBe(canonicalString(obj))
    }), { numRuns: 200 })
  })

  it('round-trips through JSON.parse and is idempotent (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const text = canonicalString(value)
      const again = canonicalString(JSON.parse(text))
      expect(again).toBe(text)
      // Same value, same meaning: JSON.parse of the canonical text equals JSON.parse of JSON.stringify.
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)))
    }), { numRuns: 300 })
  })

  it('equals a plain reference: keys sorted by a UTF-16 comparator, every leaf through JSON.stringify (property)', () => {
    const reference = (v: unknown): string => {
      if (Array.isArray(v)) return '[' + v.map(reference).join(',') + ']'
      if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>
        return '{' + Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => JSON.stringify(k) + ':' + reference(o[k])).join(',') + '}'
      }
      return JSON.stringify(v)
    }
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      expect(canonicalString(value)).toBe(reference(value))
    }), { numRuns: 300 })
  })

  it('canonicalStringWithout is the text of the object without that top-level key (property)', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue(), { maxKeys: 8 }), fc.string({ maxLength: 4 }), (obj, extra) => {
      const omit = Object.keys(obj)[0] ?? extra
      const { [omit]: _omitted, ...rest } = obj
      expect(canonicalStringWithout(obj, omit)).toBe(canonicalString(rest))
      expect(canonicalStringWithout(obj, extra)).toBe(canonicalString(Object.fromEntries(Object.entries(obj).filter(([k]) => k !== extra))))
    }), { numRuns: 200 })
    expect(codeOf(() => canonicalStringWithout({ a: 1, b: NaN, signature: 'x' }, 'signature'))).toBe(ERR_CANONICAL)
    expect(canonicalStringWithout({ signature: NaN, a: 1 }, 'signature')).toBe('{"a":1}')
  })

  it('canonicalEncode gives the UTF-8 bytes of canonicalString', () => {
    const value = { é: 'ü', n: 1 }
    expect(Buffer.from(canonicalEncode(value)).toString('utf8')).toBe(canonicalString(value))
  })
})

describe('canonicalTextWithout', () => {
  /** The gossip gate and the signed text, the long way: re-encode and compare, then encode without the field. */
  const reference = (text: string): string | null => {
    const value: unknown = JSON.parse(text)
    let canonical: string
    try {
      canonical = canonicalString(value)
    } catch {
      return null
    }
    if (canonical !== text) return null
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? canonicalStringWithout(value, 'signature') : text
  }
  // Keys that make the fast path's assumptions fail too: integer-like keys (listed first by JSON.parse), the omitted key anywhere.
  const key = fc.oneof(fc.constantFrom('signature', 'type', 'voter', 'a', 'Z', '0', '1', '9', '10', '__proto__', 'é', '\u{1f600}'), fc.string({ maxLength: 3 }))
  const object = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 })
  const encodings = (value: unknown): string[] => [
    canonicalString(value), JSON.stringify(value), JSON.stringify(value, null, 1),
    JSON.stringify(value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value)
  ]

  it('answers as re-encoding and comparing does, for canonical and other encodings of any JSON (property)', () => {
    fc.assert(fc.property(fc.oneof(object, fc.jsonValue()), (value) => {
      for (const text of encodings(value)) expect(canonicalTextWithout(JSON.parse(text), text, 'signature')).toBe(reference(text))
    }), { numRuns: 500 })
  })

  it('cuts the omitted member wherever it sorts, and keeps texts without it (property)', () => {
    fc.assert(fc.property(object, fc.string({ maxLength: 130 }), (obj, signature) => {
      const text = canonicalString({ ...obj, signature })
      const { signature: _s, ...rest } = { ...obj, signature }
      expect(canonicalTextWithout(JSON.parse(text), text, 'signature')).toBe(canonicalString(rest))
    }), { numRuns: 300 })
  })

  it('refuses what the gate refuses: other key orders, whitespace, number forms, escapes, duplicate keys, overflow', () => {
    const refused = ['{"b":1,"a":2}', '{"a": 1}', '{"a":1.0}', '{"a":1E3}', '{"a":"\\u0061"}', '{"a":1,"a":1}', '{"a":1e999}', ' {"a":1}', '{"9":1,"10":2}']
    for (const text of refused) expect(canonicalTextWithout(JSON.parse(text), text, 'signature')).toBeNull()
    // Integer-like keys in canonical (UTF-16) order, which JSON.parse lists in numeric order instead.
    expect(canonicalTextWithout(JSON.parse('{"10":2,"9":1,"signature":"s"}'), '{"10":2,"9":1,"signature":"s"}', 'signature')).toBe('{"10":2,"9":1}')
    expect(canonicalTextWithout(JSON.parse('{"signature":"s"}'), '{"signature":"s"}', 'signature')).toBe('{}')
    expect(canonicalTextWithout(JSON.parse('{"a":{"signature":1},"signature":2,"z":{"signature":3}}'), '{"a":{"signature":1},"signature":2,"z":{"signature":3}}', 'signature')).toBe('{"a":{"signature":1},"z":{"signature":3}}')
    expect(canonicalTextWithout([1, 'signature'], '[1,"signature"]', 'signature')).toBe('[1,"signature"]')
  })
})
