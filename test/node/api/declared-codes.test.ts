/**
 * A node process answers every code with its declared status, also codes
 * that come back from a worker thread whose modules the main thread never
 * imported: loading the node and its API must declare every code of
 * protocol/ and node/ (the command line's own codes, node/cli/, are printed
 * by the command that loads them). This file imports only what a node
 * process imports, so the registry holds what a running node knows.
 */
import { describe, expect, it } from 'vitest'
import { declarationSites } from '../../../scripts/error-table.ts'

describe('codes known to a node process', () => {
  it('include every code declared in protocol/ and node/ outside node/cli/', async () => {
    await import('../../../node/node.ts')
    await import('../../../node/api/server.ts')
    const { declaredCodes } = await import('../../../protocol/errors.ts')
    const known = new Set(declaredCodes().map(([code]) => code))
    const missing: string[] = []
    for (const [code, sites] of declarationSites()) {
      const nodeSide = sites.some((s) => (s.file.startsWith('protocol/') || s.file.startsWith('node/')) && !s.file.startsWith('node/cli/'))
      if (nodeSide && !known.has(code)) missing.push(`${code} (${sites.map((s) => s.file).join(', ')})`)
    }
    expect(missing).toEqual([])
  }, 60_000)
})
