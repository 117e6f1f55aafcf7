/**
 * The pure-JavaScript image codecs (pngjs for PNG unfiltering and the
 * evidence PNGs, jpeg-js for JPEG encoding), loaded on first use
 * instead of when a module that may decode is imported. A node's main thread
 * reads image headers (admission, declared work) but never decodes; decoding
 * runs in the measurement worker (node/wiring/measure-worker.ts). So an idle
 * node does not hold the codecs, and the first decode of a thread pays their
 * loading once (a few milliseconds). Both packages are CommonJS, loaded with
 * a synchronous `require`, so the decoders keep their synchronous signatures.
 */
import { createRequire } from 'node:module'

type PngJs = typeof import('pngjs')
type JpegJs = typeof import('jpeg-js')

const load = createRequire(import.meta.url)
let png: PngJs | null = null
let jpeg: JpegJs | null = null

/** pngjs, loaded on the first call. */
export function pngCodec (): PngJs {
  png ??= load('pngjs') as PngJs
  return png
}

/** jpeg-js, loaded on the first call. */
export function jpegCodec (): JpegJs {
  jpeg ??= load('jpeg-js') as JpegJs
  return jpeg
}
