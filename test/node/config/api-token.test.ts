/**
 * The API token must be something a client can send: the API reads
 * `Authorization: Bearer <token>` with no whitespace in the token, and a
 * header value carries Latin-1 at most, encoded differently by curl (UTF-8)
 * and fetch (Latin-1). A token with a space, a newline or a non-ASCII
 * character used to start a node whose writing routes no client could use.
 */
import { describe, expect, it } from 'vitest'
import { parseConfigFile } from '../../../node/config/config-file.ts'
import { resolveNodeOptions } from '../../../node/config/node-options.ts'
import { resolveApiToken } from '../../../node/cli/args.ts'

const UNUSABLE = ['correct horse battery staple', 'abcdefghijklmnop\nq', 'ééééééééééééééééé', '€€€€€€€€€€€€€€€€€', 'abcdefghijklmnop\t']
const GOOD = ['0123456789abcdef', 'A-Za_z.0~9+/=!#$%&*()[]{}<>?@^|`', 'x'.repeat(256)]

describe('API token', () => {
  it('the node refuses a token no client can send, from flags, the environment or the config file', () => {
    for (const token of UNUSABLE) {
      expect(() => resolveNodeOptions([{ apiToken: token }])).toThrow(expect.objectContaining({ code: 'ERR_OPTIONS_INVALID' }))
      expect(() => parseConfigFile(new TextEncoder().encode(JSON.stringify({ apiToken: token })))).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }))
    }
  })
  it('accepts visible ASCII tokens of 16 to 256 characters', () => {
    for (const token of GOOD) {
      expect(resolveNodeOptions([{ apiToken: token }]).apiToken).toBe(token)
      expect(parseConfigFile(new TextEncoder().encode(JSON.stringify({ apiToken: token }))).apiToken).toBe(token)
    }
  })
  it('the client commands refuse such a token with ERR_BAD_ARGS, not a misleading ERR_API_UNREACHABLE', () => {
    for (const token of UNUSABLE) {
      expect(() => resolveApiToken(token, {})).toThrow(expect.objectContaining({ code: 'ERR_BAD_ARGS' }))
      expect(() => resolveApiToken(undefined, { TRUST_ENGINE_API_TOKEN: token })).toThrow(expect.objectContaining({ code: 'ERR_BAD_ARGS' }))
    }
    expect(resolveApiToken(GOOD[1], {})).toBe(GOOD[1])
    expect(resolveApiToken(undefined, {})).toBeUndefined()
  })
})
