/**
 * Domain-separated ed25519 signatures (node:crypto).
 *
 * Signed bytes are `"trust-engine/v1/" + type + "/" + networkId + "\n"`
 * followed by the canonical encoding of the message without its `signature`
 * field. Binding the message type and the network id into the signed bytes
 * (as CometBFT binds the chain id and OCR the report context) means a
 * signature made for one network, or for one kind of message, never verifies
 * as another.
 *
 * Keys are lowercase hex: a public key is the raw 32-byte ed25519 key, a
 * private key is the raw 32-byte seed. Key objects are cached, because
 * building them costs about as much as a verification: per public key, one
 * entry says whether it may verify at all (public-key.ts) and holds its key
 * object, so a verification looks its key up once. Each cache keeps the
 * last {@link KEY_CACHE_LIMIT} keys it was asked for, entered by the key's
 * own hex, so another key is never answered for with a cached one.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { canonicalStringWithout } from './canonical.ts'
import type { SignedJson } from './decode.ts'
import { DOMAIN_PREFIX } from './constants.ts'
import { TrustEngineError, declareCode } from './errors.ts'
import { isStrongPublicKey } from './public-key.ts'

/** The kinds of signed message; each has its own signing domain. */
export type SignedType = 'job' | 'vote' | 'audit' | 'head' | 'seed'

/** A key pair as lowercase hex (public: raw 32 bytes; private: 32-byte seed). */
export interface KeyPairHex {
  publicKey: string
  privateKey: string
}

/** Code of a key that is not 32 bytes of lowercase hex. */
export const ERR_BAD_KEY = declareCode('ERR_BAD_KEY', { action: 'reject', status: 400 })
/** Code of a signature that does not verify. */
export const ERR_BAD_SIGNATURE = declareCode('ERR_BAD_SIGNATURE', { action: 'reject', status: 400 })

const HEX32 = /^[0-9a-f]{64}$/
const HEX64 = /^[0-9a-f]{128}$/
/** Bound on each key cache (the oldest entry goes first); a network has at most 1000 validators. */
export const KEY_CACHE_LIMIT = 4096
/** Per public key (hex): its key object, or null for a key that never verifies (malformed, non-canonical or of small order). */
const publicCache = new Map<string, KeyObject | null>()
const privateCache = new Map<string, KeyObject>()
/** Reused buffer for a signature being checked (64 bytes): verification is synchronous and keeps no reference. */
const signatureScratch = Buffer.alloc(64)
const encoder = new TextEncoder()
/** Reused buffer for the signed bytes of {@link verifyMessage}; grows to the largest message verified. */
let scratch = new Uint8Array(4096)
/** Bound on the scratch buffer, so that one huge message does not stay allocated. */
const SCRATCH_LIMIT = 256 * 1024
/** DER header of a PKCS#8 ed25519 private key (RFC 8410); the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/** Generates a fresh ed25519 key pair. */
export function generateKeyPair (): KeyPairHex {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const jwk = privateKey.export({ format: 'jwk' })
  return {
    publicKey: Buffer.from(jwk.x!, 'base64url').toString('hex'),
    privateKey: Buffer.from(jwk.d!, 'base64url').toString('hex')
  }
}

/** The public key (hex) of a private key seed (hex). */
export function publicKeyOf (privateKeyHex: string): string {
  const jwk = privateKeyObject(privateKeyHex).export({ format: 'jwk' })
  return Buffer.from(jwk.x!, 'base64url').toString('hex')
}

/** True when `s` is a well-formed public or private key (32 bytes, lowercase hex). */
export function isKeyHex (s: string): boolean {
  return HEX32.test(s)
}

/** The bytes that are signed for a message of `type` in network `networkId`. */
export function signedBytes (type: SignedType, networkId: string, message: object): Uint8Array {
  return encoder.encode(signedText(type, networkId, message))
}

/** The text whose UTF-8 bytes are {@link signedBytes}. */
function signedText (type: SignedType, networkId: string, message: object): string {
  return `${DOMAIN_PREFIX}${type}/${networkId}\n${canonicalStringWithout(message, 'signature')}`
}

/** Signs raw bytes; returns the signature as 128 hex characters. */
export function signBytes (privateKeyHex: string, bytes: Uint8Array): string {
  return sign(null, bytes, privateKeyObject(privateKeyHex)).toString('hex')
}

/**
 * Verifies a hex signature over raw bytes. Malformed keys or signatures, and
 * weak keys (non-canonical or small order, see public-key.ts), verify as false.
 */
export function verifyBytes (publicKeyHex: string, bytes: Uint8Array, signatureHex: string): boolean {
  if (!HEX64.test(signatureHex)) return false
  const key = verifierOf(publicKeyHex)
  if (key === null) return false
  signatureScratch.write(signatureHex, 'hex')
  try {
    return verify(null, bytes, key, signatureScratch)
  } catch {
    return false
  }
}

