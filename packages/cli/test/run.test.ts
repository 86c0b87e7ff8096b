/**
 * `jobgate run` and `jobgate stop` as a child process against the emulator: a run of every kind that
 * succeeds and one that fails, Ctrl-C and timeouts that stop the job (seen in the emulator's request
 * log), stopping a job, and start flags that are wrong.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOB_KINDS, type JobKind, startFieldsOf, stopFieldsOf } from '@jobgate/core';
import { type Emulator, type OnStartRuleInput, startEmulator } from '@jobgate/emulator';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { envFor, events, finished, jobgate, output, start } from './helpers.js';

const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';
const FAST = ['--interval', '50ms', '--max-interval', '100ms'];

vi.setConfig({ testTimeout: 60_000 });

const dir = mkdtempSync(join(tmpdir(), 'jobgate-run-'));
const emulators: Emulator[] = [];
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** An emulator of the test's own; at 600 times wall time a started job's minute or two pass in well under a second. */
async function setup(timeScale = 600) {
  const emulator = await startEmulator({ timeScale });
  emulators.push(emulator);
  return { emulator, env: envFor(emulator) };
}

const sqlFile = join(dir, 'q.sql');
writeFileSync(sqlFile, 'INSERT INTO dws.daily\nSELECT * FROM ods.orders\n');

interface Case {
  args: string[];
  ok: { status: string; phase: string };
  /** Makes the start's job fail. */
  failing: OnStartRuleInput;
  failed: string;
}

const CASES: Record<string, Case> = {
  'dli-sql': {
    args: ['--sql-file', sqlFile, '--queue', 'default', '--conf', 'spark.sql.shuffle.partitions=200'],
    ok: { status: 'FINISHED', phase: 'succeeded' },
    failing: { kind: 'dli-sql', steps: [{ status: 'LAUNCHING', durationMs: 5_000 }, { status: 'FAILED' }] },
    failed: 'FAILED',
  },
  'dli-flink': {
    args: ['10003', '--resume-savepoint', '--until', 'running'],
    ok: { status: 'job_running', phase: 'running' },
    failing: {
      kind: 'dli-flink',
      steps: [{ status: 'job_submitting', durationMs: 5_000 }, { status: 'job_submit_fail' }],
    },
    failed: 'job_submit_fail',
  },
  'dataarts-realtime': {
    args: ['realtime_fraud_rules', '--job-params', 'threshold=0.9', '--until', 'running'],
    ok: { status: 'NORMAL', phase: 'running' },
    failing: {
      kind: 'dataarts-realtime',
      steps: [{ status: 'STARTING', durationMs: 5_000 }, { status: 'EXCEPTION' }],
    },
    failed: 'EXCEPTION',
  },
  'dataarts-batch': {
    args: ['--job-name', 'daily_sales_report', '--job-params', 'day=2026-12-01'],
    ok: { status: 'success', phase: 'succeeded' },
    failing: {
      kind: 'dataarts-batch',
      steps: [{ status: 'running', durationMs: 5_000 }, { status: 'fail' }],
    },
    failed: 'fail',
  },
  cdm: {
    args: [CLUSTER, 'mysql2obs', '--variables', 'day=2026-12-01'],
    ok: { status: 'SUCCEEDED', phase: 'succeeded' },
    failing: {
      kind: 'cdm',
      steps: [
        { status: 'BOOTING', durationMs: 5_000 },
        { status: 'FAILED', errorSummary: 'no route to the database' },
      ],
    },
    failed: 'FAILED',
  },
};

describe('help', () => {
  it('lists every kind that can be started, and each kind its start and stop flags, from the job-kind table', async () => {
    const kinds = (JOB_KINDS as unknown as JobKind[]).filter((k) => k.start);
    const [all, ...helps] = await Promise.all([
      jobgate(['run', '--help']),
      ...kinds.map((kind) => jobgate(['run', kind.name, '--help'])),
    ]);
    expect(all?.code).toBe(0);
    kinds.forEach((kind, i) => {
      expect(all?.stdout).toContain(`\n  ${kind.name} `);
      const help = helps[i]?.stdout ?? '';
      for (const field of [...startFieldsOf(kind), ...stopFieldsOf(kind)])
        expect(help).toContain(`--${field.input.replace(/_/g, '-')}`);
    });
    expect(Object.keys(CASES).sort()).toEqual(kinds.map((k) => k.name).sort());
  });
});

