/**
 * Child process of the determinism test: measures the frame sets named in a
 * JSON job file and prints the canonical JSON of the result.
 * Usage: node measure-child.ts JOB.json, JOB = { reference: [paths], candidate: [paths], seed, complexity }.
 */
import { readFileSync } from 'node:fs'
import { canonicalString } from '../../../protocol/canonical.ts'
import { measureFrames } from '../../../node/measure/measure-frames.ts'
import { frameMeasurementToWire } from '../../../node/measure/wire.ts'

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { reference: string[], candidate: string[], seed: string, complexity: number }
const read = (paths: string[]): Uint8Array[] => paths.map((p) => new Uint8Array(readFileSync(p)))
const m = await measureFrames(read(job.reference), read(job.candidate), { seed: job.seed, complexity: job.complexity })
process.stdout.write(canonicalString(frameMeasurementToWire(m)) + '\n')
