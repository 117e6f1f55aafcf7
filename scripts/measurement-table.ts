/**
 * The table of verification candidates in docs/measurement.md ("What the
 * defaults catch"): measures every generated damaged candidate and every
 * accepted one (test/node/render/verification-scenes.ts) against the
 * original at the default measurement options and thresholds, and writes
 * their SSIM, PSNR, local SSIM and verdict between the table's markers.
 *
 * `node scripts/measurement-table.ts` writes the table (`npm run
 * measurement-table`); with `--check` it writes nothing and exits with 1 when
 * the committed table differs. It takes a few minutes (fourteen scene
 * measurements, one after the other, the original rendered once for all).
 * test/node/render/verification.test.ts checks each committed row against
 * its own measurement of the candidate.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { pbrSceneGlb } from '../test/node/render/verification-scenes.ts'
import { allCandidates, measureCandidate, originalReference, TABLE_DOC, tableRow, withTable } from '../test/node/render/verification-table.ts'

const path = fileURLToPath(new URL(`../${TABLE_DOC}`, import.meta.url))
const check = process.argv.includes('--check')
const original = await pbrSceneGlb()
const reference = await originalReference(original)
const rows: string[] = []
for (const c of await allCandidates(original)) {
  const row = tableRow(c, await measureCandidate(reference, c.bytes))
  console.log(row)
  rows.push(row)
}
const before = readFileSync(path, 'utf8')
const after = withTable(before, rows)
if (check) {
  if (after !== before) { console.error(`${TABLE_DOC}: the verification table is out of date (run node scripts/measurement-table.ts)`); process.exit(1) }
  console.log(`${TABLE_DOC}: the verification table is up to date`)
} else if (after !== before) {
  writeFileSync(path, after)
  console.log(`${TABLE_DOC}: table written`)
}
