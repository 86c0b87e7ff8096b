import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@jobgate/emulator';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JOB_KINDS, startFieldsOf } from '../packages/core/src/index.js';
import { type RunOptions, readManifest, runAction } from '../scripts/action-harness.mjs';

// `mode: run` and `mode: start`: the built bundle on Node 24 starts jobs of every kind on the emulator,
// waits, and stops what it started when the workflow is cancelled.
vi.setConfig({ testTimeout: 60_000 });

const TIME_SCALE = 600;
const FAST = { poll_interval: '0.1s', max_poll_interval: '0.5s' };
// A poll a second: a signal lands between polls.
const SLOW = { poll_interval: '1s', max_poll_interval: '1s' };
const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';
const HOURS = 10 * 3_600_000;

let emulator: Emulator;
let next = 0;
let workspace: string;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: TIME_SCALE, seed: 11 });
  workspace = mkdtempSync(join(tmpdir(), 'jobgate-workspace-'));
});
afterAll(async () => {
  await emulator?.close();
  rmSync(workspace, { recursive: true, force: true });
});

function credentials() {
  const c = emulator.credentials;
  return {
    endpoint: emulator.url,
    project_id: c.projectId,
    access_key: c.accessKey,
    secret_key: c.secretKey,
  };
}

/** The bundle's main and post steps with the emulator's credentials and quick polls; `inputs` win. */
const runStep = (inputs: Record<string, string>, options?: RunOptions) =>
  runAction({ ...credentials(), ...FAST, ...inputs }, options);

const requests = (method: string, fragment: string) =>
  emulator.admin.requests().filter((r) => r.method === method && r.path.includes(fragment));

/** A SQL statement of its own, and the steps its submit plays. */
function statement(steps: { status: string; durationMs?: number; message?: string }[]): string {
  const table = `daily_${next++}`;
  emulator.admin.addOnStart({ kind: 'dli-sql', statement: table, steps } as never);
  return `INSERT INTO dws.${table}\nSELECT order_date, SUM(amount)\nFROM ods.orders\nGROUP BY order_date`;
}

function stoppable(
  kind: 'dli-flink' | 'cdm' | 'dataarts-realtime',
  onStart?: { status: string; durationMs?: number }[],
): Record<string, string> {
  const id = next++;
  if (kind === 'dli-flink') {
    emulator.admin.addJobs({
      kind,
      jobId: 71_000 + id,
      name: `f_${id}`,
      steps: [{ status: 'job_cancel_success' }],
      ...(onStart ? { onStart } : {}),
    } as never);
    return { job_kind: kind, job_id: String(71_000 + id) };
  }
  if (kind === 'cdm') {
    emulator.admin.addJobs({
      kind,
      clusterId: CLUSTER,
      jobName: `m_${id}`,
      steps: [{ status: 'NEVER_EXECUTED' }],
      ...(onStart ? { onStart } : {}),
    } as never);
    return { job_kind: kind, cluster_id: CLUSTER, job_name: `m_${id}` };
  }
  emulator.admin.addJobs({ kind, jobName: `rt_${id}`, steps: [{ status: 'STOPPED' }] } as never);
  return { job_kind: kind, job_name: `rt_${id}` };
}

describe('action.yml', () => {
  it('has every start field of every kind as an input, and mode, sql_file, cancel_on_abort, stop_on_timeout', () => {
    const manifest = readManifest();
    for (const kind of JOB_KINDS)
      for (const field of startFieldsOf(kind)) expect(manifest.inputs).toHaveProperty(field.input);
    expect(manifest.inputs.mode?.default).toBe('wait');
    expect(manifest.inputs.cancel_on_abort?.default).toBe('true');
    expect(manifest.inputs.stop_on_timeout?.default).toBe('false');
    expect(manifest.inputs.conf?.description).toContain('one `key=value` per line');
    expect(manifest.inputs.job_params?.description).toContain('YAML or JSON object');
    expect(manifest.inputs.sql_file).toBeDefined();
    for (const output of ['job_id', 'instance_id', 'job_name', 'cluster_id', 'stopped'])
      expect(manifest.outputs).toHaveProperty(output);
  });
});

