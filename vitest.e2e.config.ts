import { defineConfig } from 'vitest/config';

/**
 * Browser tests: the real platform and the built portal driven through Debian's Chromium. Kept out
 * of `npm test` so the main suite needs nothing but Node; run with `npm run test:e2e`.
 */
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.e2e.ts'],
    pool: 'forks',
    // One browser and one platform at a time: the machine has two cores.
    fileParallelism: false,
    globalSetup: ['tests/setup/pglite-image.ts', 'tests/e2e/build-portal.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
