/**
 * How a measurement worker thread starts (measure-worker-pool.ts starts
 * them; measure-worker.ts is what they run).
 */
import { Worker } from 'node:worker_threads'

/**
 * The source a worker runs: it registers the launcher's cache of type-stripped
 * TypeScript (bin/ts-cache.js; its hook is per thread, so a worker has none of
 * its parent's), then loads measure-worker.ts and the project's modules it
 * imports from that cache. Without it every worker start loaded Node's
 * WebAssembly type stripper and stripped each module again: about 0.45 s of
 * CPU more per worker, paid again after each terminated task. The cache's
 * switches (`TRUST_ENGINE_TS_CACHE=0`, `TRUST_ENGINE_TS_CACHE_DIR`) hold here
 * too (docs/cli.md). A failed import ends the worker with an error, as a
 * failed load of the entry did.
 */
const WORKER_ENTRY = `import(${JSON.stringify(new URL('../../bin/ts-cache-register.js', import.meta.url).href)})` +
  `.then(() => import(${JSON.stringify(new URL('./measure-worker.ts', import.meta.url).href)}))`

/** Starts a worker thread running measure-worker.ts, its TypeScript loaded from the launcher's cache. */
export function startMeasureWorker (): Worker {
  return new Worker(WORKER_ENTRY, { eval: true })
}
