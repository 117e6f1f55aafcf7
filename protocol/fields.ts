/** Zod schemas of the small fields shared by every message and the network file. */
import { z } from 'zod'

/** Pattern of a network id (see {@link networkIdSchema}). */
export const NETWORK_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/
/** Pattern of 32 bytes as lowercase hex (public keys, sha256 hashes). */
export const HEX32_PATTERN = /^[0-9a-f]{64}$/
/** Pattern of 64 bytes as lowercase hex (signatures). */
export const HEX64_PATTERN = /^[0-9a-f]{128}$/

/** A network id: lowercase letters, digits and dashes, 1 to 63 characters, starting with a letter or digit. */
export const networkIdSchema = z.string().regex(NETWORK_ID_PATTERN)

/** An ed25519 public key: 32 bytes as 64 lowercase hex characters. */
export const publicKeySchema = z.string().regex(HEX32_PATTERN)

/** A sha256 hash: 64 lowercase hex characters. */
export const sha256Schema = z.string().regex(HEX32_PATTERN)

/** An ed25519 signature: 64 bytes as 128 lowercase hex characters. */
export const signatureSchema = z.string().regex(HEX64_PATTERN)

/** A nonce: 8 to 32 bytes as lowercase hex. */
export const nonceSchema = z.string().regex(/^(?:[0-9a-f]{2}){8,32}$/)

/**
 * The last instant a JavaScript `Date` holds: 8.64e15 ms after the epoch
 * (100 000 000 days, +275760-09-13). Larger safe integers are no time at all
 * (`new Date(t)` is an Invalid Date, `toISOString` throws).
 */
export const MAX_EPOCH_MS = 8_640_000_000_000_000

/** A time in integer milliseconds since the Unix epoch, at most {@link MAX_EPOCH_MS}. */
export const epochMsSchema = z.int().nonnegative().max(MAX_EPOCH_MS)
