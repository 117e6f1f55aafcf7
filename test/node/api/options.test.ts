/** API options: defaults, range checks and the loopback/token rule. */
import { describe, expect, it } from 'vitest'
import { DEFAULT_API_OPTIONS, isLoopbackHost, resolveApiOptions } from '../../../node/api/options.ts'
import { statusOfCode } from '../../../node/api/errors.ts'
import { DEFAULT_BLOB_TRANSFER_OPTIONS } from '../../../node/p2p/blob-protocol.ts'

describe('resolveApiOptions', () => {
  it('defaults to loopback without a token', () => {
    expect(resolveApiOptions()).toEqual(DEFAULT_API_OPTIONS)
    expect(DEFAULT_API_OPTIONS.host).toBe('127.0.0.1')
  })

  it('accepts blobs exactly as large as the blob protocol serves', () => {
    expect(DEFAULT_API_OPTIONS.maxBlobBytes).toBe(DEFAULT_BLOB_TRANSFER_OPTIONS.maxBlobBytes)
  })

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect([h, isLoopbackHost(h)]).toEqual([h, true])
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.org', '::ffff:10.0.0.1', 'localhost.example.org']) expect([h, isLoopbackHost(h)]).toEqual([h, false])
  })

  it('requires a token off loopback (ERR_API_TOKEN_REQUIRED) and accepts one there', () => {
    expect(() => resolveApiOptions({ host: '0.0.0.0' })).toThrow(expect.objectContaining({ code: 'ERR_API_TOKEN_REQUIRED' }))
    expect(resolveApiOptions({ host: '0.0.0.0', token: 'secret-token-123456' }).token).toBe('secret-token-123456')
  })

  it('refuses out-of-range numbers and an empty token (ERR_API_OPTIONS)', () => {
    for (const bad of [{ port: -1 }, { port: 65536 }, { port: 1.5 }, { bodyLimit: 0 }, { maxBlobBytes: -5 }, { maxListLimit: 0.5 }, { token: '' }, { host: '' }]) {
      expect(() => resolveApiOptions(bad)).toThrow(expect.objectContaining({ code: 'ERR_API_OPTIONS' }))
    }
  })
})

describe('statusOfCode', () => {
  it('answers the status each code was declared with', () => {
    expect(statusOfCode('ERR_BAD_JSON')).toBe(400)
    expect(statusOfCode('ERR_UNAUTHORIZED')).toBe(401)
    expect(statusOfCode('ERR_NOT_VALIDATOR')).toBe(403)
    expect(statusOfCode('ERR_JOB_NOT_FOUND')).toBe(404)
    expect(statusOfCode('ERR_TOO_LARGE')).toBe(413)
    expect(statusOfCode('ERR_STORE_CLOSED')).toBe(503)
    // Declared in modules the API loads for that purpose (their errors may come back from a worker).
    expect(statusOfCode('ERR_SCENE_GLB_MALFORMED')).toBe(400)
    expect(statusOfCode('ERR_PNG_TOO_LARGE')).toBe(413)
  })

  it('answers 500 for an undeclared code, whatever its shape (no guessing from names)', () => {
    expect(statusOfCode('ERR_SOMETHING_NOT_FOUND')).toBe(500)
    expect(statusOfCode('ERR_BAD_THING')).toBe(500)
    expect(statusOfCode('ERR_STORE_IO')).toBe(500)
  })
})
