/**
 * `--api` (or TRUST_ENGINE_API_URL) with `user:password@`: fetch refuses such
 * a URL, which the client commands reported as ERR_API_UNREACHABLE, printing
 * the password in the message.
 */
import { describe, expect, it } from 'vitest'
describe('API URL with credentials', () => {
  it('is refused with ERR_BAD_ARGS without echoing the password (fetch refused it, reported as ERR_API_UNREACHABLE with the URL)', async () => {
    const { resolveApiUrl } = await import('../../../node/cli/args.ts')
    for (const url of ['http://user:s3cret@127.0.0.1:7700', 'http://user@127.0.0.1:7700']) {
      let caught: unknown
      try { resolveApiUrl(url, {}) } catch (err) { caught = err }
      expect(caught).toMatchObject({ code: 'ERR_BAD_ARGS' })
      expect((caught as Error).message).not.toContain('s3cret')
    }
    expect(resolveApiUrl('http://127.0.0.1:7700/', {})).toBe('http://127.0.0.1:7700')
  })
})
