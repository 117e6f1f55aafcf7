/**
 * Setup file (vitest.config.ts): after each test the worker yields one turn
 * of its event loop. Without it, a file of synchronous tests runs as one
 * block (vitest moves from test to test in microtasks), so the worker reads
 * no reply from vitest's main process until the file ends; past 60 s on a
 * busy machine, vitest reports "Timeout calling onTaskUpdate" and the run
 * fails although every test passed. With it, the block is one test at most.
 */
import { afterEach } from 'vitest'

afterEach(async () => { await new Promise<void>((resolve) => { setImmediate(resolve) }) })
