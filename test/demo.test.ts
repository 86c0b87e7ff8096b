import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// `npm run demo` after the build: the real bundle against the default scenario, one wait passing, one
// failing, a SQL statement run to success, a migration stopped on cancel, then the jobgate command
// watching four jobs.
it('the demo passes and fails the steps it should, stops the cancelled run, and watches four jobs', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const run = spawnSync(process.execPath, ['scripts/demo.mjs'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('FINISHED (succeeded, 100%)');
  expect(run.stdout).toContain(
    'Error: cdm job clusterId=6ec9a0a4-76be-4262-8697-e7af1fac7920 jobName=obs2dws failed: status FAILED',
  );
  expect(run.stdout).toContain('### Sub-jobs');
  // Each job is seen waiting: more than one state on the way.
  expect(run.stdout.match(/RUNNING \(running, \d+%\)/g)?.length).toBeGreaterThan(3);
  expect(run.stdout).toMatch(/Started dli-sql job jobId=[0-9a-f-]{36}\n/);
  expect(run.stdout).toContain('GROUP BY order_date');
  expect(run.stdout).toContain(
    'Stopped cdm job clusterId=6ec9a0a4-76be-4262-8697-e7af1fac7920 jobName=mysql2obs (by the main step, on cancel)',
  );
  expect(run.stdout).toContain('$ jobgate watch --file jobs.yaml');
  expect(run.stdout).toMatch(/✓ dli-flink job jobId=10001 is running \(status job_running\)/);
  expect(run.stdout).toContain('✓ 4 jobs: 4 passed');
  expect(run.stdout).toMatch(
    /✓ step "Wait for the daily revenue SQL job" passed, as expected\n✓ step "Wait for the obs2dws migration" failed, as expected\n✓ step "Run a SQL statement" passed, as expected\n✓ step "Run the mysql2obs migration, then cancel the workflow" failed, as expected\n✓ step "jobgate watch: four jobs at once" passed, as expected\n\nYou saw .*; next: .*\n$/,
  );
  expect(run.stdout).not.toContain('jobgate-emulator-secret-key-not-for-production');
}, 120_000);