/** How many public keys the verification key cache holds now (at most {@link KEY_CACHE_LIMIT}). */
export function publicKeyCacheSize (): number {
  return publicCache.size
}

/** Returns `message` with a `signature` field made by `privateKeyHex` in the given domain. */
export function signMessage<T extends object> (type: SignedType, networkId: string, message: T, privateKeyHex: string): T & { signature: string } {
  const signature = signBytes(privateKeyHex, signedBytes(type, networkId, message))
  return { ...message, signature }
}

/**
 * True when `message.signature` is a valid signature by `publicKeyHex` in the
 * given domain, over the bytes of {@link signedBytes} (encoded into a reused
 * buffer: verification is synchronous and keeps no reference to them).
 */
export function verifyMessage (type: SignedType, networkId: string, message: { signature: string }, publicKeyHex: string): boolean {
  return verifySignedText(type, networkId, canonicalStringWithout(message, 'signature'), message.signature, publicKeyHex)
}

/**
 * {@link verifyMessage} for a message read by `decodeSignedJson` (decode.ts):
 * its received bytes are its canonical encoding, so the signed bytes are the
 * domain line and those bytes without the signature member, copied into the
 * reused scratch buffer instead of encoding the message again. (For text
 * that is not all ASCII, where character and byte offsets differ, the text
 * without the member is encoded.) The caller checks `signatureHex` is the
 * message's signature field.
 */
export function verifySignedJson (type: SignedType, networkId: string, message: SignedJson, signatureHex: string, publicKeyHex: string): boolean {
  const { bytes, text, signature: { start, end } } = message
  // Byte length equals character length exactly when every character is ASCII (one byte each).
  if (bytes.length !== text.length) return verifySignedText(type, networkId, text.slice(0, start) + text.slice(end), signatureHex, publicKeyHex)
  const head = `${DOMAIN_PREFIX}${type}/${networkId}\n`
  const size = 3 * head.length + bytes.length - (end - start)
  if (size > SCRATCH_LIMIT) return verifySignedText(type, networkId, text.slice(0, start) + text.slice(end), signatureHex, publicKeyHex)
  if (scratch.length < size) scratch = new Uint8Array(Math.min(SCRATCH_LIMIT, Math.max(2 * scratch.length, size)))
  const { written } = encoder.encodeInto(head, scratch)
  scratch.set(bytes.subarray(0, start), written)
  scratch.set(bytes.subarray(end), written + start)
  return verifyBytes(publicKeyHex, scratch.subarray(0, written + bytes.length - (end - start)), signatureHex)
}

/** {@link verifyMessage} over a message's canonical text without its signature, `unsigned`, encoded into the reused scratch buffer. */
function verifySignedText (type: SignedType, networkId: string, unsigned: string, signatureHex: string, publicKeyHex: string): boolean {
  const text = `${DOMAIN_PREFIX}${type}/${networkId}\n${unsigned}`
  // UTF-8 takes at most 3 bytes per UTF-16 code unit; an unusually large message gets its own bytes.
  if (3 * text.length > SCRATCH_LIMIT) return verifyBytes(publicKeyHex, encoder.encode(text), signatureHex)
  if (scratch.length < 3 * text.length) scratch = new Uint8Array(Math.min(SCRATCH_LIMIT, Math.max(2 * scratch.length, 3 * text.length)))
  const { written } = encoder.encodeInto(text, scratch)
  return verifyBytes(publicKeyHex, scratch.subarray(0, written), signatureHex)
}

/** A key object for a strong public key, null should node:crypto refuse it. */
function publicKeyObject (hex: string): KeyObject | null {
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') }, format: 'jwk' })
  } catch {
    return null
  }
}

/** The key object to verify signatures by public key `hex`, or null when the key never verifies (see public-key.ts). */
function verifierOf (hex: string): KeyObject | null {
  let key = publicCache.get(hex)
  if (key === undefined) {
    key = isStrongPublicKey(hex) ? publicKeyObject(hex) : null
    remember(publicCache, hex, key)
  }
  return key
}

function privateKeyObject (hex: string): KeyObject {
  let key = privateCache.get(hex)
  if (key === undefined) {
    if (!HEX32.test(hex)) throw new TrustEngineError(ERR_BAD_KEY, 'private key must be a 32-byte seed in lowercase hex')
    key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'pkcs8' })
    remember(privateCache, hex, key)
  }
  return key
}

function remember<K> (cache: Map<string, K>, hex: string, key: K): void {
  if (cache.size >= KEY_CACHE_LIMIT) cache.delete(cache.keys().next().value!)
  cache.set(hex, key)
}
