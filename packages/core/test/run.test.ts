/**
 * Starting, waiting on and stopping jobs of every kind over real HTTP on the emulator: verdicts, stops
 * on abort and on timeout, a stop that fails, and starts that must never be sent twice.
 */
import { type Emulator, type OnStartRuleInput, startEmulator } from '@jobgate/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  createClient,
  getJobState,
  HuaweiCloudError,
  InputError,
  JobFailedError,
  type JobGateClient,
  type JobStartSpec,
  NetworkError,
  type RunEvent,
  type RunOptions,
  runJob,
  StartOutcomeUnknownError,
  StopFailedError,
  startJob,
  stopJob,
  WaitTimeoutError,
} from '../src/index.js';

const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';
/** Emulator minutes pass in a tenth of a second: every wait here takes well under a second. */
const FAST: RunOptions = { intervalMs: 20, maxIntervalMs: 100, timeoutMs: 10_000 };

let emulator: Emulator;
let client: JobGateClient;
const clients: JobGateClient[] = [];

function clientWith(http: NonNullable<Parameters<typeof createClient>[0]>['http'] = {}) {
  const { accessKey, secretKey, projectId } = emulator.credentials;
  const c = createClient({
    endpoint: emulator.url,
    projectId,
    credentials: { accessKey, secretKey },
    env: {},
    http: { baseDelayMs: 5, maxDelayMs: 20, ...http },
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 600, seed: 5 });
  client = clientWith();
});
afterEach(() => emulator.admin.reset());
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await emulator.close();
});

/** The requests that reached a path ending (method and last segments), in order. */
const requestsTo = (method: string, ending: string) =>
  emulator.admin.requests().filter((r) => r.method === method && r.path.endsWith(ending));

const outcome = <T>(promise: Promise<T>): Promise<unknown> =>
  promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => error,
  );

interface Case {
  spec: JobStartSpec;
  until?: 'running' | 'finished';
  /** A lifecycle that makes the start fail, for the failing run. */
  failing: OnStartRuleInput;
  ok: { phase: string; status: string };
  failed: string;
}

const CASES: Record<string, Case> = {
  'dli-sql': {
    spec: { kind: 'dli-sql', sql: 'INSERT INTO dws.daily SELECT * FROM ods.orders', queue: 'jobgate_queue' },
    failing: {
      kind: 'dli-sql',
      statement: 'ods\\.orders',
      steps: [
        { status: 'LAUNCHING', durationMs: 5_000 },
        { status: 'FAILED', message: 'DLI.0005: no table' },
      ],
    },
    ok: { phase: 'succeeded', status: 'FINISHED' },
    failed: 'FAILED',
  },
  'dli-flink': {
    spec: { kind: 'dli-flink', jobId: 10003, resumeSavepoint: true },
    until: 'running',
    failing: {
      kind: 'dli-flink',
      steps: [{ status: 'job_submitting', durationMs: 5_000 }, { status: 'job_submit_fail' }],
    },
    ok: { phase: 'running', status: 'job_running' },
    failed: 'job_submit_fail',
  },
  'dataarts-realtime': {
    spec: { kind: 'dataarts-realtime', jobName: 'realtime_fraud_rules', jobParams: { threshold: '0.9' } },
    until: 'running',
    failing: {
      kind: 'dataarts-realtime',
      steps: [{ status: 'STARTING', durationMs: 5_000 }, { status: 'EXCEPTION' }],
    },
    ok: { phase: 'running', status: 'NORMAL' },
    failed: 'EXCEPTION',
  },
  'dataarts-batch': {
    spec: {
      kind: 'dataarts-batch',
      jobName: 'daily_sales_report',
      jobParams: [{ name: 'day', value: '2026-12-01' }],
    },
    failing: {
      kind: 'dataarts-batch',
      steps: [{ status: 'running', durationMs: 5_000 }, { status: 'fail' }],
    },
    ok: { phase: 'succeeded', status: 'success' },
    failed: 'fail',
  },
  cdm: {
    spec: { kind: 'cdm', clusterId: CLUSTER, jobName: 'mysql2obs', variables: { day: '2026-12-01' } },
    failing: {
      kind: 'cdm',
      steps: [
        { status: 'BOOTING', durationMs: 5_000 },
        { status: 'FAILED', errorSummary: 'no route' },
      ],
    },
    ok: { phase: 'succeeded', status: 'SUCCEEDED' },
    failed: 'FAILED',
  },
};

