import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql@16 ships CJS (main) and ESM (module) copies without an exports map: Node loads the CJS
    // one for yoga and graphql-tools, Vite would pick the ESM one for our sources. One copy only.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // Integration tests start loopback servers on port 0; files may run in parallel safely.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
