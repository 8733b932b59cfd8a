import { defineConfig } from 'vitest/config';

/** One vitest setup for every package: forked workers (tfjs backends are per process) and a JSON report for CI's summary. */
export const sharedVitestConfig = defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
