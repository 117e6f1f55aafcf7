/** Shared set-up of the store tests: temporary folders and a node key. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, type KeyPairHex } from '../../../protocol/signing.ts'
import { openStore, type Store } from '../../../node/store/db.ts'

/** Network id used by the store tests. */
export const NETWORK_ID = 'store-test-net'

const dirs: string[] = []

/** A fresh temporary folder, removed by {@link removeTempDirs}. */
export function tempDir (): string {
  const dir = mkdtempSync(join(tmpdir(), 'trust-engine-store-'))
  dirs.push(dir)
  return dir
}

/** Removes every folder made by {@link tempDir} (call in afterAll/afterEach). */
export function removeTempDirs (): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** A node key and the identity a store records for it. */
export function nodeKey (): KeyPairHex & { identity: { publicKey: string, networkId: string } } {
  const pair = generateKeyPair()
  return { ...pair, identity: { publicKey: pair.publicKey, networkId: NETWORK_ID } }
}

/** Opens `location` and runs `fn`, closing the store afterwards. */
export async function withStore<T> (location: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(location, { createIfMissing: false })
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}
