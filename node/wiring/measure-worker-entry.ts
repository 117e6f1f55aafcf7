/**
 * How a measurement worker thread starts and stops (measure-worker-pool.ts
 * starts them; measure-worker.ts is what they run): each with its word of
 * node/image/zlib-guard.ts, and terminated only outside a native zlib call,
 * since Node aborts the whole process when it cleans up a worker terminated
 * inside one.
 */
import { Worker } from 'node:worker_threads'
import { ZLIB_BUSY, ZLIB_FREE, ZLIB_STOPPING } from '../image/zlib-guard.ts'

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

/** A worker thread of the pool and its zlib guard word (shared with the thread). */
export interface MeasureWorker {
  worker: Worker
  guard: Int32Array
}

/** Starts a worker thread running measure-worker.ts, its TypeScript loaded from the launcher's cache. */
export function startMeasureWorker (): MeasureWorker {
  const buffer = new SharedArrayBuffer(4)
  return { worker: new Worker(WORKER_ENTRY, { eval: true, workerData: { zlibGuard: buffer } }), guard: new Int32Array(buffer) }
}

/** `Atomics.waitAsync` (ES2024, in Node 22; the project's TypeScript library is older). */
const waitAsync = (Atomics as unknown as { waitAsync: (a: Int32Array, index: number, value: number, timeoutMs: number) => { async: false, value: string } | { async: true, value: Promise<string> } }).waitAsync

/**
 * Longest wait for a worker's native zlib call to end before it is
 * terminated anyway: 10 s, far above the longest inflate the limits allow
 * (a PNG frame of `maxFramePixels`, well under a second), so it only bounds
 * a worker that never leaves its call.
 */
export const ZLIB_CALL_WAIT_MS = 10_000

/**
 * Terminates a pool's worker once it is outside every native zlib call
 * (node/image/zlib-guard.ts): marks it stopping as soon as it is free, so it
 * enters no further call, then terminates it. Resolves when it has stopped.
 */
export async function stopMeasureWorker ({ worker, guard }: MeasureWorker): Promise<void> {
  const until = Date.now() + ZLIB_CALL_WAIT_MS
  while (Atomics.compareExchange(guard, 0, ZLIB_FREE, ZLIB_STOPPING) === ZLIB_BUSY && Date.now() < until) {
    // Woken by the worker's notify when its call ends (or after a while, to look again).
    const wait = waitAsync(guard, 0, ZLIB_BUSY, 50)
    if (wait.async) await wait.value
  }
  await worker.terminate()
}
