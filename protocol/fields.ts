/** Zod schemas of the small fields shared by every message and the network file. */
import { z } from 'zod'

/** A network id: lowercase letters, digits and dashes, 1 to 63 characters, starting with a letter or digit. */
export const networkIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/)

/** An ed25519 public key: 32 bytes as 64 lowercase hex characters. */
export const publicKeySchema = z.string().regex(/^[0-9a-f]{64}$/)

/** A sha256 hash: 64 lowercase hex characters. */
export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/)

/** An ed25519 signature: 64 bytes as 128 lowercase hex characters. */
export const signatureSchema = z.string().regex(/^[0-9a-f]{128}$/)

/** A nonce: 8 to 32 bytes as lowercase hex. */
export const nonceSchema = z.string().regex(/^(?:[0-9a-f]{2}){8,32}$/)

/** A time in integer milliseconds since the Unix epoch. */
export const epochMsSchema = z.int().nonnegative()
