/**
 * Every error code the source tree names is declared with its HTTP status and
 * gossip action, and docs/errors.md is the table of exactly those
 * declarations. Codes are found by reading every TypeScript file of
 * protocol/, node/, sim/, scripts/ and console/src/ (scripts/error-table.ts),
 * so a new code cannot be missed by forgetting to list it anywhere.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { REPO_ROOT, TABLE_PATH, buildTable, codeMentions, codeProblems, declarationSites } from '../../scripts/error-table.ts'

describe('error codes', () => {
  const built = buildTable()

  it('declares every code named in the source tree, with a doc comment', async () => {
    const { problems } = await built
    expect(problems).toEqual([])
  }, 60_000)

  it('finds the codes of the whole tree (far more than any hand-made list would hold)', async () => {
    const sites = declarationSites()
    expect(sites.size).toBeGreaterThan(150)
    // a code declared deep in the tree, one in sim/ and one in scripts/
    expect(sites.get('ERR_RENDER_MESHOPT')?.[0]?.file).toBe('node/render/errors.ts')
    expect(sites.get('ERR_SCENARIO_INVALID')?.[0]?.file).toBe('sim/scenario.ts')
    expect(sites.get('ERR_CHILD_EXITED')?.[0]?.file).toBe('scripts/bench/lib/processes.ts')
  })

  it('keeps docs/errors.md equal to the table made from the registry (node scripts/error-table.ts writes it)', async () => {
    const { table } = await built
    expect(readFileSync(join(REPO_ROOT, TABLE_PATH), 'utf8'), 'docs/errors.md is stale: run node scripts/error-table.ts').toBe(table)
  }, 60_000)

  it('shows in the table what the registry declares', async () => {
    const { table } = await built
    expect(table).toContain('| `ERR_BAD_SIGNATURE` | 400 | reject | `protocol/signing.ts` |')
    expect(table).toContain('| `ERR_STORE_IO` | 500 | ignore | `node/store/errors.ts` |')
    expect(table).toContain('| `ERR_RATE_LIMITED` | 429 | ignore | `node/api/errors.ts` |')
  }, 60_000)

  describe('on a tree with an undeclared code', () => {
    const root = mkdtempSync(join(tmpdir(), 'error-codes-'))
    afterAll(() => { rmSync(root, { recursive: true, force: true }) })
    mkdirSync(join(root, 'node', 'thing'), { recursive: true })
    for (const folder of ['protocol', 'sim', 'scripts', 'console/src']) mkdirSync(join(root, folder), { recursive: true })
    writeFileSync(join(root, 'node', 'thing', 'errors.ts'), [
      "import { declareCode } from '../../protocol/errors.ts'",
      '/** A declared code. */',
      "export const ERR_THING_DECLARED = declareCode('ERR_THING_DECLARED', { status: 409 })",
      "export const ERR_THING_BARE = declareCode('ERR_THING_BARE', { status: 400 })",
      "export const ERR_THING_PLAIN = 'ERR_THING_PLAIN'",
      '// families and foreign prefixes are not codes: ERR_THING_*, FST_ERR_THING, startsWith(\'ERR_THING_\')',
      ''
    ].join('\n'))
    writeFileSync(join(root, 'sim', 'run.ts'), "throw new Error('ERR_THING_INLINE')\n")

    it('reports the plain constant, the inline string and the missing doc comment, and nothing else', () => {
      const mentions = codeMentions(root)
      expect([...mentions.keys()].sort()).toEqual(['ERR_THING_BARE', 'ERR_THING_DECLARED', 'ERR_THING_INLINE', 'ERR_THING_PLAIN'])
      const sites = declarationSites(root)
      const declared = new Map([['ERR_THING_DECLARED', { action: 'ignore' as const, status: 409 }], ['ERR_THING_BARE', { action: 'ignore' as const, status: 400 }]])
      const problems = codeProblems(mentions, sites, declared)
      expect(problems.map((p) => p.split(' ')[0])).toEqual(['ERR_THING_INLINE', 'ERR_THING_PLAIN', 'ERR_THING_BARE'])
    })

    it('reports a declared code whose module did not declare it at run time', () => {
      const problems = codeProblems(codeMentions(root), declarationSites(root), new Map([['ERR_THING_BARE', { action: 'ignore', status: 400 }]]))
      expect(problems.some((p) => p.startsWith('ERR_THING_DECLARED ') && p.includes('registry'))).toBe(true)
    })
  })
})
