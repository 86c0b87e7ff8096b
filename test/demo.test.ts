import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// `pnpm demo` after the build: the real bundle against the default scenario, one step passing, one failing.
it('the demo passes one step and fails the other, as expected', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const run = spawnSync(process.execPath, ['scripts/demo.mjs'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('FINISHED (succeeded, 100%)');
  expect(run.stdout).toContain(
    'Error: cdm job clusterId=6ec9a0a4-76be-4262-8697-e7af1fac7920 jobName=obs2dws failed: status FAILED',
  );
  expect(run.stdout).toContain('### Sub-jobs');
  expect(run.stdout).toMatch(
    /✓ step "Wait for the daily revenue SQL job" passed, as expected\n✓ step "Wait for the obs2dws migration" failed, as expected/,
  );
  expect(run.stdout).not.toContain('jobgate-emulator-secret-key-not-for-production');
}, 60_000);
