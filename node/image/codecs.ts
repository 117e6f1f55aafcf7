/**
 * The pure-JavaScript PNG codec that writes the evidence PNGs (pngjs; PNG
 * decoding is the node's own, png-decode.ts and png-unfilter.ts), loaded on
 * first use instead of when a module that may need it is imported, so a
 * thread that never writes evidence does not hold it. The package is
 * CommonJS, loaded with a synchronous `require`, so its callers keep their
 * synchronous signatures. The JPEG and WebP codecs are WebAssembly,
 * instantiated on first use too (wasm-module.ts); the JPEG encoder is the
 * project's own (jpeg-encode.ts).
 */
import { createRequire } from 'node:module'

type PngJs = typeof import('pngjs')

const load = createRequire(import.meta.url)
let png: PngJs | null = null

/** pngjs, loaded on the first call. */
export function pngCodec (): PngJs {
  png ??= load('pngjs') as PngJs
  return png
}
