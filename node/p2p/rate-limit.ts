/**
 * Token buckets keyed by a peer id (or an IP address, or an uploader): the
 * rate limits of stream protocols and of the HTTP API.
 *
 * A bucket holds up to `burst` tokens and refills at `ratePerSecond`. `take`
 * spends tokens when there are enough (a request allowed or refused at
 * once); `reserve` always spends and returns how long the caller must wait
 * before going on (a byte stream paced to its rate, tokens may go negative).
 * The map is bounded: beyond `maxKeys` the least recently used key is
 * forgotten, so a flood of fresh identities cannot grow it without limit
 * (a forgotten key starts again with a full bucket, which is why admission
 * bounds the number of identities first).
 */

/** Rate and burst of one bucket. */
export interface TokenBucketOptions {
  /** Tokens added per second. */
  ratePerSecond: number
  /** Largest number of tokens held (and the starting amount). */
  burst: number
}

interface Bucket {
  tokens: number
  at: number
}

/** Token buckets, one per key, with a bounded number of keys. */
export class KeyedTokenBuckets {
  readonly #options: TokenBucketOptions
  readonly #buckets = new Map<string, Bucket>()
  readonly #maxKeys: number
  readonly #now: () => number

  /** `maxKeys` bounds the memory; `now` is the clock in ms (tests may pass their own). */
  constructor (options: TokenBucketOptions, maxKeys = 4096, now: () => number = Date.now) {
    if (!(options.ratePerSecond > 0) || !(options.burst > 0)) throw new RangeError('rate and burst must be positive')
    this.#options = options
    this.#maxKeys = maxKeys
    this.#now = now
  }

  /** Spends `n` tokens of `key` if it has them; false (nothing spent) otherwise. */
  take (key: string, n = 1): boolean {
    const b = this.#refill(key)
    if (b.tokens < n) return false
    b.tokens -= n
    return true
  }

  /**
   * Spends `n` tokens of `key` even if it has fewer, and returns the wait in
   * ms until the balance is back at zero (0 when it had enough).
   */
  reserve (key: string, n: number): number {
    const b = this.#refill(key)
    b.tokens -= n
    return b.tokens >= 0 ? 0 : Math.ceil((-b.tokens / this.#options.ratePerSecond) * 1000)
  }

  /** Ms until `key` holds `n` tokens again (0 when it holds them now); spends nothing. */
  waitMs (key: string, n = 1): number {
    const b = this.#refill(key)
    return b.tokens >= n ? 0 : Math.ceil(((n - b.tokens) / this.#options.ratePerSecond) * 1000)
  }

  /** Number of keys currently tracked. */
  get size (): number {
    return this.#buckets.size
  }

  #refill (key: string): Bucket {
    const now = this.#now()
    let b = this.#buckets.get(key)
    if (b === undefined) {
      b = { tokens: this.#options.burst, at: now }
      if (this.#buckets.size >= this.#maxKeys) {
        const oldest = this.#buckets.keys().next().value
        if (oldest !== undefined) this.#buckets.delete(oldest)
      }
    } else {
      // Move to the end: the map's order is the order of last use.
      this.#buckets.delete(key)
      b.tokens = Math.min(this.#options.burst, b.tokens + ((now - b.at) / 1000) * this.#options.ratePerSecond)
      b.at = now
    }
    this.#buckets.set(key, b)
    return b
  }
}
