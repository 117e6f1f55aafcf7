/**
 * The import rules of docs/architecture.md hold in the code: for each folder
 * of the layout table, every relative import (static, type-only, re-export or
 * dynamic `import()`) of its files stays inside the folder, goes to
 * `protocol/`, or goes to a path its "may import" column names in backticks.
 * Rows whose column says "everything" are not checked; files in no row (the
 * node's own root files such as node/node.ts) are not checked either.
 * The rules are read from the page itself, so page and code cannot drift.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
const SOURCE_FOLDERS = ['protocol', 'node', 'sim', 'scripts', 'console/src']
const REPO_PATH = /^(protocol|node|sim|scripts|console|test)\//

/** One row of the layout table: its folders and what they may import (null: everything). */
interface LayerRule { folders: string[], allowed: string[] | null }

/** The rows of the "Layout" table of docs/architecture.md. */
function layerRules (page: string): LayerRule[] {
  const start = page.indexOf('## Layout')
  const table = page.slice(start, page.indexOf('\n## ', start + 1))
  return table.split('\n').filter((line) => line.startsWith('| `')).map((line) => {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim())
    const ticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)
    const folders = ticked(cells[1]!).filter((p) => REPO_PATH.test(p))
    const may = cells[3]!
    return { folders, allowed: /\beverything\b/.test(may) ? null : ticked(may).filter((p) => REPO_PATH.test(p)) }
  })
}

/** The repository paths a file's relative imports name. */
function importsOf (file: string, text: string): string[] {
  const out: string[] = []
  const pattern = /\b(?:import|export)\s(?:[^'";]*?\sfrom\s)?'(\.{1,2}\/[^']+)'|\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/g
  for (const m of text.matchAll(pattern)) {
    const spec = m[1] ?? m[2]!
    out.push(relative(ROOT, resolve(dirname(join(ROOT, file)), spec)).split(sep).join('/'))
  }
  return out
}

/** Imports that break the rules: `file -> target`. */
function violations (files: ReadonlyMap<string, string>, rules: LayerRule[]): string[] {
  const out: string[] = []
  for (const [file, text] of files) {
    let rule: LayerRule | undefined
    let matched = -1
    for (const r of rules) for (const f of r.folders) if (file.startsWith(f) && f.length > matched) { rule = r; matched = f.length }
    if (rule === undefined || rule.allowed === null) continue
    const allowed = rule.allowed
    for (const target of importsOf(file, text)) {
      if (rule.folders.some((f) => target.startsWith(f)) || target.startsWith('protocol/')) continue
      if (allowed.some((a) => (a.endsWith('/') ? target.startsWith(a) : target === a))) continue
      out.push(`${file} -> ${target}`)
    }
  }
  return out.sort()
}

function sourceFiles (): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`
      if (entry.isDirectory()) walk(path)
      else if (path.endsWith('.ts')) out.set(path, readFileSync(join(ROOT, path), 'utf8'))
    }
  }
  for (const folder of SOURCE_FOLDERS) walk(folder)
  return out
}

describe('layers of docs/architecture.md', () => {
  const rules = layerRules(readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8'))

  it('reads the layout table', () => {
    const render = rules.find((r) => r.folders.includes('node/render/'))
    expect(render?.allowed).toEqual(expect.arrayContaining(['node/scene/', 'node/image/']))
    expect(render?.allowed).not.toContain('node/optimizer/')
    expect(rules.find((r) => r.folders.includes('protocol/'))?.allowed).toEqual([])
    expect(rules.find((r) => r.folders.includes('node/cli/'))?.allowed).toBeNull()
  })

  it('holds for every import of the source tree', () => {
    expect(violations(sourceFiles(), rules)).toEqual([])
  })

  it('catches a renderer loading the optimizer, statically or at run time, and the protocol importing the node', () => {
    const files = new Map([
      ['node/render/a.ts', "import { analyzeScene } from '../optimizer/analyze.ts'\n"],
      ['node/render/b.ts', "const { analyzeScene } = await import('../optimizer/analyze.ts')\n"],
      ['node/render/c.ts', "import type { SceneAnalysis } from '../optimizer/analyze.ts'\nimport { loadSceneSafely } from '../scene/load-scene.ts'\n"],
      ['protocol/d.ts', "export { openStore } from '../node/store/db.ts'\n"]
    ])
    expect(violations(files, rules)).toEqual([
      'node/render/a.ts -> node/optimizer/analyze.ts',
      'node/render/b.ts -> node/optimizer/analyze.ts',
      'node/render/c.ts -> node/optimizer/analyze.ts',
      'protocol/d.ts -> node/store/db.ts'
    ])
  })
})
