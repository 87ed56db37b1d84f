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
  clearTextReporter: { allowColor: false, reportTests: false, reportMutants: false, reportScoreTable: true },
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // A full run by default. `npm run mutate -- --incremental` reuses the results of unchanged
  // mutants and tests from the last run (kept in this file). It cannot tell when a new test starts
  // to cover a static mutant (module-level code, like the $filter tables), so those keep their old
  // "no coverage"; run without it for the numbers to report.
  incremental: false,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 85, low: 70, break: null },
};
