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
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
