/**
 * Seeded pseudo-random numbers that every honest node reproduces exactly.
 *
 * Construction (sha256 in counter mode): block `i` is
 * `sha256("trust-engine/prng/v1\0" ‖ seedBytes ‖ uint64be(i))` for i = 0, 1, …;
 * the stream is the concatenation of the blocks, read as big-endian uint32
 * words. It uses only sha256 and integer arithmetic, so the sequence is the
 * same in every process, platform and Node version. No clock, no Math.random.
 */
import { createHash } from 'node:crypto'
import { TrustEngineError } from '../errors.ts'
import { ERR_SEED, ERR_SEED_PART } from './errors.ts'

/** Domain prefix of every PRNG block, so the stream never equals another sha256 use. */
const PRNG_DOMAIN = Buffer.from('trust-engine/prng/v1\0', 'utf8')

/** Separator of {@link deriveSeed} parts; parts may not contain it, so joining is unambiguous. */
const SEED_SEPARATOR = '\0'

/** Lowercase hex of 1 to 64 whole bytes. */
const SEED_PATTERN = /^(?:[0-9a-f]{2}){1,64}$/

/** True when `seed` is a valid PRNG seed: lowercase hex of 1 to 64 bytes. */
export function isSeed (seed: unknown): seed is string {
  return typeof seed === 'string' && SEED_PATTERN.test(seed)
}

/**
 * Seed derived from labelled parts: lowercase hex sha256 of the parts joined
 * with NUL. A part containing NUL is refused (`ERR_SEED_PART`), so distinct
 * part lists never join to the same string.
 *
 * @example deriveSeed(jobId, 'frame-samples')
 */
export function deriveSeed (...parts: string[]): string {
  for (const part of parts) {
    if (typeof part !== 'string' || part.includes(SEED_SEPARATOR)) {
      throw new TrustEngineError(ERR_SEED_PART, 'seed parts must be strings without NUL characters')
    }
  }
  return createHash('sha256').update(parts.join(SEED_SEPARATOR), 'utf8').digest('hex')
}

/** Deterministic PRNG over a hex seed (see the module comment for the construction). */
export class SeededPrng {
  readonly #seed: Buffer
  #counter = 0
  #block: Buffer = Buffer.alloc(0)
  #offset = 0

  /** Throws `ERR_SEED` unless `seed` is lowercase hex of 1 to 64 bytes. */
  constructor (seed: string) {
    if (!isSeed(seed)) throw new TrustEngineError(ERR_SEED, 'seed must be lowercase hex of 1 to 64 bytes')
    this.#seed = Buffer.from(seed, 'hex')
  }

  /** Next uniformly distributed integer in [0, 2^32). */
  nextUint32 (): number {
    if (this.#offset >= this.#block.length) {
      const counter = Buffer.alloc(8)
      counter.writeBigUInt64BE(BigInt(this.#counter))
      this.#counter += 1
      this.#block = createHash('sha256').update(PRNG_DOMAIN).update(this.#seed).update(counter).digest()
      this.#offset = 0
    }
    const word = this.#block.readUInt32BE(this.#offset)
    this.#offset += 4
    return word
  }

  /**
   * Uniform integer in [0, n) for an integer 1 ≤ n ≤ 2^32, without modulo bias
   * (rejection of the top partial range). Throws `ERR_SEED` for a bad `n`.
   */
  nextInt (n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x1_0000_0000) {
      throw new TrustEngineError(ERR_SEED, 'nextInt bound must be an integer in [1, 2^32]')
    }
    const limit = Math.floor(0x1_0000_0000 / n) * n
    for (;;) {
      const v = this.nextUint32()
      if (v < limit) return v % n
    }
  }

  /** Uniform float in [0, 1) with 53 random bits (two words). */
  nextFloat (): number {
    const hi = this.nextUint32() >>> 5 // 27 bits
    const lo = this.nextUint32() >>> 6 // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992
  }
}