describe('mode: run, one kind at a time', () => {
  it('dli-sql: a multi-line statement is submitted, waited on and passes; its first lines in log and summary', async () => {
    const sql = statement([
      { status: 'LAUNCHING', durationMs: 5_000 },
      { status: 'RUNNING', durationMs: 30_000 },
      { status: 'FINISHED' },
    ]);
    const run = await runStep({
      job_kind: 'dli-sql',
      mode: 'run',
      sql,
      queue: 'etl',
      conf: 'spark.sql.shuffle.partitions=200\ndli.sql.caseSensitive=true',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({
      job_kind: 'dli-sql',
      phase: 'succeeded',
      status: 'FINISHED',
      stopped: 'false',
    });
    const jobId = run.outputs.job_id as string;
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(run.outputs.job as string)).toMatchObject({ kind: 'dli-sql', ref: { jobId } });
    expect(JSON.parse(run.state.job as string)).toEqual({ kind: 'dli-sql', jobId });
    expect(run.state.started).toBe('true');
    expect(run.stdout).toContain('Starting a DLI SQL job');
    expect(run.stdout).toContain('    GROUP BY order_date');
    expect(run.stdout).toContain(`Started dli-sql job jobId=${jobId}`);
    expect(run.summary).toContain('### Started with');
    expect(run.summary).toContain('INSERT INTO dws.daily_');
    expect(run.summary).toContain('<br>GROUP BY order_date');
    expect(run.summary).toContain('spark.sql.shuffle.partitions=200');
    expect(run.summary).toContain('| Mode | run |');
    expect(requests('DELETE', `/jobs/${jobId}`)).toHaveLength(0);
    expect(run.post?.exitCode).toBe(0);
    expect(run.post?.stdout).not.toContain('Stopped');
  });

  it('dli-sql: a statement that fails fails the step with the service message', async () => {
    const sql = statement([
      { status: 'LAUNCHING', durationMs: 5_000 },
      { status: 'FAILED', message: 'DLI.0005: Table or view not found: ods.orders' },
    ]);
    const run = await runStep({ job_kind: 'dli-sql', mode: 'run', sql });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /::error::dli-sql job jobId=\S+ failed: status FAILED: DLI.0005: Table or view not found/,
    );
    expect(run.outputs.job_id).toBeTruthy();
  });

  it('dli-sql: sql_file reads the statement from the workspace', async () => {
    const sql = statement([{ status: 'FINISHED' }]);
    writeFileSync(join(workspace, 'daily.sql'), `\ufeff${sql}\n`);
    const run = await runStep(
      { job_kind: 'dli-sql', mode: 'run', sql_file: 'daily.sql' },
      { env: { GITHUB_WORKSPACE: workspace } },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.summary).toContain('FROM ods.orders');
  });

  it('dli-flink: runs a stopped job from its savepoint until it is running', async () => {
    const job = stoppable('dli-flink');
    const run = await runStep({
      ...job,
      mode: 'run',
      resume_savepoint: 'true',
      wait_for: 'running',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ job_id: job.job_id, phase: 'running', status: 'job_running' });
    expect(requests('POST', '/streaming/jobs/run')).not.toHaveLength(0);
    expect(run.summary).toContain('| Resume from savepoint | true |');
    // Passing with a streaming job running is what was asked: the post step leaves it running.
    expect(run.post?.stdout).not.toContain('Stopped');
    expect(requests('POST', '/streaming/jobs/stop')).toHaveLength(0);
  });

  it('dli-flink: a run that fails to start fails the step', async () => {
    const id = 72_000 + next++;
    emulator.admin.addJobs({
      kind: 'dli-flink',
      jobId: id,
      name: `bad_${id}`,
      steps: [{ status: 'job_cancel_success' }],
      onStart: [
        { status: 'job_submitting', durationMs: 5_000 },
        { status: 'job_submit_fail', statusDesc: 'no resources' },
      ],
    } as never);
    const run = await runStep({
      job_kind: 'dli-flink',
      job_id: String(id),
      mode: 'run',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::dli-flink job jobId=\d+ failed: status job_submit_fail/);
  });

  it('dataarts-realtime: starts a job with parameters given as YAML', async () => {
    const job = stoppable('dataarts-realtime');
    const run = await runStep({
      ...job,
      mode: 'run',
      wait_for: 'running',
      job_params: 'date: 2024-06-01\nlimit: 10',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ job_name: job.job_name, status: 'NORMAL' });
    expect(run.summary).toContain('date=2024-06-01');
    expect(run.summary).toContain('limit=10');
  });

  it('dataarts-batch: a run of a batch job gets its instance id as an output, and passes', async () => {
    const run = await runStep({
      job_kind: 'dataarts-batch',
      job_name: 'daily_sales_report',
      mode: 'run',
      job_params: '{"bizdate": "20240601"}',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.instance_id).toMatch(/^\d+$/);
    expect(run.outputs).toMatchObject({ job_name: 'daily_sales_report', phase: 'succeeded' });
  });

  it('cdm: starts a migration with variables and passes; a failing one fails', async () => {
    const job = stoppable('cdm');
    const run = await runStep({
      ...job,
      mode: 'run',
      variables: 'since: "2024-06-01"',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ phase: 'succeeded', status: 'SUCCEEDED' });
    expect(run.summary).toContain('since=2024-06-01');

    const failing = stoppable('cdm');
    emulator.admin.addJobs({
      kind: 'cdm',
      clusterId: CLUSTER,
      jobName: failing.job_name,
      steps: [{ status: 'NEVER_EXECUTED' }],
      onStart: [
        { status: 'BOOTING', durationMs: 5_000 },
        { status: 'FAILED', progress: -1, errorSummary: 'Cdm.0517: no table' },
      ],
    } as never);
    const failed = await runStep({ ...failing, mode: 'run' });
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toContain('failed: status FAILED: Cdm.0517: no table');
  });
});

describe('mode: start', () => {
  it('starts and passes at once: the outputs name the job, nothing is stopped', async () => {
    const job = stoppable('cdm');
    const run = await runStep({ ...job, mode: 'start' });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ cluster_id: CLUSTER, job_name: job.job_name, job_kind: 'cdm' });
    expect(JSON.parse(run.outputs.job as string)).toEqual({
      kind: 'cdm',
      ref: { clusterId: CLUSTER, jobName: job.job_name },
    });
    expect(run.stdout).toContain(`Started cdm job clusterId=${CLUSTER} jobName=${job.job_name}`);
    expect(requests('GET', `/cdm/job/${job.job_name}/status`)).toHaveLength(0);
    expect(requests('PUT', `/cdm/job/${job.job_name}/stop`)).toHaveLength(0);
    expect(run.post?.exitCode).toBe(0);
  });
});

