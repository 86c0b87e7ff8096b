import { expect, it } from 'vitest';
import { runSoak } from '../bench/soak.mjs';

// The fault soak of `pnpm bench`, small: 50 waits through the built core, a fifth of the answers faulty.
it('fault soak: 50 waits with 20% faulty answers reach the right verdict within their timeouts', async () => {
  const { figures } = await runSoak({ waits: 50, seed: 1 });
  expect(figures.waits).toBe(50);
  expect(figures.wrongVerdicts).toBe(0);
  expect(figures.overruns).toBe(0);
  expect(figures.errors).toBe(0);
  expect(figures.faultyShare).toBeGreaterThan(0.1);
  // No listener piling up on long waits (MaxListenersExceededWarning), nor any other warning.
  expect(figures.processWarnings).toEqual([]);
}, 60_000);
