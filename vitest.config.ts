import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    pool: 'forks',
    globalSetup: ['tests/setup/pglite-image.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
