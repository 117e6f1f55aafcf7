/**
 * Child process of the cross-process determinism test: renders every golden
 * case and prints { name: sha256 } as JSON on stdout.
 */
import { goldenCases, pixelHash, renderCase } from './golden-cases.ts'

const out: Record<string, string> = {}
for (const c of await goldenCases()) out[c.name] = pixelHash(renderCase(c).image.data)
process.stdout.write(JSON.stringify(out) + '\n')
