import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'nodered',
    include: ['test/**/*.test.{ts,mts}'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
