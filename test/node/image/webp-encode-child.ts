/**
 * Child process of the WebP determinism test: encodes the generated image
 * (argv[2] = width, argv[3] = height) lossy at quality 80 and lossless, and
 * prints the sha256 of both files.
 */
import { createHash } from 'node:crypto'
import { encodeWebp } from '../../../node/image/webp-encode.ts'
import { gradientImage } from './webp-fixtures.ts'

const image = gradientImage(Number(process.argv[2]), Number(process.argv[3]), false)
const h = createHash('sha256')
h.update(encodeWebp(image, { lossless: false, quality: 80 }))
h.update(encodeWebp(image, { lossless: true }))
process.stdout.write(h.digest('hex') + '\n')