describe('runJob: start, wait, verdict, for every kind', () => {
  for (const [kind, c] of Object.entries(CASES)) {
    it(`${kind}: a start that succeeds passes, with events from start to end`, async () => {
      const events: RunEvent['type'][] = [];
      const state = await runJob(client, c.spec, {
        ...FAST,
        ...(c.until ? { until: c.until } : {}),
        onUpdate: (e) => events.push(e.type),
      });
      expect(state).toMatchObject({ kind, ...c.ok });
      expect(events[0]).toBe('started');
      expect(events).toContain('state');
      // The started job is the emulator's, and listed like the scenario's.
      expect(emulator.admin.jobs().some((j) => j.kind === kind && j.status === c.ok.status)).toBe(true);
    });

    it(`${kind}: a start whose job fails rejects with JobFailedError`, async () => {
      emulator.admin.addOnStart(c.failing);
      const error = await outcome(
        runJob(client, c.spec, { ...FAST, ...(c.until ? { until: c.until } : {}) }),
      );
      expect(error).toBeInstanceOf(JobFailedError);
      expect((error as JobFailedError).state).toMatchObject({ kind, status: c.failed, phase: 'failed' });
    });
  }

  it('a DDL statement is final when its submit answers: no wait, no status read', async () => {
    const state = await runJob(client, { kind: 'dli-sql', sql: 'CREATE TABLE t (a INT)' }, FAST);
    expect(state).toMatchObject({ kind: 'dli-sql', phase: 'succeeded', status: 'FINISHED', progress: 1 });
    expect(emulator.admin.requests().map((r) => r.route)).toEqual(['dli.sql.submit']);
  });

  it('a DDL statement that fails fails the start, with the service message', async () => {
    emulator.admin.addOnStart({
      kind: 'dli-sql',
      statement: '^\\s*drop',
      steps: [{ status: 'FAILED', message: 'Table t is in use' }],
    });
    const error = await outcome(runJob(client, { kind: 'dli-sql', sql: 'DROP TABLE t' }, FAST));
    expect(error).toBeInstanceOf(HuaweiCloudError);
    expect((error as Error).message).toContain('Table t is in use');
  });

  it('waits on a batch run without starting it, given its instance id', async () => {
    const { waitForJob } = await import('../src/index.js');
    const state = await waitForJob(
      client,
      { kind: 'dataarts-batch', jobName: 'daily_sales_report', instanceId: '1001' },
      FAST,
    );
    expect(state).toMatchObject({ phase: 'succeeded', status: 'success', progress: 1 });
    expect(state.details?.[0]).toMatchObject({
      title: 'Nodes',
      columns: ['node', 'type', 'status', 'rows read', 'retries'],
    });
    expect(state.details?.[0]?.rows.map((r) => r[0])).toEqual(['extract_orders', 'load_dws']);
  });
});

