import { defineConfig } from 'vitest/config';

/**
 * The vitest configuration Stryker uses (stryker.config.mjs): unit tests only. Integration and
 * browser tests start servers and databases, so they must not run once per mutant.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
