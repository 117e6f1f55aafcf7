/**
 * The zlib guard (node/image/zlib-guard.ts) and the pool's stop
 * (node/wiring/measure-worker-entry.ts) on real worker threads: a worker is
 * terminated only outside a native zlib call, and a worker being stopped
 * enters no further call (PNG decoding included). Node 22 aborts the whole
 * process when it cleans up a worker terminated inside one.
 */
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { encodePng } from '../../../node/image/png-encode.ts'
import { ZLIB_BUSY, ZLIB_FREE, ZLIB_STOPPING, ZLIB_WAITING } from '../../../node/image/zlib-guard.ts'
import { stopMeasureWorker } from '../../../node/wiring/measure-worker-entry.ts'

const GUARD = new URL('../../../node/image/zlib-guard.ts', import.meta.url).href
const DECODE = new URL('../../../node/image/decode-image.ts', import.meta.url).href

/** A worker with a guard word and a word of its own progress (`state`: 1 inside the guarded call, 2 after it). */
function startWorker (body: string, extra: Record<string, unknown> = {}): { worker: Worker, guard: Int32Array, state: Int32Array, gate: Int32Array } {
  const guard = new Int32Array(new SharedArrayBuffer(4))
  const state = new Int32Array(new SharedArrayBuffer(4))
  const gate = new Int32Array(new SharedArrayBuffer(4))
  const source = `const { workerData, parentPort } = require('node:worker_threads')
    const { guard, state, gate } = workerData
    import(${JSON.stringify(GUARD)}).then(async (g) => {
      g.installZlibGuard(guard.buffer)
      ${body}
    })`
  const worker = new Worker(source, { eval: true, workerData: { guard, state, gate, ...extra } })
  return { worker, guard, state, gate }
}

async function until (check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve))
}

describe('the zlib guard of measurement workers', () => {
  it('a stop waits for the guarded call to end, then terminates the worker, which entered no further call', async () => {
    // The guarded call holds until the test opens the gate, as a long inflate would.
    const { worker, guard, state, gate } = startWorker(`
      for (;;) {
        g.guardedZlib(() => { Atomics.store(state, 0, 1); Atomics.wait(gate, 0, 0); Atomics.store(state, 0, 2) })
        if (Atomics.load(state, 0) === 2) Atomics.add(state, 0, 1)
      }`)
    let exited = false
    worker.on('exit', () => { exited = true })
    await until(() => Atomics.load(state, 0) === 1)
    expect(Atomics.load(guard, 0)).toBe(ZLIB_BUSY)
    let stopped = false
    const stop = stopMeasureWorker({ worker, guard }).then(() => { stopped = true })
    // Many turns of the event loop later the worker is still inside its call, not terminated.
    for (let i = 0; i < 200; i++) await new Promise((resolve) => setImmediate(resolve))
    expect({ stopped, exited, guard: Atomics.load(guard, 0), state: Atomics.load(state, 0) }).toEqual({ stopped: false, exited: false, guard: ZLIB_BUSY, state: 1 })
    Atomics.store(gate, 0, 1)
    Atomics.notify(gate, 0)
    await stop
    // The call ended (state 2, or 3 after the loop's count), the guard was set to stopping from free, and no second call began.
    expect(Atomics.load(guard, 0)).toBe(ZLIB_STOPPING)
    expect([2, 3]).toContain(Atomics.load(state, 0))
    await until(() => exited)
  })

  const png = encodePng({ width: 4, height: 4, data: new Uint8Array(64).fill(200) })
  const EVIDENCE = new URL('../../../node/measure/evidence.ts', import.meta.url).href
  it.each([
    ['PNG decoding', `const { decodeImage } = await import(${JSON.stringify(DECODE)})`, 'decodeImage(workerData.png)'],
    ['evidence PNG encoding (pngjs)', `const { encodeRgbaPng } = await import(${JSON.stringify(EVIDENCE)})`, 'encodeRgbaPng({ width: 4, height: 4, data: new Uint8Array(64) })']
  ])('a worker being stopped never starts a guarded call: %s waits for the termination', async (_name, load, call) => {
    const { worker, guard, state } = startWorker(`
      ${load}
      Atomics.store(state, 0, 1)
      Atomics.wait(state, 0, 1)
      ${call}
      Atomics.store(state, 0, 3)`, { png })
    await until(() => Atomics.load(state, 0) === 1)
    // The pool marks it stopping (from free), then the worker comes to its zlib call.
    expect(Atomics.compareExchange(guard, 0, ZLIB_FREE, ZLIB_STOPPING)).toBe(ZLIB_FREE)
    Atomics.store(state, 0, 2)
    Atomics.notify(state, 0)
    // It waits there (without the guard it would go on: state 3).
    await until(() => Atomics.load(guard, 0) === ZLIB_WAITING || Atomics.load(state, 0) === 3)
    expect({ guard: Atomics.load(guard, 0), state: Atomics.load(state, 0) }).toEqual({ guard: ZLIB_WAITING, state: 2 })
    const code = new Promise<number>((resolve) => worker.once('exit', resolve))
    await stopMeasureWorker({ worker, guard })
    expect(await code).toBe(1)
    expect(Atomics.load(state, 0)).toBe(2)
  })
})
