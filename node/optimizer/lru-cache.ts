/**
 * A bounded least-recently-used cache (a `Map` kept in recency order).
 */
export class LruCache<K, V> {
  readonly #max: number
  readonly #map = new Map<K, V>()

  /** Creates a cache holding at most `max` entries (at least 1). */
  constructor (max: number) {
    this.#max = Math.max(1, Math.floor(max))
  }

  /** Returns the value for `key` and marks it most recently used. */
  get (key: K): V | undefined {
    const value = this.#map.get(key)
    if (value !== undefined) {
      this.#map.delete(key)
      this.#map.set(key, value)
    }
    return value
  }

  /** Stores `value`, evicting the least recently used entry when full. */
  set (key: K, value: V): void {
    this.#map.delete(key)
    this.#map.set(key, value)
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as K)
  }

  /** Number of entries. */
  get size (): number { return this.#map.size }

  /** Removes every entry. */
  clear (): void { this.#map.clear() }
}
