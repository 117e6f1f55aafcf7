/**
 * Child process of the determinism test: optimizes the scene file named in
 * argv[2] with the JSON options in argv[3] and prints the sha256 of the output.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { optimizeScene } from '../../../node/optimizer/optimize.ts'

const { bytes } = await optimizeScene(readFileSync(process.argv[2]!), JSON.parse(process.argv[3]!))
process.stdout.write(createHash('sha256').update(bytes).digest('hex') + '\n')
