import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against workspace sources, not built output (a custom resolve
    // condition would leak into Node's own require in worker processes).
    alias: {
      '@jobgate/core': src('./packages/core/src/index.ts'),
      '@jobgate/emulator': src('./packages/emulator/src/index.ts'),
    },
  },
  test: {
    // CI reads the counts from vitest's JSON report: JOBGATE_TEST_REPORT names the file.
    ...(process.env.JOBGATE_TEST_REPORT
      ? { reporters: ['default', 'json'], outputFile: { json: process.env.JOBGATE_TEST_REPORT } }
      : {}),
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'packages',
          include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
        },
      },
      // Node-RED's runtime is a process-wide singleton: its tests run apart, one file at a time.
      './nodered/vitest.config.mts',
    ],
  },
});
