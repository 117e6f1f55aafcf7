import { defineConfig } from 'vitest/config'

// One configuration for `npm test`. No retries: a flaky test is a bug to fix.
// testTimeout is a hang guard for integration tests with real processes, not a
// performance assertion (speed is measured by `npm run bench`).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    retry: 0,
    // The default console report, plus a JSON summary that .ci/run reads for its closing line.
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
    testTimeout: 240_000,
    hookTimeout: 120_000
  }
})