describe('cancellation and timeouts stop what the step started', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s during a run: the job is stopped at once and ends cancelled',
    async (signal) => {
      const sql = statement([{ status: 'RUNNING', durationMs: HOURS }, { status: 'FINISHED' }]);
      const started = Date.now();
      const run = await runStep(
        {
          job_kind: 'dli-sql',
          mode: 'run',
          sql,
          ...SLOW,
        },
        { signal: { name: signal, when: (stdout) => stdout.includes('RUNNING (running') } },
      );
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(run.exitCode).toBe(1);
      const jobId = run.outputs.job_id as string;
      expect(requests('DELETE', `/jobs/${jobId}`)).toHaveLength(1);
      expect(run.stdout).toContain(`Stopped dli-sql job jobId=${jobId} (by the main step, on cancel)`);
      expect(run.stdout).toMatch(
        new RegExp(
          `::error::The wait on dli-sql job jobId=${jobId} was cancelled \\(received ${signal}\\).*; the job was stopped`,
        ),
      );
      expect(run.outputs.stopped).toBe('true');
      expect(run.state).toMatchObject({ started: 'true', stopped: 'true', outcome: 'cancelled' });
      expect(run.summary).toContain('| Stopped | by the main step |');
      const state = await fetch(`${emulator.url}/__emulator/jobs`).then((r) => r.json());
      expect(JSON.stringify(state)).toContain(jobId);
      // The post step sees the confirmed stop and sends none of its own.
      expect(run.post?.exitCode).toBe(0);
      expect(requests('DELETE', `/jobs/${jobId}`)).toHaveLength(1);
    },
  );

  it('the post step stops the job when the main step was killed before it could', async () => {
    // Submitting for hours of emulator time: the first read sees it however late it comes.
    const job = stoppable('dli-flink', [
      { status: 'job_submitting', durationMs: HOURS },
      { status: 'job_running' },
    ]);
    const run = await runStep(
      { ...job, mode: 'run', ...SLOW },
      { signal: { name: 'SIGKILL', when: (stdout) => stdout.includes('job_submitting (pending)') } },
    );
    expect(run.signal).toBe('SIGKILL');
    expect(run.state.stopped).toBeUndefined();
    expect(run.post?.exitCode, run.post?.stdout).toBe(0);
    expect(run.post?.stdout).toContain(`Stopped dli-flink job jobId=${job.job_id} (by the post step`);
    expect(requests('POST', '/streaming/jobs/stop')).toHaveLength(1);
    expect(run.summary).toContain('stopped by the post step');
  });

  it('the post step never stops a job that already ended', async () => {
    const sql = statement([{ status: 'RUNNING', durationMs: 60_000 }, { status: 'FINISHED' }]);
    let advanced = false;
    const run = await runStep(
      {
        job_kind: 'dli-sql',
        mode: 'run',
        sql,
        ...SLOW,
      },
      {
        onStdout: (chunk) => {
          if (!advanced && chunk.includes('Started dli-sql job')) {
            advanced = true;
            emulator.admin.advanceClock(HOURS);
          }
        },
        signal: { name: 'SIGKILL', when: (stdout) => stdout.includes('Started dli-sql job') },
      },
    );
    expect(run.signal).toBe('SIGKILL');
    const jobId = JSON.parse(run.state.job as string).jobId;
    expect(run.post?.stdout).toContain('already ended (FINISHED, succeeded); nothing to stop');
    expect(requests('DELETE', `/jobs/${jobId}`)).toHaveLength(0);
  });

  it('cancel_on_abort false leaves the job running, in main and post', async () => {
    const job = stoppable('cdm', [{ status: 'BOOTING', durationMs: HOURS }, { status: 'SUCCEEDED' }]);
    const run = await runStep(
      {
        ...job,
        mode: 'run',
        cancel_on_abort: 'false',
        ...SLOW,
      },
      { signal: { name: 'SIGINT', when: (stdout) => stdout.includes('BOOTING (pending') } },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('the job was left running (cancel_on_abort is false)');
    expect(run.post?.stdout).toContain('left running as cancel_on_abort is false');
    expect(requests('PUT', `/cdm/job/${job.job_name}/stop`)).toHaveLength(0);
  });

  it('stop_on_timeout stops the job when the timeout ends the wait', async () => {
    const job = stoppable('dataarts-realtime');
    emulator.admin.addJobs({
      kind: 'dataarts-realtime',
      jobName: job.job_name,
      steps: [{ status: 'STOPPED' }],
      onStart: [{ status: 'STARTING', durationMs: HOURS }, { status: 'NORMAL' }],
    } as never);
    const run = await runStep({
      ...job,
      mode: 'run',
      timeout: '1s',
      stop_on_timeout: 'true',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::.*timed out after 1s.*; the job was stopped/);
    expect(run.stdout).toContain('(by the main step, on timeout)');
    expect(requests('POST', `/jobs/${job.job_name}/stop`)).toHaveLength(1);
    expect(run.outputs.stopped).toBe('true');
  });

  it('a stop the service refuses is reported, never a pass, and the post step tries again', async () => {
    const job = stoppable('cdm');
    emulator.admin.addJobs({
      kind: 'cdm',
      clusterId: CLUSTER,
      jobName: job.job_name,
      steps: [{ status: 'NEVER_EXECUTED' }],
      onStart: [{ status: 'BOOTING', durationMs: HOURS }, { status: 'SUCCEEDED' }],
    } as never);
    emulator.admin.addFaults({
      type: 'respond',
      match: { path: `/cdm/job/${job.job_name}/stop` },
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        'validation-result': [{ status: 'ERROR', message: 'Cdm.0400: the job is busy' }],
      }),
    } as never);
    try {
      const run = await runStep(
        { ...job, mode: 'run', ...SLOW },
        { signal: { name: 'SIGINT', when: (stdout) => stdout.includes('BOOTING (pending') } },
      );
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toMatch(
        /::error::.*stopping cdm job .* failed, so it may still be running: .*Cdm.0400: the job is busy; the post step will try again/,
      );
      expect(run.outputs.stopped).toBe('false');
      expect(run.post?.exitCode, `${run.post?.stdout}`).toBe(1);
      expect(requests('PUT', `/cdm/job/${job.job_name}/stop`)).toHaveLength(2);
    } finally {
      emulator.admin.clearFaults();
    }
  });
});

