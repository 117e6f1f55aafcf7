import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

// One configuration for `npm test`. No retries: a flaky test is a bug to fix.
// testTimeout is a hang guard for integration tests with real processes, not a
// performance assertion (speed is measured by `npm run bench`).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test ends with one turn of the worker's event loop, so a file of synchronous tests does not hold
    // vitest's messages past their 60 s timeout on a busy machine (test/helpers/yield-between-tests.ts).
    setupFiles: ['test/helpers/yield-between-tests.ts'],
    pool: 'forks',
    // At least two test files at a time (vitest's default is one fewer than the cores: a single file on a
    // 2-core CI machine). The integration and simulation files spend most of their run waiting on node
    // processes (gossip round trips, deadlines, restarts), and every file pays a fresh worker's imports,
    // so a second file beside them uses the idle core. No test depends on running alone: each cluster
    // takes free ports from the OS and its own temp folder, and no test has a wall-clock limit.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Test files share their worker's module cache instead of importing the project again each (isolate
    // false): importing libp2p, glTF-Transform, sharp and the node's modules was about 1 s of CPU per file,
    // a fifth of the suite's CPU, and unit-test files measured half the CPU without it. No test relies on
    // a fresh module state: nodes, stores, hosts and metrics registries are made per test, never module
    // singletons, and no file mocks modules.
    isolate: false,
    retry: 0,
    // The default console report, plus a JSON summary that .ci/run reads for its closing line.
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
    testTimeout: 240_000,
    hookTimeout: 120_000
  }
})
