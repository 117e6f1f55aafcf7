/**
 * What the protocol code needs of `node:crypto` to verify in a browser
 * (esbuild aliases the module here): sha256 and sha512 hashes and ed25519
 * verification, from @noble/hashes and @noble/curves (the audited libraries
 * the node already uses). Verification follows RFC 8032 strictly
 * (`zip215: false`), as Node's OpenSSL does. Signing and key generation are
 * not available: the console only checks.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { sha256, sha512 } from '@noble/hashes/sha2.js'
import { Buffer } from './buffer.ts'

type Data = string | Uint8Array

/** A hash in progress, as `createHash` returns. */
class Hash {
  readonly #hash: ReturnType<typeof sha256.create>
  constructor (h: ReturnType<typeof sha256.create>) { this.#hash = h }
  update (data: Data, encoding?: 'utf8'): this {
    this.#hash.update(typeof data === 'string' ? new TextEncoder().encode(data) : data)
    void encoding
    return this
  }

  digest (encoding?: 'hex'): Buffer | string {
    const out = Buffer.from(this.#hash.digest())
    return encoding === 'hex' ? out.toString('hex') : out
  }
}

/** sha256 or sha512. */
export function createHash (algorithm: string): Hash {
  if (algorithm === 'sha256') return new Hash(sha256.create())
  if (algorithm === 'sha512') return new Hash(sha512.create() as unknown as ReturnType<typeof sha256.create>)
  throw new Error(`hash ${algorithm} is not available in the console`)
}

/** A public key object: the raw 32 bytes of an ed25519 key given as JWK. */
export function createPublicKey (input: { key: { kty: string, crv: string, x: string }, format: 'jwk' }): { raw: Uint8Array } {
  if (input.format !== 'jwk' || input.key.crv !== 'Ed25519') throw new Error('only ed25519 JWK public keys are available in the console')
  const b64 = input.key.x.replace(/-/g, '+').replace(/_/g, '/')
  return { raw: new Uint8Array(Buffer.from(b64 + '='.repeat((4 - (b64.length % 4)) % 4), 'base64')) }
}

/** ed25519 verification of `signature` over `data` with `key` (algorithm null, as Node's ed25519). */
export function verify (algorithm: null, data: Uint8Array, key: { raw: Uint8Array }, signature: Uint8Array): boolean {
  void algorithm
  return ed25519.verify(signature, data, key.raw, { zip215: false })
}

function unavailable (): never {
  throw new Error('signing is not available in the console')
}

export const sign = unavailable
export const createPrivateKey = unavailable
export const generateKeyPairSync = unavailable
