import { readdirSync, readFileSync } from 'node:fs';
import { type Emulator, startEmulator } from '@jobgate/emulator';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { renderActionYml } from '../action/src/manifest.js';
import { fieldsOf, JOB_KINDS } from '../packages/core/src/index.js';
import { type ActionRun, readManifest, runAction } from '../scripts/action-harness.mjs';

// Each test starts the bundle on Node 24 at least once: on a loaded machine that alone takes seconds.
vi.setConfig({ testTimeout: 60_000 });

// The built bundle, run on Node 24 through the runner's file protocol, against the emulator.
// Ten emulator minutes pass in one wall second.
const TIME_SCALE = 600;
const FAST = { poll_interval: '0.1s', max_poll_interval: '0.5s' };

let emulator: Emulator;
let nextFlinkId = 70_000;
let nextCdmJob = 0;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: TIME_SCALE, seed: 7 });
});
afterAll(async () => {
  await emulator?.close();
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

function newFlinkJob(steps: { status: string; durationMs?: number }[]): string {
  const jobId = nextFlinkId++;
  emulator.admin.addJobs({ kind: 'dli-flink', jobId, name: `flink_${jobId}`, steps } as never);
  return String(jobId);
}

function newCdmJob(steps: Record<string, unknown>[]): { cluster_id: string; job_name: string } {
  const job = { cluster_id: '6ec9a0a4-76be-4262-8697-e7af1fac7920', job_name: `migrate_${nextCdmJob++}` };
  emulator.admin.addJobs({ kind: 'cdm', clusterId: job.cluster_id, jobName: job.job_name, steps } as never);
  return job;
}

/** Steps this long never end by themselves during a test; the test moves the clock on instead. */
const HOURS = 10 * 3_600_000;

/** Advances the emulator clock by `ms` once the step's log shows `text`, so no test depends on load. */
function advanceWhen(text: string, ms: number) {
  let done = false;
  let seen = '';
  return (chunk: string) => {
    seen += chunk;
    if (!done && seen.includes(text)) {
      done = true;
      emulator.admin.advanceClock(ms);
    }
  };
}

function requestsFor(fragment: string) {
  return emulator.admin.requests().filter((r) => r.path.includes(fragment));
}

function expectNoSecrets(run: ActionRun, secret = emulator.credentials.secretKey) {
  const everything = [
    run.stdout,
    run.stderr,
    JSON.stringify(run.outputs),
    run.summary,
    run.post?.stdout,
    run.post?.stderr,
  ].join('\n');
  // The runner is told to mask the secret (::add-mask::); it must appear nowhere else.
  const unmasked = everything.replaceAll(`::add-mask::${secret}`, '');
  expect(unmasked).not.toContain(secret);
  expect(everything).not.toMatch(/Signature=[0-9a-f]{8}/);
  expect(everything).not.toMatch(/SDK-HMAC-SHA256 Access/);
}

describe('action.yml', () => {
  it('is the manifest rendered from the job-kind table (rebuild with pnpm build)', () => {
    expect(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')).toBe(renderActionYml());
  });

  it('runs on node24 with main and post from the committed bundle, and lists every kind and identity input', () => {
    const manifest = readManifest();
    expect(manifest.runs).toEqual({
      using: 'node24',
      main: 'action/dist/main/index.js',
      post: 'action/dist/post/index.js',
    });
    for (const kind of JOB_KINDS) {
      expect(manifest.inputs.job_kind?.description).toContain(`\`${kind.name}\``);
      for (const field of fieldsOf(kind)) expect(manifest.inputs).toHaveProperty(field.input);
    }
    expect(Object.keys(manifest.outputs).sort()).toEqual(
      [
        'duration_seconds',
        'job',
        'job_kind',
        'phase',
        'progress',
        'status',
        'stopped',
        ...new Set(JOB_KINDS.flatMap((kind) => fieldsOf(kind).map((f) => f.input))),
      ].sort(),
    );
  });
});

describe('durations', () => {
  it('every duration input says that a bare number is seconds', () => {
    const inputs = readManifest().inputs as Record<string, { description: string }>;
    for (const name of ['timeout', 'poll_interval', 'max_poll_interval'])
      expect(inputs[name]?.description.replace(/`/g, ''), name).toContain(
        'a bare number is seconds: 30 is 30 seconds',
      );
  });
});

describe('the bundle', () => {
  const dist = new URL('../action/dist/', import.meta.url);
  const bundle = (name: string) => readFileSync(new URL(`${name}/index.js`, dist), 'utf8');

  it("holds one copy of undici in the step's bundle, and all bundles together stay under 1.5 MB", () => {
    // Each copy of undici defines its error classes once; the error code is a string minifying keeps.
    expect(bundle('step').match(/'UND_ERR_CONNECT_TIMEOUT'|"UND_ERR_CONNECT_TIMEOUT"/g)).toHaveLength(1);
    // The main and post entries only load the step's bundle: neither carries the core.
    for (const entry of ['main', 'post']) expect(bundle(entry)).not.toMatch(/UND_ERR_CONNECT_TIMEOUT/);
    const total = readdirSync(dist).reduce((sum, name) => sum + Buffer.byteLength(bundle(name)), 0);
    expect(total).toBeLessThan(1.5 * 1024 * 1024);
  });
});

describe('every job kind succeeding', () => {
  it('dli-sql: a SQL job that finishes, with progress and sub-jobs in the summary', async () => {
    const jobId = 'a1b2c3d4-0000-4000-8000-000000000001';
    emulator.admin.addJobs({
      kind: 'dli-sql',
      jobId,
      steps: [
        { status: 'LAUNCHING', durationMs: 1_000 },
        {
          status: 'RUNNING',
          durationMs: HOURS,
          progress: 0.1,
          subJobs: [{ id: 0, name: 'runJob at FileFormatWriter.scala:266', status: 'RUNNING', num_tasks: 4 }],
        },
        { status: 'FINISHED', progress: 1 },
      ],
    } as never);
    const run = await runAction(
      { job_kind: 'dli-sql', job_id: jobId, ...credentials(), ...FAST },
      { onStdout: advanceWhen('RUNNING (running', HOURS) },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      job_kind: 'dli-sql',
      status: 'FINISHED',
      phase: 'succeeded',
      progress: '1',
    });
    expect(run.stdout).toMatch(/RUNNING \(running, \d+%\)/);
    expect(run.stdout).toContain('FINISHED (succeeded, 100%)');
    expect(JSON.parse(run.outputs.job ?? '{}')).toMatchObject({
      kind: 'dli-sql',
      ref: { jobId },
      phase: 'succeeded',
    });
    expect(run.summary).toContain('| Status | FINISHED |');
    // The endpoint the step was given, where a region would be.
    expect(run.summary).toContain(`| Endpoint | ${emulator.url} |`);
    // A finished job lists no sub-jobs: the last ones seen are shown as such, not as current.
    expect(run.summary).toMatch(/### Sub-jobs, last seen [\w ]+ before the final status FINISHED\n/);
    expect(run.summary).toMatch(/\| Waited \| \d+( ms|s) \|/);
    expect(run.summary).not.toContain('### Sub-jobs\n');
    expect(Number(run.outputs.duration_seconds)).toBeGreaterThanOrEqual(0);
    expectNoSecrets(run);
  });

  it('dli-flink: a Flink job that finishes', async () => {
    const job_id = newFlinkJob([{ status: 'job_running', durationMs: HOURS }, { status: 'job_finish' }]);
    const run = await runAction(
      { job_kind: 'dli-flink', job_id, ...credentials(), ...FAST },
      { onStdout: advanceWhen('job_running (running)', HOURS) },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'job_finish', phase: 'succeeded' });
    expect(run.stdout).toContain('job_running (running)');
  });

  it('dataarts-realtime: a real-time job that reaches NORMAL, in a workspace, with its nodes in the summary', async () => {
    emulator.admin.addJobs({
      kind: 'dataarts-realtime',
      jobName: 'sms alerts/2',
      workspace: 'ws-1',
      steps: [
        { status: 'STARTING', durationMs: 30_000 },
        { status: 'NORMAL', nodes: [{ name: 'MRS_Flink_Job_1', status: 'NORMAL' }] },
      ],
    } as never);
    const run = await runAction({
      job_kind: 'dataarts-realtime',
      job_name: 'sms alerts/2',
      workspace: 'ws-1',
      wait_for: 'running',
      ...credentials(),
      ...FAST,
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'NORMAL', phase: 'running' });
    expect(run.summary).toContain('### Nodes');
    expect(run.summary).toContain('MRS_Flink_Job_1');
  });

  it('cdm: a migration job that succeeds, with its progress (rounded) and counters in the summary', async () => {
    const job = newCdmJob([
      { status: 'BOOTING', durationMs: 30_000 },
      { status: 'RUNNING', durationMs: HOURS, progress: 33.3333 },
      { status: 'SUCCEEDED', progress: 100, counters: { ROWS_READ: 1800, ROWS_WRITTEN: 1800 } },
    ]);
    const run = await runAction(
      { job_kind: 'cdm', ...job, ...credentials(), ...FAST },
      { onStdout: advanceWhen('RUNNING (running', HOURS) },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'SUCCEEDED', phase: 'succeeded' });
    // Progress rises from 33.3333% by fractions of a percent; a fraction is never printed.
    expect(run.stdout).toMatch(/RUNNING \(running, 3\d%\)/);
    expect(`${run.stdout}${run.summary}`).not.toMatch(/\d\.\d+ ?%/);
    expect(run.summary).toContain('| Progress | 100% |');
    expect(run.summary).toContain('| ROWS_WRITTEN | 1800 |');
  });
});

describe('verdicts', () => {
  it('waits on a Flink job until it is running', async () => {
    const job_id = newFlinkJob([{ status: 'job_submitting', durationMs: HOURS }, { status: 'job_running' }]);
    const run = await runAction(
      {
        job_kind: 'dli-flink',
        job_id,
        wait_for: 'running',
        ...credentials(),
        ...FAST,
      },
      { onStdout: advanceWhen('job_submitting (pending)', HOURS) },
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs.phase).toBe('running');
    expect(run.stdout).toContain('job_submitting (pending)');
  });

  it('fails the step when the job fails, with the reason and the service error text', async () => {
    const job = newCdmJob([
      { status: 'RUNNING', durationMs: HOURS, progress: 37.5 },
      {
        status: 'FAILED',
        progress: -1,
        errorSummary: 'Cdm.0517: Table does not exist.',
        errorDetails: 'org.postgresql.util.PSQLException',
      },
    ]);
    const run = await runAction(
      { job_kind: 'cdm', ...job, ...credentials(), ...FAST },
      { onStdout: advanceWhen('RUNNING (running, 38%)', HOURS) },
    );
    expect(run.exitCode).toBe(1);
    // CDM answers -1 once a job failed: how far it got is the last progress it reported.
    expect(run.outputs.progress).toBe('0.375');
    expect(run.summary).toContain('| Progress | 38% |');
    expect(run.stdout).toMatch(
      new RegExp(
        `::error::cdm job clusterId=\\S+ jobName=${job.job_name} failed: status FAILED: Cdm.0517: Table does not exist.`,
      ),
    );
    expect(run.outputs).toMatchObject({ status: 'FAILED', phase: 'failed' });
    expect(run.summary).toContain('❌');
  });

  it('fails a Flink job that ends in job_running_exception, even when waiting until running', async () => {
    const job_id = newFlinkJob([
      { status: 'job_submitting', durationMs: 30_000 },
      { status: 'job_running_exception' },
    ]);
    const run = await runAction({
      job_kind: 'dli-flink',
      job_id,
      wait_for: 'running',
      ...credentials(),
      ...FAST,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      `::error::dli-flink job jobId=${job_id} failed: status job_running_exception`,
    );
  });

  it('fails on timeout, naming the last state, with outputs set; a bare number is seconds', async () => {
    const job_id = newFlinkJob([{ status: 'job_submitting' }]);
    // `timeout: 1` as documented: one second, not a millisecond.
    const run = await runAction({ job_kind: 'dli-flink', job_id, timeout: '1', ...credentials(), ...FAST });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /::error::.*timed out after 1s waiting for DLI Flink job to be finished; last status job_submitting \(pending\)/,
    );
    expect(run.outputs).toMatchObject({ status: 'job_submitting', phase: 'pending' });
    expect(run.outputs.job).toContain('job_submitting');
  });

  it('wait_for none reports the current state without waiting', async () => {
    const job_id = newFlinkJob([{ status: 'job_submitting' }]);
    const run = await runAction({ job_kind: 'dli-flink', job_id, wait_for: 'none', ...credentials() });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.phase).toBe('pending');
    expect(requestsFor(`/streaming/jobs/${job_id}`)).toHaveLength(1);
  });

  it.each([
    ['true', 1, /::error::cdm job .* has status SOMETHING_NEW, which no documentation describes/],
    [
      'false',
      0,
      /::warning::cdm job .* has undocumented status SOMETHING_NEW; passing as fail_on_unknown is false/,
    ],
  ])('a status no document describes, with fail_on_unknown %s', async (failOnUnknown, exitCode, line) => {
    const job = newCdmJob([{ status: 'RUNNING', extra: { status: 'SOMETHING_NEW' } }]);
    const run = await runAction({
      job_kind: 'cdm',
      ...job,
      wait_for: 'none',
      fail_on_unknown: failOnUnknown,
      ...credentials(),
    });
    expect(run.exitCode).toBe(exitCode);
    expect(run.stdout).toMatch(line);
    expect(run.outputs).toMatchObject({ status: 'SOMETHING_NEW', phase: 'unknown' });
  });

  it('an unknown status is never a pass when waiting: it runs into the timeout', async () => {
    const job = newCdmJob([{ status: 'RUNNING', extra: { status: 'SOMETHING_NEW' } }]);
    const run = await runAction({
      job_kind: 'cdm',
      ...job,
      timeout: '1s',
      fail_on_unknown: 'false',
      ...credentials(),
      ...FAST,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/timed out after 1s .* last status SOMETHING_NEW \(unknown/);
  });

  it('fails when the job does not exist', async () => {
    const run = await runAction({ job_kind: 'dli-flink', job_id: '999999', ...credentials(), ...FAST });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::dli-flink job jobId=999999: dli answered HTTP 4\d\d DLI\.0002/);
  });
});

describe('authentication and faults', () => {
  it('a wrong secret key fails after exactly one request: authentication is never retried', async () => {
    const job_id = newFlinkJob([{ status: 'job_running' }]);
    const run = await runAction({
      job_kind: 'dli-flink',
      job_id,
      ...credentials(),
      secret_key: 'a-wrong-secret-key-0123456789',
      ...FAST,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('APIG.0301');
    expect(requestsFor(`/streaming/jobs/${job_id}`)).toHaveLength(1);
    expect(run.stdout).toContain('::add-mask::a-wrong-secret-key-0123456789');
    expectNoSecrets(run, 'a-wrong-secret-key-0123456789');
  });

  it('survives 429 throttling with Retry-After and 503s', async () => {
    const job_id = newFlinkJob([{ status: 'job_submitting', durationMs: 30_000 }, { status: 'job_finish' }]);
    emulator.admin.addFaults([
      { match: { path: `/streaming/jobs/${job_id}` }, type: '429', count: 2, retryAfterSeconds: 1 },
      { match: { path: `/streaming/jobs/${job_id}` }, type: '503', count: 2 },
    ] as never);
    const run = await runAction({ job_kind: 'dli-flink', job_id, ...credentials(), ...FAST });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.phase).toBe('succeeded');
    const statuses = requestsFor(`/streaming/jobs/${job_id}`).map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect(statuses.filter((s) => s === 503)).toHaveLength(2);
    expect(run.stdout).toMatch(/retrying GET .* after APIG\.0308/);
  });

  it('reports errors that outlast the HTTP retries as warnings, and goes on waiting', async () => {
    const job_id = newFlinkJob([{ status: 'job_finish' }]);
    // Four attempts per poll: five 503s fail one poll, and the next poll succeeds.
    emulator.admin.addFaults({
      match: { path: `/streaming/jobs/${job_id}` },
      type: '503',
      count: 5,
    } as never);
    const run = await runAction({ job_kind: 'dli-flink', job_id, ...credentials(), ...FAST });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/::warning::Transient error 1\/6, will retry: dli answered HTTP 503/);
    expect(run.outputs.phase).toBe('succeeded');
  });

  it('takes credentials from the huaweicloud/auth-action environment, and an explicit input wins', async () => {
    const job_id = newFlinkJob([{ status: 'job_finish' }]);
    const c = emulator.credentials;
    const env = {
      HUAWEI_CLOUD_ACCESS_KEY_ID: c.accessKey,
      HUAWEI_CLOUD_SECRET_ACCESS_KEY: c.secretKey,
      HUAWEI_CLOUD_PROJECT_ID: c.projectId,
      HUAWEI_CLOUD_REGION: 'cn-north-4',
    };
    const fromEnv = await runAction({ job_kind: 'dli-flink', job_id, endpoint: emulator.url }, { env });
    expect(fromEnv.exitCode).toBe(0);
    expectNoSecrets(fromEnv);
    const explicit = await runAction(
      {
        job_kind: 'dli-flink',
        job_id,
        endpoint: emulator.url,
        secret_key: 'an-explicit-wrong-secret-000',
        access_key: c.accessKey,
      },
      { env },
    );
    expect(explicit.exitCode).toBe(1);
    expect(explicit.stdout).toContain('APIG.0301');
  });
});

describe('cancellation', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'stops waiting at once on %s, exits non-zero, and saves the job for the post step',
    async (signal) => {
      const job_id = newFlinkJob([{ status: 'job_submitting' }]);
      const started = Date.now();
      const run = await runAction(
        { job_kind: 'dli-flink', job_id, ...credentials(), poll_interval: '1s', max_poll_interval: '1s' },
        { signal: { name: signal, when: (stdout) => stdout.includes('job_submitting (pending)') } },
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toMatch(
        new RegExp(
          `::error::The wait on dli-flink job jobId=\\d+ was cancelled \\(received ${signal}\\); last status job_submitting`,
        ),
      );
      expect(JSON.parse(run.state.job ?? '{}')).toMatchObject({ kind: 'dli-flink', jobId: job_id });
      expect(run.state.outcome).toBe('cancelled');
      expect(run.post?.exitCode).toBe(0);
      expect(run.post?.stdout).toContain('::warning::The wait was cancelled');
    },
  );
});

describe('bad inputs fail before any request, naming the input', () => {
  it.each([
    [
      { job_kind: 'dli-flink', job_id: 'abc' },
      /::error::Invalid input job_id: expected an integer Flink job id/,
    ],
    [
      { job_kind: 'dli-flink', job_id: '1', region: 'mars-north-1', endpoint: '' },
      /::error::Invalid input region: unknown region "mars-north-1"; known regions: af-north-1/,
    ],
    [{ job_kind: 'cdm', job_name: 'x' }, /::error::Invalid input cluster_id: required for job_kind cdm/],
    [
      { job_kind: 'dli-sql', job_id: 'not-a-uuid' },
      /::error::Invalid input job_id: expected a DLI SQL job id/,
    ],
    [
      { job_kind: 'dli-flink', job_id: '1', timeout: 'soon' },
      /::error::Invalid input timeout: expected a positive duration such as 30m/,
    ],
    [
      { job_kind: 'spark', job_id: '1' },
      /::error::Invalid input job_kind: expected one of dli-flink, dli-sql, dataarts-realtime, dataarts-batch, cdm/,
    ],
    [
      { job_kind: 'dli-flink', job_id: '1', wait_for: 'forever' },
      /::error::Invalid input wait_for: expected one of finished, running, none/,
    ],
    [
      { job_kind: 'dli-flink', job_id: '1', endpoint: 'http://10.1.2.3:8080' },
      /::error::Invalid input endpoint: expected an https:\/\/ URL/,
    ],
  ])('%j', async (inputs, message) => {
    const before = emulator.admin.requests().length;
    const run = await runAction({ ...credentials(), ...inputs } as Record<string, string>);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(message);
    expect(emulator.admin.requests().length).toBe(before);
    expectNoSecrets(run);
  });
});
