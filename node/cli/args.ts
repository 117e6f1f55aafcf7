/**
 * Parsing of command-line values shared by several commands. Every bad value
 * is a `TrustEngineError` with code `ERR_BAD_ARGS`, which `main.ts` prints
 * with exit code 2.
 */
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
import { API_TOKEN_CHARACTERS, API_TOKEN_CHARACTERS_MESSAGE } from '../config/api-token.ts'

/** Code of a command-line value that does not parse or is out of range. */
export const ERR_BAD_ARGS = declareCode('ERR_BAD_ARGS', { status: 400 })

/** Environment variable with the default API base URL of client commands. */
export const ENV_API_URL = 'TRUST_ENGINE_API_URL'
/** Environment variable with the API bearer token (also read by the node itself). */
export const ENV_API_TOKEN = 'TRUST_ENGINE_API_TOKEN'
/** API base URL used when neither `--api` nor the environment gives one (the node's default API address). */
export const DEFAULT_API_URL = 'http://127.0.0.1:7700'

/** A bad-arguments error naming the flag. */
export function badArgs (flag: string, message: string): TrustEngineError {
  return new TrustEngineError(ERR_BAD_ARGS, `${flag}: ${message}`, { details: { flag } })
}

/** Parses a decimal integer flag in [min, max]. */
export function parseIntArg (flag: string, value: string, min: number, max: number): number {
  if (!/^-?\d{1,16}$/.test(value)) throw badArgs(flag, `expected an integer, got ${JSON.stringify(value)}`)
  const n = Number(value)
  if (n < min || n > max) throw badArgs(flag, `must be between ${min} and ${max}`)
  return n
}

/**
 * Parses `ssim=0.98,psnr=35,local=0.9` into `{ ssimMin, psnrMin, ssimLocalMin }`
 * (any may be left out), each in the range the protocol accepts: SSIM and
 * local SSIM in [-1, 1], PSNR a finite number ≥ 0.
 */
export function parseThresholds (value: string, flag = '--thresholds'): { ssimMin?: number, psnrMin?: number, ssimLocalMin?: number } {
  const out: { ssimMin?: number, psnrMin?: number, ssimLocalMin?: number } = {}
  for (const part of value.split(',')) {
    const m = /^\s*(ssim|psnr|local)\s*=\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$/.exec(part)
    if (m === null) throw badArgs(flag, `expected ssim=N,psnr=N,local=N, got ${JSON.stringify(part)}`)
    const key = m[1] === 'ssim' ? 'ssimMin' : m[1] === 'psnr' ? 'psnrMin' : 'ssimLocalMin'
    if (out[key] !== undefined) throw badArgs(flag, `${m[1]} given twice`)
    const n = Number(m[2])
    if (m[1] === 'psnr' ? !(Number.isFinite(n) && n >= 0) : !(n >= -1 && n <= 1)) {
      throw badArgs(flag, m[1] === 'psnr' ? 'psnr must be a finite number ≥ 0' : `${m[1]} must be in [-1, 1]`)
    }
    out[key] = n
  }
  return out
}

/**
 * The API base URL: `--api`, else `$TRUST_ENGINE_API_URL`, else the node's
 * default address. Must be an http(s) URL without query, fragment or
 * credentials (fetch refuses a URL with `user:password@`; the token goes in
 * `--token`).
 */
export function resolveApiUrl (flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const raw = flag ?? env[ENV_API_URL] ?? DEFAULT_API_URL
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw badArgs('--api', `not a URL: ${JSON.stringify(raw)}`)
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw badArgs('--api', 'expected an http(s) URL like http://127.0.0.1:7700')
  }
  // Not echoed: the message would print the password.
  if (url.username !== '' || url.password !== '') throw badArgs('--api', 'a URL with user:password@ is not sent; give the API token with --token')
  return url.href.replace(/\/+$/, '')
}

/** The API token: `--token`, else `$TRUST_ENGINE_API_TOKEN`, else none. */
export function resolveApiToken (flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const t = flag ?? env[ENV_API_TOKEN]
  if (t === undefined || t === '') return undefined
  // It goes into an HTTP header: anything else fails in fetch, which reads as an unreachable node.
  if (!API_TOKEN_CHARACTERS.test(t)) throw badArgs(flag !== undefined ? '--token' : ENV_API_TOKEN, API_TOKEN_CHARACTERS_MESSAGE)
  return t
}
