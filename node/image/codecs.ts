/**
 * The pure-JavaScript PNG codec (pngjs, for PNG unfiltering and the evidence
 * PNGs), loaded on first use instead of when a module that may decode is
 * imported. A node's main thread reads image headers (admission, declared
 * work) but never decodes; decoding runs in the measurement worker
 * (node/wiring/measure-worker.ts). So an idle node does not hold the codec,
 * and the first decode of a thread pays its loading once (a few
 * milliseconds). The package is CommonJS, loaded with a synchronous
 * `require`, so the decoders keep their synchronous signatures. The JPEG and
 * WebP codecs are WebAssembly, instantiated on first use too
 * (wasm-module.ts); the JPEG encoder is the project's own (jpeg-encode.ts).
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
