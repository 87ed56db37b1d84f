// Mutation testing of the domain with the unit tests: `npm run mutate` (see docs/testing.md).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: {
    // Its own vitest config, so that only test/unit runs (never the integration or browser tests).
    configFile: 'vitest.mutate.config.ts',
    // Run only the test files that import the mutated module.
    related: true,
  },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: ['src/domain/**/*.ts'],
  coverageAnalysis: 'perTest',
  // The machine is shared: at most two test processes.
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Reuse the results of unchanged mutants and tests; `npm run mutate -- --force` runs them all.
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 85, low: 70, break: null },
};