describe('bad start inputs fail before any request, naming the input', () => {
  it.each([
    [
      { job_kind: 'dli-sql', mode: 'later' },
      /Invalid input mode: expected one of wait, run, start, got "later"/,
    ],
    [
      { job_kind: 'dli-sql', mode: 'run' },
      /Invalid input sql: required to start a DLI SQL job \(or sql_file\)/,
    ],
    [
      { job_kind: 'dli-sql', mode: 'run', sql: 'SELECT 1', sql_file: 'x.sql' },
      /Invalid input sql_file: give either sql or sql_file, not both/,
    ],
    [
      { job_kind: 'dli-sql', mode: 'run', sql_file: 'missing.sql' },
      /Invalid input sql_file: expected a file in the workspace holding the statement: no such file/,
    ],
    [
      { job_kind: 'dli-sql', mode: 'run', sql: 'SELECT 1', conf: 'spark.x=1\nnot a setting' },
      /Invalid input conf: expected settings as "key=value"/,
    ],
    [
      { job_kind: 'dli-sql', mode: 'run', sql: 'SELECT 1', queue: 'q'.repeat(129) },
      /Invalid input queue: expected a queue name of at most 128 characters/,
    ],
    [
      { job_kind: 'dli-sql', mode: 'run', sql: 'SELECT 1', engine_type: 'presto' },
      /Invalid input engine_type: expected "spark" or "hetuEngine"/,
    ],
    [
      { job_kind: 'dli-sql', mode: 'run', sql: 'SELECT 1', tags: '- a\n- b' },
      /Invalid input tags: expected a YAML or JSON object of name: value/,
    ],
    [
      { job_kind: 'dli-sql', mode: 'run', sql: 'SELECT 1', job_id: '85798b38-ae44-48eb-bb90-7cf0dcdafe7b' },
      /Invalid input job_id: not used with mode run or start/,
    ],
    [
      { job_kind: 'dli-sql', mode: 'run', sql: 'SELECT 1', variables: 'a: b' },
      /Invalid input variables: not an input of a DLI SQL job/,
    ],
    [
      { job_kind: 'dli-sql', sql: 'SELECT 1', job_id: '85798b38-ae44-48eb-bb90-7cf0dcdafe7b' },
      /Invalid input sql: only with mode run or start/,
    ],
    [
      { job_kind: 'dli-flink', job_id: '1', mode: 'run', resume_savepoint: 'maybe' },
      /Invalid input resume_savepoint: expected true or false, got "maybe"/,
    ],
    [
      { job_kind: 'dli-flink', job_id: '1', mode: 'run', trigger_savepoint: 'sometimes' },
      /Invalid input trigger_savepoint: expected true or false/,
    ],
    [{ job_kind: 'dli-flink', mode: 'run' }, /Invalid input job_id: required to start a DLI Flink job/],
    [
      { job_kind: 'dli-flink', job_id: '1', mode: 'run', cancel_on_abort: 'maybe' },
      /Invalid input cancel_on_abort: expected true or false/,
    ],
    [
      { job_kind: 'dli-flink', job_id: '1', mode: 'run', stop_on_timeout: 'never' },
      /Invalid input stop_on_timeout: expected true or false/,
    ],
    [
      { job_kind: 'dataarts-batch', job_name: 'j', mode: 'run', instance_id: '7' },
      /Invalid input instance_id: not used with mode run or start/,
    ],
    [
      { job_kind: 'dataarts-batch', job_name: 'j', mode: 'run', job_params: 'a: [1' },
      /Invalid input job_params: expected a YAML or JSON object of name: value; it is not valid YAML/,
    ],
    [
      { job_kind: 'dataarts-batch', job_name: 'j', mode: 'run', job_params: '{"a": ' },
      /Invalid input job_params: .*starts with \{ but is not valid JSON/,
    ],
    [
      { job_kind: 'dataarts-realtime', job_name: 'j', mode: 'run', job_params: 'just text' },
      /Invalid input job_params: expected a YAML or JSON object of name: value/,
    ],
    [
      { job_kind: 'cdm', cluster_id: CLUSTER, job_name: 'j', mode: 'run', variables: 'a:\n  b: c' },
      /Invalid input variables: /,
    ],
  ])('%j', async (inputs, message) => {
    const before = emulator.admin.requests().length;
    const run = await runStep(inputs as Record<string, string>, {
      env: { GITHUB_WORKSPACE: workspace },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(message);
    expect(run.stdout).not.toContain('ZodError');
    expect(emulator.admin.requests().length).toBe(before);
  });
});
