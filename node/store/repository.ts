/**
 * A typed view of one bucket: keys of type `K` through a {@link KeyCodec},
 * values of type `V` checked by a schema on the way in and on the way out.
 *
 * Reads never trust the bytes on disk: a value that does not parse or does
 * not match the schema gives `ERR_STORE_CORRUPT`. Writes add operations to a
 * {@link WriteBatch}; nothing is stored until the store commits the batch.
 */
import { z } from 'zod'
import { TrustEngineError } from '../../protocol/errors.ts'
import type { Bucket } from './buckets.ts'
import { parseStoredJson } from './corruption.ts'
import type { KeyRange, Store } from './db.ts'
import { ERR_STORE_BAD_KEY, ERR_STORE_BAD_VALUE, ERR_STORE_CORRUPT } from './errors.ts'
import { concatBytes, prefixEnd, type KeyCodec } from './key-codec.ts'
import type { WriteBatch } from './write-batch.ts'

/** Anything with zod's `safeParse` shape: checks an unknown value and returns it typed. */
export interface ValueSchema<V> {
  safeParse: (value: unknown) => { success: true, data: V } | { success: false, error: unknown }
}

/** A JSON object (the default value type until a record has its own schema). */
export type JsonObject = { [key: string]: unknown }

/** Schema of any JSON object. */
export const JsonObjectSchema: ValueSchema<JsonObject> = z.custom<JsonObject>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  { message: 'expected a JSON object' }
)

/** Schema of any JSON value. */
export const JsonValueSchema: ValueSchema<unknown> = z.unknown()

/** Options of a {@link Repository}. */
export interface RepositoryOptions<K, V> {
  /** The bucket of its records. */
  bucket: Bucket
  /** Encodes the key after the bucket byte. */
  key: KeyCodec<K>
  /** Checks values written and read back. Describes the stored JSON form. */
  value: ValueSchema<V>
}

/** One record of a listing. */
export interface Entry<K, V> {
  key: K
  value: V
}

/** Options of {@link Repository.list} and {@link Repository.entries}. */
export interface ListOptions<K> {
  /** Only keys whose encoding starts with these bytes (after the bucket byte). */
  prefix?: Uint8Array
  /** Only keys after this one (exclusive): the cursor of the previous page. */
  after?: K
  /** Largest number of records. Default {@link DEFAULT_LIST_LIMIT} for `list`, all for `entries`. */
  limit?: number
  /** Descending key order. */
  reverse?: boolean
}

/** Default page size of {@link Repository.list}: bounds memory for callers that forget a limit. */
export const DEFAULT_LIST_LIMIT = 1000

/** Typed records of one bucket. */
export class Repository<K, V> {
  /** The store it reads from. */
  readonly store: Store
  /** Its bucket. */
  readonly bucket: Bucket
  readonly #key: KeyCodec<K>
  readonly #value: ValueSchema<V>
  readonly #prefix: Uint8Array

  /** A repository over `options.bucket` of `store`. */
  constructor (store: Store, options: RepositoryOptions<K, V>) {
    this.store = store
    this.bucket = options.bucket
    this.#key = options.key
    this.#value = options.value
    this.#prefix = Uint8Array.of(options.bucket)
  }

  /** The full store key of `key` (bucket byte first). */
  keyOf (key: K): Uint8Array {
    return concatBytes(this.#prefix, this.#key.encode(key))
  }

  /** The record under `key`, or null. */
  async get (key: K): Promise<V | null> {
    const full = this.keyOf(key)
    const bytes = await this.store.get(full)
    return bytes === null ? null : this.decodeValue(full, bytes)
  }

  /** True when a record exists under `key`. */
  async has (key: K): Promise<boolean> {
    return (await this.store.get(this.keyOf(key))) !== null
  }

  /** Adds a put of `value` under `key` to `batch`. Throws `ERR_STORE_BAD_VALUE` when the value fails the schema. */
  put (batch: WriteBatch, key: K, value: V): void {
    if (!this.#value.safeParse(value).success) {
      throw new TrustEngineError(ERR_STORE_BAD_VALUE, `value does not match the schema of bucket ${this.bucket}`)
    }
    batch.put(this.keyOf(key), value)
  }

  /** Adds a delete of `key` to `batch`. */
  del (batch: WriteBatch, key: K): void {
    batch.del(this.keyOf(key))
  }

  /** Up to `limit` (default {@link DEFAULT_LIST_LIMIT}) records in key order. */
  async list (options: ListOptions<K> = {}): Promise<Array<Entry<K, V>>> {
    const out: Array<Entry<K, V>> = []
    for await (const entry of this.entries({ ...options, limit: options.limit ?? DEFAULT_LIST_LIMIT })) out.push(entry)
    return out
  }

  /** Records in key order (all, unless `limit`), read lazily from one snapshot. */
  async * entries (options: ListOptions<K> = {}): AsyncGenerator<Entry<K, V>> {
    const start = options.prefix === undefined ? this.#prefix : concatBytes(this.#prefix, options.prefix)
    const end = prefixEnd(start)
    const cursor = options.after === undefined ? undefined : this.keyOf(options.after)
    if (cursor !== undefined && !startsWith(cursor, start)) {
      throw new TrustEngineError(ERR_STORE_BAD_KEY, 'the cursor key is outside the listed prefix')
    }
    const range: KeyRange = { reverse: options.reverse === true }
    if (options.limit !== undefined) range.limit = options.limit
    if (options.reverse === true) {
      // Descending: from the end of the prefix (or just below the cursor) down to its start.
      range.gte = start
      if (cursor !== undefined) range.lt = cursor
      else if (end !== null) range.lt = end
    } else {
      if (cursor !== undefined) range.gt = cursor
      else range.gte = start
      if (end !== null) range.lt = end
    }
    for await (const [key, value] of this.store.iterate(range)) {
      yield { key: this.#key.decode(key.subarray(1)), value: this.decodeValue(key, value) }
    }
  }

  /** Parses and checks stored bytes read under `fullKey` (`ERR_STORE_CORRUPT` when they are not a valid record). */
  decodeValue (fullKey: Uint8Array, bytes: Uint8Array): V {
    const json = parseStoredJson(bytes, this.store.options.maxValueBytes)
    const parsed = this.#value.safeParse(json)
    if (!parsed.success) {
      throw new TrustEngineError(ERR_STORE_CORRUPT, `stored value in bucket ${this.bucket} does not match its schema`, {
        details: { bucket: this.bucket, key: Buffer.from(fullKey).toString('hex') }
      })
    }
    return parsed.data
  }
}

function startsWith (bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false
  return true
}
