import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineProject({
  resolve: {
    // The emulator and the core's own tables run from workspace sources; the nodes under test
    // load from the built package (dist/), through Node's require, as Node-RED loads them.
    alias: {
      '@jobgate/core': src('../packages/core/src/index.ts'),
      '@jobgate/emulator': src('../packages/emulator/src/index.ts'),
    },
  },
  test: {
    name: 'nodered',
    include: ['test/**/*.test.{ts,mts}'],
    // Builds dist/ when a source changed, and packs it for the tests that install it.
    globalSetup: ['./test/support/global-setup.mts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
