/**
 * Everything random in a simulation run comes from the scenario's seed:
 * validator keys, job nonces, liars' values, cartel values, the placement of
 * faulty nodes. Each use derives its own stream from the seed and labelled
 * parts (protocol/sampling/prng.ts), so adding one use never shifts another.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { SeededPrng, deriveSeed } from '../protocol/sampling/prng.ts'

/** A PRNG for one labelled use of the run's seed. */
export function rngFor (seed: string, ...parts: string[]): SeededPrng {
  return new SeededPrng(deriveSeed('trust-engine/sim/v1', seed, ...parts))
}

/** A uniform number in [0, 1) from `rng` (32 bits of resolution). */
export function uniform (rng: SeededPrng): number {
  return rng.nextUint32() / 0x1_0000_0000
}

/** `bytes` bytes of lowercase hex derived from the seed and `parts`. */
export function hexFor (seed: string, bytes: number, ...parts: string[]): string {
  const rng = rngFor(seed, ...parts)
  let out = ''
  while (out.length < bytes * 2) out += rng.nextUint32().toString(16).padStart(8, '0')
  return out.slice(0, bytes * 2)
}

/** DER prefix of a PKCS#8 ed25519 private key, followed by its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/** A deterministic ed25519 key pair (lowercase hex, the key file's form) for validator `name` of a run. */
export function keyPairFor (seed: string, name: string): { publicKey: string, privateKey: string } {
  const privateKey = hexFor(seed, 32, 'key', name)
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(privateKey, 'hex')]), format: 'der', type: 'pkcs8' })
  const jwk = createPublicKey(key).export({ format: 'jwk' })
  const publicKey = Buffer.from(jwk.x!, 'base64url').toString('hex')
  return { publicKey, privateKey }
}

/** A seeded Fisher-Yates shuffle (a new array). */
export function shuffled<T> (items: readonly T[], seed: string, ...parts: string[]): T[] {
  const rng = rngFor(seed, 'shuffle', ...parts)
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
