/**
 * Worker thread of the cross-thread determinism test: renders every golden
 * case and posts { name: sha256 } to the parent.
 */
import { parentPort } from 'node:worker_threads'
import { goldenCases, pixelHash, renderCase } from './golden-cases.ts'

const out: Record<string, string> = {}
for (const c of await goldenCases()) out[c.name] = pixelHash(renderCase(c).image.data)
parentPort?.postMessage(out)