describe('run: start, wait, verdict, for every kind', () => {
  for (const [kind, c] of Object.entries(CASES)) {
    it(`${kind}: exits 0 when the started job succeeds, 1 when it fails`, async () => {
      const ok = await setup();
      const bad = await setup();
      bad.emulator.admin.addOnStart(c.failing);
      const [passed, failed] = await Promise.all([
        jobgate(['run', kind, ...c.args, ...FAST, '--json'], ok.env),
        jobgate(['run', kind, ...c.args, ...FAST], bad.env),
      ]);
      expect(passed.stderr).toBe('');
      expect(passed.code).toBe(0);
      const all = events(passed);
      expect(all[0]).toMatchObject({ type: 'started', kind });
      expect(all.at(-1)).toMatchObject({ type: 'verdict', exitCode: 0, ...c.ok });
      // What was started is the job the emulator runs.
      expect(ok.emulator.admin.jobs().some((j) => j.kind === kind && j.status === c.ok.status)).toBe(true);

      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(new RegExp(`^started ${kind} job `, 'm'));
      expect(failed.stdout).toMatch(
        new RegExp(`^✗ ${kind} job .*(failed|is not running): .*${c.failed}`, 'm'),
      );
    });
  }

  it('sends the SQL file and the flags as the statement, queue and settings', async () => {
    const { emulator, env } = await setup();
    const run = await jobgate(['run', 'dli-sql', ...(CASES['dli-sql']?.args ?? []), ...FAST, '--quiet'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^✓ dli-sql job jobId=\S+ succeeded \(status FINISHED\)/);
    const submits = emulator.admin.requests().filter((r) => r.route === 'dli.sql.submit');
    expect(submits).toHaveLength(1);
  });
});

/** A statement that runs for hours unless it is stopped. */
const LONG_SQL: OnStartRuleInput = {
  kind: 'dli-sql',
  steps: [{ status: 'RUNNING', durationMs: 100 * 3_600_000, progress: 0.1 }, { status: 'FINISHED' }],
};

describe('stopping a run', () => {
  it('Ctrl-C stops the job: the stop is in the request log, the job ends cancelled, exit 130', async () => {
    const { emulator, env } = await setup(1);
    emulator.admin.addOnStart(LONG_SQL);
    const child = start(['run', 'dli-sql', 'SELECT * FROM big', ...FAST], env);
    const done = finished(child);
    await output(child, /RUNNING \(running/);
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    const jobId = /^started dli-sql job jobId=(\S+)$/m.exec(run.stdout)?.[1];
    expect(jobId).toBeDefined();
    expect(run.stdout).toContain(`stopping dli-sql job jobId=${jobId}: interrupted`);
    expect(run.stdout).toContain(`stopped dli-sql job jobId=${jobId}: the service accepted the stop`);
    expect(run.stdout).toContain(
      `✗ dli-sql job jobId=${jobId}: interrupted; last status RUNNING (running, 10%) (the job was stopped)`,
    );
    const deletes = emulator.admin.requests().filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => r.path)).toEqual([expect.stringMatching(new RegExp(`/jobs/${jobId}$`))]);
    const job = emulator.admin.jobs().find((j) => j.identity.jobId === jobId);
    expect(job?.status).toBe('CANCELLED');
  });

  it('--timeout with --stop-on-timeout stops the job and exits 3; without it the job is left running', async () => {
    const { emulator, env } = await setup(1);
    emulator.admin.addOnStart(LONG_SQL);
    const args = ['run', 'dli-sql', 'SELECT 1 FROM big', '--timeout', '1', ...FAST, '--json'];
    const [stopped, kept] = await Promise.all([
      jobgate([...args, '--stop-on-timeout'], env),
      jobgate(args, env),
    ]);
    expect(stopped.code).toBe(3);
    const types = events(stopped).map((e) => e.type);
    expect(types.slice(-3)).toEqual(['stopping', 'stopped', 'verdict']);
    expect(events(stopped).at(-2)).toMatchObject({ type: 'stopped' });
    expect(events(stopped).at(-1)).toMatchObject({ exitCode: 3, stopped: true });
    expect(String(events(stopped).at(-1)?.message)).toMatch(/timed out after 1s.*\(the job was stopped\)$/);
    const stoppedId = String((events(stopped)[0]?.ref as { jobId?: string } | undefined)?.jobId);
    const keptId = String((events(kept)[0]?.ref as { jobId?: string } | undefined)?.jobId);

    expect(kept.code).toBe(3);
    expect(events(kept).map((e) => e.type)).not.toContain('stopping');
    expect(events(kept).at(-1)).not.toHaveProperty('stopped');
    const deletes = emulator.admin.requests().filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => r.path)).toEqual([expect.stringMatching(new RegExp(`/jobs/${stoppedId}$`))]);
    const status = (id: string) => emulator.admin.jobs().find((j) => j.identity.jobId === id)?.status;
    expect(status(stoppedId)).toBe('CANCELLED');
    expect(status(keptId)).toBe('RUNNING');
  });
});