describe('stopping', () => {
  const longSql: OnStartRuleInput = {
    kind: 'dli-sql',
    statement: 'long_running',
    steps: [{ status: 'RUNNING', durationMs: 3_600_000, progress: 0.1 }, { status: 'FINISHED' }],
  };

  it('an abort mid-wait stops the job: the stop is in the request log, and the job ends cancelled', async () => {
    emulator.admin.addOnStart(longSql);
    const controller = new AbortController();
    const events: RunEvent[] = [];
    const run = outcome(
      runJob(
        client,
        { kind: 'dli-sql', sql: 'SELECT * FROM long_running' },
        {
          ...FAST,
          signal: controller.signal,
          onUpdate: (e) => {
            events.push(e);
            if (e.type === 'state') controller.abort(new Error('workflow cancelled'));
          },
        },
      ),
    );
    const error = await run;
    expect(error).toBeInstanceOf(AbortError);
    expect(events.map((e) => e.type)).toEqual(['started', 'state', 'stopping', 'stopped']);
    const ref = (events[0] as Extract<RunEvent, { type: 'started' }>).ref;
    expect(requestsTo('DELETE', `/jobs/${(ref as { jobId: string }).jobId}`)).toHaveLength(1);
    expect(await getJobState(client, ref)).toMatchObject({ phase: 'cancelled', status: 'CANCELLED' });
  });

  it('a Flink job stopped on abort ends job_cancel_success', async () => {
    const controller = new AbortController();
    const error = await outcome(
      runJob(
        client,
        { kind: 'dli-flink', jobId: 10003 },
        {
          ...FAST,
          until: 'finished',
          signal: controller.signal,
          stop: { triggerSavepoint: true },
          onUpdate: (e) => e.type === 'state' && e.state.status === 'job_running' && controller.abort(),
        },
      ),
    );
    expect(error).toBeInstanceOf(AbortError);
    expect(requestsTo('POST', '/streaming/jobs/stop')).toHaveLength(1);
    emulator.admin.advanceClock(10_000);
    expect(await getJobState(client, { kind: 'dli-flink', jobId: 10003 })).toMatchObject({
      phase: 'cancelled',
      status: 'job_cancel_success',
    });
  });

  it('stops on the wait timeout when stopOnTimeout is set, and only then', async () => {
    emulator.admin.addOnStart(longSql);
    const spec: JobStartSpec = { kind: 'dli-sql', sql: 'SELECT 1 FROM long_running' };
    const kept = await outcome(runJob(client, spec, { ...FAST, timeoutMs: 150 }));
    expect(kept).toBeInstanceOf(WaitTimeoutError);
    expect(emulator.admin.requests().some((r) => r.method === 'DELETE')).toBe(false);
    const stopped = await outcome(runJob(client, spec, { ...FAST, timeoutMs: 150, stopOnTimeout: true }));
    expect(stopped).toBeInstanceOf(WaitTimeoutError);
    expect(emulator.admin.requests().filter((r) => r.method === 'DELETE')).toHaveLength(1);
  });

  it('a stop that fails is reported with the reason to stop, never a pass', async () => {
    emulator.admin.addOnStart(longSql);
    emulator.admin.addFaults({ type: '500', match: { method: 'DELETE' } });
    const controller = new AbortController();
    const error = await outcome(
      runJob(
        client,
        { kind: 'dli-sql', sql: 'SELECT 2 FROM long_running' },
        {
          ...FAST,
          signal: controller.signal,
          onUpdate: (e) => e.type === 'state' && controller.abort(),
        },
      ),
    );
    expect(error).toBeInstanceOf(StopFailedError);
    expect((error as StopFailedError).reason).toBeInstanceOf(AbortError);
    expect((error as StopFailedError).cause).toBeInstanceOf(HuaweiCloudError);
    expect((error as Error).message).toMatch(
      /aborted; stopping dli-sql job jobId=\S+ failed, so it may still be running/,
    );
  });

  it("each service's refusals: cancelling a finished SQL job, running a running Flink job, stopping a CDM job that is not running, an unknown run", async () => {
    const ref = await startJob(client, { kind: 'dli-sql', sql: 'CREATE TABLE u (a INT)' });
    const errors = await Promise.all([
      outcome(stopJob(client, ref)),
      outcome(startJob(client, { kind: 'dli-flink', jobId: 10001 })),
      outcome(stopJob(client, { kind: 'cdm', clusterId: CLUSTER, jobName: 'mysql2obs' })),
      outcome(stopJob(client, { kind: 'dataarts-batch', jobName: 'daily_sales_report', instanceId: 999 })),
      outcome(startJob(client, { kind: 'dataarts-batch', jobName: 'no_such_job' })),
    ]);
    expect(errors.map((e) => (e instanceof HuaweiCloudError ? e.code : e))).toEqual([
      'DLI.REQUEST_FAILED',
      'DLI.REQUEST_FAILED',
      'Cdm.STOP_REFUSED',
      'DLF.0137',
      'DLF.0100',
    ]);
    expect((errors[0] as Error).message).toContain('cannot be cancelled');
    expect((errors[1] as Error).message).toContain('is running and cannot be started again');
    expect((errors[2] as Error).message).toContain('is not running');
  });
});

