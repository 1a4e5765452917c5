import { defineConfig } from 'vitest/config';

// Unit tests live beside the code they test, in every wing. e2e/ is Playwright's.
export default defineConfig({
  test: {
    include: ['{engine,common,src-main,src-renderer,scripts}/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
