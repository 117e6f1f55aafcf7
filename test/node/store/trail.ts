/** An audit trail built through the public API, for the audit tests. */
import { AuditLog } from '../../../node/store/audit.ts'
import { openStore } from '../../../node/store/db.ts'
import { nodeKey } from './helpers.ts'

/**
 * Writes an audit trail of `count` entries into a new store at `location`,
 * in batches of 1, 2, 3, ... entries, with times from a counter clock, and
 * closes the store. Returns the key that signed it.
 */
export async function buildTrail (location: string, count: number, key = nodeKey()): Promise<typeof key> {
  const store = await openStore(location, { identity: key.identity })
  try {
    const audit = await AuditLog.open(store, key.privateKey)
    let time = 1_700_000_000_000
    let written = 0
    for (let size = 1; written < count; size++) {
      const n = Math.min(size, count - written)
      await store.write((batch) => {
        for (let i = 0; i < n; i++) audit.append(batch, 'test.entry', { i: written + i, note: `entry ${written + i}` }, time++)
      })
      written += n
    }
  } finally {
    await store.close()
  }
  return key
}