describe('a start is sent once', () => {
  const sqlJobs = () => emulator.admin.jobs().filter((j) => j.kind === 'dli-sql').length;

  it('a start answered 429 is retried, and one job is created', async () => {
    const before = sqlJobs();
    emulator.admin.addFaults({
      type: '429',
      count: 1,
      retryAfterSeconds: 0,
      match: { path: '/jobs/submit-job' },
    });
    const ref = await startJob(clientWith({ maxRetryAfterMs: 0 }), { kind: 'dli-sql', sql: 'SELECT 3' });
    expect(ref).toMatchObject({ kind: 'dli-sql' });
    expect(requestsTo('POST', '/jobs/submit-job').map((r) => r.status)).toEqual([429, 200]);
    expect(sqlJobs()).toBe(before + 1);
  });

  it('a start whose answer never comes (the request was sent) is not retried: at most one job', async () => {
    const before = sqlJobs();
    emulator.admin.addFaults({
      type: 'latency',
      latencyMs: 600,
      count: 1,
      match: { path: '/jobs/submit-job' },
    });
    const error = await outcome(
      startJob(clientWith({ timeoutMs: 150 }), { kind: 'dli-sql', sql: 'SELECT 4' }),
    );
    expect(error).toBeInstanceOf(StartOutcomeUnknownError);
    expect((error as Error).message).toMatch(/may have reached the service, so it was not sent again/);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(requestsTo('POST', '/jobs/submit-job')).toHaveLength(1);
    // The service did act on it: one job, never two.
    expect(sqlJobs()).toBe(before + 1);
  });

  it('a start whose connection drops after the request was sent is not retried', async () => {
    emulator.admin.addFaults({ type: 'drop', count: 1, match: { path: '/run-immediate' } });
    const error = await outcome(startJob(client, { kind: 'dataarts-batch', jobName: 'daily_sales_report' }));
    expect(error).toBeInstanceOf(StartOutcomeUnknownError);
    expect(requestsTo('POST', '/run-immediate')).toHaveLength(1);
    expect(emulator.admin.jobs().filter((j) => j.kind === 'dataarts-batch')).toHaveLength(1);
  });

  it('a start answered 503 is not retried either', async () => {
    emulator.admin.addFaults({ type: '503', count: 1, match: { path: '/cdm/job/mysql2obs/start' } });
    const error = await outcome(startJob(client, { kind: 'cdm', clusterId: CLUSTER, jobName: 'mysql2obs' }));
    expect(error).toBeInstanceOf(StartOutcomeUnknownError);
    expect(requestsTo('PUT', '/start')).toHaveLength(1);
  });

  it('a start whose connection is refused (nothing was sent) is retried', async () => {
    const retries: number[] = [];
    const { accessKey, secretKey, projectId } = emulator.credentials;
    const closed = createClient({
      endpoint: 'http://127.0.0.1:9',
      projectId,
      credentials: { accessKey, secretKey },
      env: {},
      http: {
        baseDelayMs: 1,
        maxDelayMs: 2,
        maxAttempts: 3,
        onEvent: (e) => e.type === 'retry' && retries.push(e.attempt),
      },
    });
    clients.push(closed);
    const error = await outcome(startJob(closed, { kind: 'dli-flink', jobId: 10003 }));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).code).toBe('ECONNREFUSED');
    expect(retries).toEqual([1, 2]);
  });
});

