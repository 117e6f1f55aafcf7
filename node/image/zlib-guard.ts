/**
 * A guard around the native zlib calls of a worker thread, so that stopping
 * the worker never aborts the whole process.
 *
 * Node 22 checks, when it cleans up a terminated worker, that every zlib
 * stream it closes was initialized (`node_zlib.cc`, "close before init"),
 * and aborts the process otherwise. `inflateSync` creates its stream and
 * initializes it in two steps of JavaScript, so a worker terminated between
 * them took the node down with it: a loop terminating workers that inflate
 * small buffers aborted within 3 to 271 terminations in five runs. The work
 * pool terminates workers whenever a task's deadline passes, the task is
 * cancelled or preempted (node/wiring/measure-worker-pool.ts); PNG
 * decoding inflates (png-decode.ts) and evidence PNGs are deflated by pngjs
 * (node/measure/evidence.ts).
 *
 * One shared 32-bit word per worker says where it is: {@link ZLIB_FREE}
 * (outside any guarded call), {@link ZLIB_BUSY} (inside one) or
 * {@link ZLIB_STOPPING} (its pool is stopping it), {@link ZLIB_WAITING} (it
 * came to a guarded call while being stopped). The worker enters a guarded
 * call only from FREE, and waits for its termination once STOPPING; the pool
 * sets STOPPING only from FREE, waiting for a BUSY call to end first
 * (node/wiring/measure-worker-entry.ts), then terminates the worker. So a
 * worker is never terminated inside a native zlib call. On a thread without
 * a guard (the main thread) a guarded call is a plain call.
 */

/** The worker is outside every guarded call. */
export const ZLIB_FREE = 0
/** The worker is inside a guarded call. */
export const ZLIB_BUSY = 1
/** The worker's pool is stopping it: it enters no guarded call any more. */
export const ZLIB_STOPPING = 2
/** The worker, being stopped, came to a guarded call and waits for its termination instead. */
export const ZLIB_WAITING = 3

/** This thread's guard word; null where no pool stops the thread. */
let word: Int32Array | null = null

/** Makes this thread's guarded calls follow `buffer`'s word (a worker's, shared with its pool). */
export function installZlibGuard (buffer: SharedArrayBuffer): void {
  word = new Int32Array(buffer)
}

/**
 * Runs `fn` (a native zlib call) as a guarded call: marks the thread busy
 * for its length, or, when the thread is being stopped, never runs it and
 * waits for the termination.
 */
export function guardedZlib<T> (fn: () => T): T {
  const w = word
  if (w === null) return fn()
  if (Atomics.compareExchange(w, 0, ZLIB_FREE, ZLIB_BUSY) !== ZLIB_FREE) {
    // Being stopped: wait for the termination, which ends this wait.
    Atomics.store(w, 0, ZLIB_WAITING)
    for (;;) Atomics.wait(w, 0, ZLIB_WAITING)
  }
  try {
    return fn()
  } finally {
    Atomics.store(w, 0, ZLIB_FREE)
    Atomics.notify(w, 0)
  }
}