describe('stop', () => {
  it('stops a running Flink job with a savepoint: exit 0, the stop sent once, the job ends cancelled', async () => {
    const { emulator, env } = await setup(1);
    emulator.admin.advanceClock(90_000);
    emulator.admin.clearRequests();
    const run = await jobgate(['stop', 'dli-flink', '10001', '--trigger-savepoint'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('✓ dli-flink job jobId=10001: stopped (the service accepted the stop)\n');
    expect(
      emulator.admin.requests().map((r) => `${r.method} ${r.path.replace(/^.*\/streaming/, '')}`),
    ).toEqual(['POST /jobs/stop']);
    emulator.admin.advanceClock(20_000);
    expect(emulator.admin.jobs().find((j) => j.identity.jobId === 10001)?.status).toBe('job_cancel_success');
  });

  it("exits 5 with the service's refusal when the job cannot be stopped", async () => {
    const { env } = await setup(1);
    const run = await jobgate(['stop', 'cdm', CLUSTER, 'mysql2obs', '--json'], env);
    expect(run.code).toBe(5);
    expect(events(run).at(-1)).toMatchObject({ type: 'error', exitCode: 5 });
    expect(run.stderr).toContain('Cdm.STOP_REFUSED');
  });
});

describe('bad start flags: exit 2, naming the flag and what was expected', () => {
  it.each([
    [['run', 'dli-sql'], '--sql: required for a dli-sql job'],
    [['run', 'dli-sql', 'SELECT 1', '--queue', ''], '--queue: expected a queue name'],
    [
      ['run', 'dli-sql', 'SELECT 1', '--engine-type', 'presto'],
      '--engine-type: expected "spark" or "hetuEngine"',
    ],
    [['run', 'dli-sql', 'SELECT 1', '--conf', 'partitions'], '--conf: expected NAME=VALUE, got "partitions"'],
    [['run', 'dli-sql', '--sql-file', join(dir, 'none.sql')], '--sql-file: cannot read'],
    [
      ['run', 'dli-sql', '--sql', 'SELECT 1', '--sql-file', sqlFile],
      '--sql-file: give --sql or --sql-file, not both',
    ],
    [['run', 'dli-flink', 'abc'], '--job-id: expected an integer Flink job id such as 104'],
    [['run', 'dli-flink', '104', '--variables', 'a=b'], '--variables: not an option of jobgate run'],
    [['run', 'cdm', CLUSTER], '--job-name: required for a cdm job'],
    [['stop', 'dli-sql', 'nope'], '--job-id: expected a DLI SQL job id (a UUID'],
  ])('%j', async (args, message) => {
    const { emulator, env } = await setup();
    const run = await jobgate(args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`jobgate: ${message}`);
    expect(run.stdout).toBe('');
    // Nothing reached the service.
    expect(emulator.admin.requests()).toEqual([]);
  });
});
