import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterAll, describe, expect, it } from 'vitest'
import {
  ERR_KEY_FILE_EXISTS, ERR_KEY_FILE_INVALID, ERR_KEY_FILE_MISMATCH, ERR_KEY_FILE_MISSING, ERR_KEY_FILE_PERMISSIONS, ERR_KEY_FILE_TOO_LARGE,
  MAX_KEY_FILE_BYTES, generateKeyFile, libp2pPrivateKey, loadKeyFile, loadOrCreateKeyFile, peerIdOf
} from '../../node/keys.ts'
import { generateKeyPair, signBytes, verifyBytes } from '../../protocol/signing.ts'
import { codeOf } from '../helpers/codes.ts'

const dirs: string[] = []
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

function tempDir (): string {
  const dir = mkdtempSync(join(tmpdir(), 'trust-engine-keys-'))
  dirs.push(dir)
  return dir
}

describe('key files', () => {
  it('writes a key with mode 0600 and reads the same key back', () => {
    const path = join(tempDir(), 'key.json')
    const written = generateKeyFile(path)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(loadKeyFile(path)).toEqual(written)
    expect(written.type).toBe('ed25519')
  })

  it('refuses to overwrite an existing key unless asked, keeping the old key', () => {
    const path = join(tempDir(), 'key.json')
    const first = generateKeyFile(path)
    expect(codeOf(() => generateKeyFile(path))).toBe(ERR_KEY_FILE_EXISTS)
    expect(loadKeyFile(path)).toEqual(first)
    const second = generateKeyFile(path, { overwrite: true })
    expect(second.publicKey).not.toBe(first.publicKey)
    expect(loadKeyFile(path)).toEqual(second)
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })

  it('loadOrCreateKeyFile creates once, then keeps returning the same key', () => {
    const path = join(tempDir(), 'key.json')
    const created = loadOrCreateKeyFile(path)
    expect(loadOrCreateKeyFile(path)).toEqual(created)
  })

  it('refuses missing, oversized, malformed and mismatched key files with their codes', () => {
    const dir = tempDir()
    expect(codeOf(() => loadKeyFile(join(dir, 'none.json')))).toBe(ERR_KEY_FILE_MISSING)
    const a = generateKeyPair()
    const b = generateKeyPair()
    const cases: Array<[string, string]> = [
      [' '.repeat(MAX_KEY_FILE_BYTES + 1), ERR_KEY_FILE_TOO_LARGE],
      ['{"type":"ed25519",', ERR_KEY_FILE_INVALID],
      [JSON.stringify({ type: 'rsa', publicKey: a.publicKey, privateKey: a.privateKey }), ERR_KEY_FILE_INVALID],
      [JSON.stringify({ type: 'ed25519', publicKey: a.publicKey.toUpperCase(), privateKey: a.privateKey }), ERR_KEY_FILE_INVALID],
      [JSON.stringify({ type: 'ed25519', publicKey: a.publicKey, privateKey: a.privateKey, extra: 1 }), ERR_KEY_FILE_INVALID],
      [JSON.stringify({ type: 'ed25519', publicKey: b.publicKey, privateKey: a.privateKey }), ERR_KEY_FILE_MISMATCH]
    ]
    cases.forEach(([text, code], i) => {
      const path = join(dir, `bad-${i}.json`)
      writeFileSync(path, text)
      chmodSync(path, 0o600)
      expect(codeOf(() => loadKeyFile(path))).toBe(code)
    })
    expect(codeOf(() => loadKeyFile(dir))).toBe(ERR_KEY_FILE_TOO_LARGE) // a folder is not a key file
  })

  it('refuses a key file readable or writable by group or others (ERR_KEY_FILE_PERMISSIONS)', () => {
    const path = join(tempDir(), 'key.json')
    const created = generateKeyFile(path)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    for (const mode of [0o644, 0o640, 0o604, 0o620]) {
      chmodSync(path, mode)
      expect(codeOf(() => loadKeyFile(path))).toBe(ERR_KEY_FILE_PERMISSIONS)
    }
    chmodSync(path, 0o400)
    expect(loadKeyFile(path)).toEqual(created)
  })

  it('converts to a libp2p key that signs what the protocol verifies, and derives a stable peer id', async () => {
    const path = join(tempDir(), 'key.json')
    const keyFile = generateKeyFile(path)
    const key = libp2pPrivateKey(keyFile)
    expect(Buffer.from(key.publicKey.raw).toString('hex')).toBe(keyFile.publicKey)
    const message = new TextEncoder().encode('one key for votes and for the peer id')
    const libp2pSignature = Buffer.from(await key.sign(message)).toString('hex')
    expect(verifyBytes(keyFile.publicKey, message, libp2pSignature)).toBe(true)
    expect(libp2pSignature).toBe(signBytes(keyFile.privateKey, message)) // ed25519 is deterministic
    const peerId = peerIdOf(keyFile.publicKey)
    expect(peerId.toString()).toBe(peerIdFromPrivateKey(key).toString())
    // After a "restart" (reading the file again), the peer id is the same.
    expect(peerIdOf(loadKeyFile(path).publicKey).toString()).toBe(peerId.toString())
    expect(JSON.parse(readFileSync(path, 'utf8')).publicKey).toBe(keyFile.publicKey)
  })
})
