/**
 * `npm run bench`: runs every benchmark suite, prints a table of figures beside
 * their same-run baselines, and writes `bench/results.json`.
 *
 * `npm run bench -- NAME...` runs only the suites whose name contains one of
 * the given words.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { SUITES } from './bench/index.ts'
import type { BenchResult } from './bench/types.ts'

const filters = process.argv.slice(2)
const chosen = SUITES.filter((s) => filters.length === 0 || filters.some((f) => s.name.includes(f)))
const results: BenchResult[] = []
for (const suite of chosen) {
  process.stderr.write(`running ${suite.name}...\n`)
  results.push(...await suite.run())
}

const fmt = (n: number): string => (Number.isFinite(n) ? (Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3)) : String(n))
const rows = results.map((r) => [r.name, `${fmt(r.value)} ${r.unit}`, r.baseline, `${fmt(r.baselineValue)} ${r.unit}`, fmt(r.ratio)])
const header = ['figure', 'value', 'baseline', 'baseline value', 'ratio']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')
console.log(line(header))
console.log(widths.map((w) => '-'.repeat(w)).join('  '))
for (const r of rows) console.log(line(r))

mkdirSync('bench', { recursive: true })
writeFileSync('bench/results.json', JSON.stringify(results, null, 2) + '\n')
console.log('\nwritten to bench/results.json')
