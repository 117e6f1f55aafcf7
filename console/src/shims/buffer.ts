/**
 * `Buffer` for the protocol code bundled into the console (esbuild injects it
 * as the global): the `buffer` package's, plus the `base64url` encoding Node
 * has and the package lacks (protocol/signing.ts writes keys as JWK).
 */
import { Buffer } from 'buffer'

const toString = Buffer.prototype.toString
Buffer.prototype.toString = function (this: Buffer, encoding?: string, start?: number, end?: number): string {
  if (encoding === 'base64url') return toString.call(this, 'base64', start, end).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
  return toString.call(this, encoding as BufferEncoding, start, end)
}

export { Buffer }
