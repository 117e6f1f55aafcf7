/**
 * Child process of the JPEG determinism test: decodes the golden JPEG in a
 * fresh process (a fresh WebAssembly instance) and prints the sha256 of its
 * RGBA8 pixels.
 */
import { createHash } from 'node:crypto'
import { decodeImage } from '../../../node/image/decode-image.ts'
import { goldenJpeg } from './jpeg-fixtures.ts'

process.stdout.write(createHash('sha256').update(decodeImage(goldenJpeg()).data).digest('hex') + '\n')