describe('every start-spec field is checked before any request', () => {
  const BAD: Array<[JobStartSpec | Record<string, unknown>, string, RegExp]> = [
    [{ kind: 'dli-sql', sql: '   ' }, 'sql', /empty/],
    [{ kind: 'dli-sql' }, 'sql', /expected a SQL statement/],
    [{ kind: 'dli-sql', sql: 'x'.repeat(1_000_001) }, 'sql', /at most 1000000 bytes/],
    [{ kind: 'dli-sql', sql: 'SELECT 1', conf: ['spark.sql.shuffle.partitions'] }, 'conf.0', /key=value/],
    [{ kind: 'dli-sql', sql: 'SELECT 1', conf: 'a=b' }, 'conf', /key=value/],
    [
      { kind: 'dli-sql', sql: 'SELECT 1', conf: Array.from({ length: 101 }, (_, i) => `k${i}=v`) },
      'conf',
      /at most 100/,
    ],
    [{ kind: 'dli-sql', sql: 'SELECT 1', queue: '' }, 'queue', /queue name/],
    [{ kind: 'dli-sql', sql: 'SELECT 1', database: 'd'.repeat(129) }, 'database', /at most 128/],
    [
      { kind: 'dli-sql', sql: 'SELECT 1', tags: [{ key: '', value: 'v' }] },
      'tags.0.key',
      /expected a tag key/,
    ],
    [{ kind: 'dli-sql', sql: 'SELECT 1', engineType: 'presto' }, 'engineType', /spark.*hetuEngine/],
    [{ kind: 'dli-sql', sql: 'SELECT 1', statement: 'typo' }, 'statement', /not a field of a DLI SQL job/],
    [{ kind: 'dli-flink', jobId: 'abc' }, 'jobId', /integer Flink job id/],
    [{ kind: 'dli-flink', jobId: 10003, resumeSavepoint: 'maybe' }, 'resumeSavepoint', /boolean/],
    [{ kind: 'dataarts-realtime', jobName: '' }, 'jobName', /non-empty job name/],
    [{ kind: 'dataarts-realtime', jobName: 'j', workspace: 'a b' }, 'workspace', /visible ASCII/],
    [
      { kind: 'dataarts-realtime', jobName: 'j', jobParams: { ['n'.repeat(65)]: 'v' } },
      'jobParams.0.name',
      /at most 64/,
    ],
    [
      {
        kind: 'dataarts-batch',
        jobName: 'j',
        jobParams: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}`, 'v'])),
      },
      'jobParams',
      /at most 100 parameters/,
    ],
    [
      { kind: 'dataarts-batch', jobName: 'j', jobParams: [{ name: 'a', value: 'x'.repeat(1025) }] },
      'jobParams.0.value',
      /at most 1024/,
    ],
    [
      { kind: 'dataarts-batch', jobName: 'j', jobParams: [{ name: 'a', value: 'b', type: 'secret' }] },
      'jobParams.0.type',
      /variable.*constants/,
    ],
    [{ kind: 'cdm', clusterId: 'not a uuid!', jobName: 'j' }, 'clusterId', /letters, digits and hyphens/],
    [{ kind: 'cdm', clusterId: CLUSTER, jobName: 'j', variables: { a: 1 } }, 'variables.a', /text value/],
    [{ kind: 'cdm', clusterId: CLUSTER, jobName: 'j', variables: ['a'] }, 'variables', /name: value/],
    [{ kind: 'no-such-kind' }, 'kind', /unknown job kind/],
  ];

  it('with an InputError naming the field, and nothing sent', async () => {
    const problems: string[] = [];
    for (const [spec, field, message] of BAD) {
      const error = await outcome(startJob(client, spec as JobStartSpec));
      const ok = error instanceof InputError && error.field === field && message.test(error.message);
      if (!ok) problems.push(`${JSON.stringify(spec).slice(0, 80)}: ${String(error)}`);
    }
    expect(problems).toEqual([]);
    expect(emulator.admin.requests()).toEqual([]);
  });

  it('runJob checks its stop options and wait options before anything starts', async () => {
    const spec: JobStartSpec = { kind: 'dli-flink', jobId: 10003 };
    const errors = await Promise.all([
      outcome(runJob(client, spec, { stop: { triggerSavepoint: 'yes please' } })),
      outcome(runJob(client, spec, { stop: { force: true } })),
      outcome(runJob(client, spec, { intervalMs: -1 })),
      outcome(runJob(client, spec, { stopTimeoutMs: 0 })),
    ]);
    expect(errors.map((e) => (e instanceof InputError ? e.field : e))).toEqual([
      'triggerSavepoint',
      'force',
      'intervalMs',
      'stopTimeoutMs',
    ]);
    expect(emulator.admin.requests()).toEqual([]);
  });
});
