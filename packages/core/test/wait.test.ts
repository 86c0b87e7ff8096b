import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AbortError,
  HuaweiCloudError,
  InputError,
  JobFailedError,
  type JobGateClient,
  type JobRef,
  type JobState,
  NetworkError,
  type Phase,
  PollSchedule,
  type WaitEvent,
  type WaitOptions,
  WaitTimeoutError,
  waitForJob,
} from '../src/index.js';
import {
  json,
  type RecordedRequest,
  startTestServer,
  type TestServer,
  testClient,
} from './support/server.js';

type Json = Record<string, unknown>;

const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Json;

const SQL_ID = '85798b38-ae44-48eb-bb90-7cf0dcdafe7b';
const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';
const FLINK_REF: JobRef = { kind: 'dli-flink', jobId: 104 };
const SQL_REF: JobRef = { kind: 'dli-sql', jobId: SQL_ID };
const CDM_REF: JobRef = { kind: 'cdm', clusterId: CLUSTER, jobName: 'jdbc2hive' };
const DATAARTS_REF: JobRef = { kind: 'dataarts-realtime', jobName: 'job_sms' };

/** Small intervals so that every wait here takes milliseconds. */
const FAST: WaitOptions = { intervalMs: 10, maxIntervalMs: 50, timeoutMs: 5_000 };

const flink = (status: string, statusDesc = ''): Json => {
  const body = fixture('dli-flink-detail-jar.json');
  return { ...body, job_detail: { ...(body.job_detail as Json), status, status_desc: statusDesc } };
};
const sql = (status: string, progress = 0, message = ''): Json => ({
  ...fixture('dli-sql-progress.json'),
  job_id: SQL_ID,
  status,
  progress,
  message,
});
const cdm = (status: string, extra: Json = {}): Json => ({
  submissions: [{ 'job-name': 'jdbc2hive', status, ...extra }],
});

type Reply = [status: number, body: unknown] | ((req: RecordedRequest, res: ServerResponse) => void);

let server: TestServer;
let client: JobGateClient;
const extraClients: JobGateClient[] = [];

/** The n-th request gets the n-th reply; the last one repeats. */
function script(...replies: Reply[]) {
  server.handle((req, res) => {
    const reply = replies[Math.min(server.requests.length - 1, replies.length - 1)];
    if (typeof reply === 'function') return reply(req, res);
    if (reply) return json(res, reply[0], reply[1]);
    json(res, 500, { error_code: 'TEST', error_msg: 'no reply scripted' });
  });
}

/**
 * Every client here states the key's rate: these waits poll every few milliseconds on one key, faster
 * than an unknown key's slow start (request-gate.test.ts) would let them out at first.
 */
const KNOWN_RATE = 1_000;

function clientWith(options: Parameters<typeof testClient>[1] = {}): JobGateClient {
  const c = testClient(server.url, { ...options, http: { rateLimit: KNOWN_RATE, ...options?.http } });
  extraClients.push(c);
  return c;
}

function recorder() {
  const events: WaitEvent[] = [];
  return { events, onUpdate: (e: WaitEvent) => void events.push(e) };
}

const outcome = <T>(promise: Promise<T>): Promise<unknown> =>
  promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => error,
  );

beforeAll(async () => {
  server = await startTestServer((_req, res) =>
    json(res, 500, { error_code: 'TEST', error_msg: 'no handler' }),
  );
  client = testClient(server.url, { http: { rateLimit: KNOWN_RATE } });
});

afterAll(async () => {
  await client.close();
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
});

afterEach(async () => {
  await Promise.all(extraClients.splice(0).map((c) => c.close()));
});

describe('waitForJob verdicts', () => {
  it('resolves when the job succeeds after a few polls, reporting each change and each unchanged read', async () => {
    script(
      [200, sql('LAUNCHING')],
      [200, sql('LAUNCHING')],
      [200, sql('RUNNING', 0.5)],
      [200, sql('RUNNING', 0.5)],
      [200, sql('FINISHED', 1)],
    );
    const { events, onUpdate } = recorder();
    const state = await waitForJob(client, SQL_REF, { ...FAST, onUpdate });

    expect(state).toMatchObject({ kind: 'dli-sql', phase: 'succeeded', status: 'FINISHED', progress: 1 });
    expect(server.requests).toHaveLength(5);
    expect(events.map((e) => e.type)).toEqual(['state', 'poll', 'state', 'poll', 'state']);
    const states = events.filter((e) => e.type === 'state');
    expect(states.map((e) => e.state.status)).toEqual(['LAUNCHING', 'RUNNING', 'FINISHED']);
    expect(states.map((e) => e.previous?.status)).toEqual([undefined, 'LAUNCHING', 'RUNNING']);
    expect(events.map((e) => e.polls)).toEqual([1, 2, 3, 4, 5]);
    expect(events.at(-1)).toMatchObject({ type: 'state', state: { phase: 'succeeded' } });

    await sleep(80);
    expect(server.requests).toHaveLength(5);
  });

  it('a progress change is a state event, not a poll', async () => {
    script([200, sql('RUNNING', 0.2)], [200, sql('RUNNING', 0.6)], [200, sql('FINISHED', 1)]);
    const { events, onUpdate } = recorder();
    await waitForJob(client, SQL_REF, { ...FAST, onUpdate });
    expect(events.map((e) => e.type)).toEqual(['state', 'state', 'state']);
    expect(events.map((e) => (e.type === 'transient-error' ? undefined : e.state.progress))).toEqual([
      0.2, 0.6, 1,
    ]);
  });

  it('rejects with JobFailedError carrying the failed state and the service message', async () => {
    script([200, cdm('RUNNING', { progress: 40 })], [200, fixture('cdm-job-status-failed.json')]);
    const error = await outcome(waitForJob(client, CDM_REF, FAST));
    expect(error).toBeInstanceOf(JobFailedError);
    const failed = error as JobFailedError;
    expect(failed.state.phase).toBe('failed');
    expect(failed.state.status).toBe('FAILED');
    expect(failed.state.message).toBe('Cdm.0517:Table does not exist.');
    expect(failed.message).toContain('Cdm.0517:Table does not exist.');
    expect(failed.message).toContain('FAILED');
    expect(server.requests).toHaveLength(2);
  });

  it('a Flink job that fails to submit rejects with its status_desc', async () => {
    script(
      [200, flink('job_submitting')],
      [200, flink('job_submit_fail', 'Queue flinktest is not available')],
    );
    const error = await outcome(waitForJob(client, FLINK_REF, FAST));
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).state.phase).toBe('failed');
    expect((error as JobFailedError).message).toContain('Queue flinktest is not available');
  });

  it('rejects with JobFailedError when the job is cancelled', async () => {
    script([200, sql('RUNNING', 0.1)], [200, sql('CANCELLED', 0.1)]);
    const error = await outcome(waitForJob(client, SQL_REF, FAST));
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).state.phase).toBe('cancelled');
    expect((error as JobFailedError).state.status).toBe('CANCELLED');
    expect((error as JobFailedError).message).toMatch(/cancelled/);
  });

  it.each([
    ['cdm UNKNOWN', CDM_REF, [200, cdm('UNKNOWN')], 'UNKNOWN'],
    ['cdm made-up status', CDM_REF, [200, cdm('ALMOST_DONE')], 'ALMOST_DONE'],
    ['dli-flink made-up status', FLINK_REF, [200, flink('job_mystery')], 'job_mystery'],
    ['dli-sql made-up status', SQL_REF, [200, sql('DONE', 1)], 'DONE'],
    ['dataarts empty status', DATAARTS_REF, [200, { name: 'job_sms', status: '' }], ''],
  ] as Array<[string, JobRef, Reply, string]>)(
    '%s stays unknown until the timeout, never a success',
    async (_name, ref, reply, status) => {
      script(reply);
      const { events, onUpdate } = recorder();
      const error = await outcome(waitForJob(client, ref, { ...FAST, timeoutMs: 150, onUpdate }));
      expect(error).toBeInstanceOf(WaitTimeoutError);
      const timeout = error as WaitTimeoutError;
      expect(timeout.state?.phase).toBe('unknown');
      expect(timeout.state?.status).toBe(status);
      expect(timeout.message).toContain(`last status ${status} (unknown`);
      expect(timeout.timeoutMs).toBe(150);
      // It kept polling while unknown.
      expect(server.requests.length).toBeGreaterThan(1);
      expect(events.every((e) => e.type !== 'transient-error' && e.state.phase === 'unknown')).toBe(true);
    },
  );

  it('times out with no state when the first answer never comes', async () => {
    const hanging: ServerResponse[] = [];
    script((_req, res) => void hanging.push(res));
    const error = await outcome(waitForJob(client, CDM_REF, { ...FAST, timeoutMs: 100 }));
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).state).toBeUndefined();
    expect((error as WaitTimeoutError).message).toContain('no state read yet');
    for (const res of hanging) res.destroy();
  });
});

describe('transient and permanent errors', () => {
  const unavailable = (n: number): Reply => [503, { error_code: 'APIG.0503', error_msg: `busy #${n}` }];

  it('two transient failures (HTTP retries off) then success: resolves, reporting two transient errors', async () => {
    const noRetry = clientWith({ http: { maxAttempts: 1 } });
    script(unavailable(1), unavailable(2), [200, cdm('SUCCEEDED', { progress: 100 })]);
    const { events, onUpdate } = recorder();
    const state = await waitForJob(noRetry, CDM_REF, { ...FAST, onUpdate });
    expect(state.phase).toBe('succeeded');
    expect(server.requests).toHaveLength(3);
    expect(events.map((e) => e.type)).toEqual(['transient-error', 'transient-error', 'state']);
    const transient = events.filter((e) => e.type === 'transient-error');
    expect(transient.map((e) => e.consecutive)).toEqual([1, 2]);
    expect(transient.map((e) => e.budget)).toEqual([5, 5]);
    expect(transient[0]?.error).toBeInstanceOf(HuaweiCloudError);
    expect(transient[1]?.error).toMatchObject({ status: 503 });
  });

  it('a plain 500 and a reset connection are transient for the wait', async () => {
    const noRetry = clientWith({ http: { maxAttempts: 1 } });
    script(
      [500, { error_code: 'DLI.0999', error_msg: 'Internal error' }],
      (_req, res) => res.socket?.destroy(),
      [200, flink('job_running')],
    );
    const { events, onUpdate } = recorder();
    const state = await waitForJob(noRetry, FLINK_REF, { ...FAST, until: 'running', onUpdate });
    expect(state.status).toBe('job_running');
    const transient = events.filter((e) => e.type === 'transient-error');
    expect(transient).toHaveLength(2);
    expect(transient[1]?.error).toBeInstanceOf(NetworkError);
  });

  it('the consecutive count restarts after a good read', async () => {
    const noRetry = clientWith({ http: { maxAttempts: 1 } });
    script(unavailable(1), [200, sql('RUNNING')], unavailable(3), unavailable(4), [200, sql('FINISHED', 1)]);
    const { events, onUpdate } = recorder();
    await waitForJob(noRetry, SQL_REF, { ...FAST, transientErrorBudget: 2, onUpdate });
    expect(events.flatMap((e) => (e.type === 'transient-error' ? [e.consecutive] : []))).toEqual([1, 1, 2]);
  });

  it('transient errors beyond the budget reject with the last error', async () => {
    const noRetry = clientWith({ http: { maxAttempts: 1 } });
    script(unavailable(1), unavailable(2), unavailable(3), unavailable(4), [200, cdm('SUCCEEDED')]);
    const error = await outcome(waitForJob(noRetry, CDM_REF, { ...FAST, transientErrorBudget: 2 }));
    expect(error).toBeInstanceOf(HuaweiCloudError);
    expect((error as HuaweiCloudError).status).toBe(503);
    expect((error as HuaweiCloudError).message).toContain('busy #3');
    expect(server.requests).toHaveLength(3);
    await sleep(60);
    expect(server.requests).toHaveLength(3);
  });

  it.each([
    [
      '404 DLI.0002 not found',
      SQL_REF,
      404,
      { error_code: 'DLI.0002', error_msg: 'The job does not exist.' },
      'DLI.0002',
    ],
    [
      '401 APIG.0301 auth failed',
      FLINK_REF,
      401,
      { error_code: 'APIG.0301', error_msg: 'Incorrect IAM authentication information' },
      'APIG.0301',
    ],
    ['400 DLF.0100 job does not exist', DATAARTS_REF, 400, fixture('dataarts-error.json'), 'DLF.0100'],
    [
      '400 Cdm.0100 job does not exist',
      CDM_REF,
      400,
      { errCode: 'Cdm.0100', externalMessage: 'Job jdbc2hive does not exist.' },
      'Cdm.0100',
    ],
  ] as Array<[string, JobRef, number, Json, string]>)(
    '%s ends the wait at once, after exactly one request',
    async (_name, ref, status, body, code) => {
      // The default test client: the HTTP layer's retries are on, and must not apply.
      script([status, body], [200, cdm('SUCCEEDED')]);
      const { events, onUpdate } = recorder();
      const error = await outcome(waitForJob(client, ref, { ...FAST, onUpdate }));
      expect(error).toBeInstanceOf(HuaweiCloudError);
      expect((error as HuaweiCloudError).code).toBe(code);
      expect((error as HuaweiCloudError).status).toBe(status);
      expect(server.requests).toHaveLength(1);
      expect(events).toEqual([]);
      await sleep(40);
      expect(server.requests).toHaveLength(1);
    },
  );
});

describe("until: 'running'", () => {
  it('a Flink job going job_submitting → job_running resolves at job_running', async () => {
    script([200, flink('job_submitting')], [200, flink('job_submitting')], [200, flink('job_running')]);
    const state = await waitForJob(client, FLINK_REF, { ...FAST, until: 'running' });
    expect(state.phase).toBe('running');
    expect(state.status).toBe('job_running');
    expect(server.requests).toHaveLength(3);
    await sleep(60);
    expect(server.requests).toHaveLength(3);
  });

  it('a Flink job going to job_running_exception rejects', async () => {
    script(
      [200, flink('job_submitting')],
      [200, flink('job_running_exception', 'Checkpoint storage unreachable')],
    );
    const error = await outcome(waitForJob(client, FLINK_REF, { ...FAST, until: 'running' }));
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).state.status).toBe('job_running_exception');
    expect((error as JobFailedError).state.phase).toBe('failed');
  });

  it('a job that has already ended, even cleanly, is not running: the wait fails rather than passes', async () => {
    script([200, flink('job_submitting')], [200, flink('job_finish')]);
    const error = await outcome(waitForJob(client, FLINK_REF, { ...FAST, until: 'running' }));
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).state).toMatchObject({ phase: 'succeeded', status: 'job_finish' });
    expect((error as JobFailedError).message).toMatch(/ended succeeded \(status job_finish\)/);
  });

  it("the query's own success message is never shown as the job's message", async () => {
    script([200, flink('job_submit_fail')]);
    const error = await outcome(waitForJob(client, FLINK_REF, FAST));
    expect((error as JobFailedError).state.message).toBeUndefined();
    expect((error as JobFailedError).message).not.toMatch(/succeeds/);
  });

  it("with until 'finished', a running Flink job keeps being polled until the timeout", async () => {
    script([200, flink('job_running')]);
    const error = await outcome(
      waitForJob(client, FLINK_REF, { ...FAST, until: 'finished', timeoutMs: 150 }),
    );
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).state?.phase).toBe('running');
    expect((error as WaitTimeoutError).message).toContain('job_running');
    expect(server.requests.length).toBeGreaterThan(2);
  });
});

describe('abort', () => {
  it('an AbortSignal fired mid-wait rejects quickly with AbortError and stops polling', async () => {
    script([200, cdm('RUNNING')]);
    const controller = new AbortController();
    let abortedAt = 0;
    const onUpdate = (e: WaitEvent) => {
      if (e.polls === 2)
        setTimeout(() => {
          abortedAt = Date.now();
          controller.abort(new Error('stopped by the user'));
        }, 5);
    };
    const error = await outcome(
      waitForJob(client, CDM_REF, { ...FAST, timeoutMs: 10_000, signal: controller.signal, onUpdate }),
    );
    const rejectedAt = Date.now();
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).name).toBe('AbortError');
    expect((error as AbortError).message).toContain('stopped by the user');
    expect(abortedAt).toBeGreaterThan(0);
    // Generous: the point is "not after the 10 s timeout".
    expect(rejectedAt - abortedAt).toBeLessThan(1_000);
    const count = server.requests.length;
    expect(count).toBeGreaterThanOrEqual(2);
    await sleep(100);
    expect(server.requests).toHaveLength(count);
  });

  it('an abort during a long pause between polls rejects at once, not at the next poll', async () => {
    script([200, cdm('RUNNING')]);
    const controller = new AbortController();
    const onUpdate = () => void setTimeout(() => controller.abort(), 10);
    const wait = outcome(
      waitForJob(client, CDM_REF, {
        intervalMs: 5_000,
        maxIntervalMs: 5_000,
        timeoutMs: 15_000,
        signal: controller.signal,
        onUpdate,
      }),
    );
    // The next poll is 5 s away; the abort must not wait for it.
    const error = await Promise.race([wait, sleep(2_000, 'still sleeping')]);
    expect(error).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(1);
  });

  it('the timeout also cuts a long pause short', async () => {
    script([200, cdm('RUNNING')]);
    const wait = outcome(waitForJob(client, CDM_REF, { intervalMs: 5_000, timeoutMs: 100 }));
    const error = await Promise.race([wait, sleep(2_000, 'still sleeping')]);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).state?.status).toBe('RUNNING');
    expect(server.requests).toHaveLength(1);
  });

  it('many waits sharing one signal add no listener to it, and all end when it fires', async () => {
    script([200, cdm('RUNNING')]);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const controller = new AbortController();
      let reads = 0;
      const onUpdate = () => {
        if (++reads === 40) controller.abort();
      };
      const errors = await Promise.all(
        Array.from({ length: 20 }, () =>
          outcome(waitForJob(client, CDM_REF, { ...FAST, signal: controller.signal, onUpdate })),
        ),
      );
      for (const error of errors) expect(error).toBeInstanceOf(AbortError);
      await sleep(10);
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a signal already aborted rejects without a request', async () => {
    script([200, cdm('RUNNING')]);
    const error = await outcome(waitForJob(client, CDM_REF, { ...FAST, signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(0);
  });

  it('a request hanging on the server is abandoned when the signal fires', async () => {
    // A client whose own request timeout is far away, so only the signal can end the request.
    const patient = clientWith({ http: { timeoutMs: 15_000 } });
    let closedEarly = false;
    script([200, cdm('RUNNING')], (_req, res) => {
      res.on('close', () => {
        closedEarly = !res.writableEnded;
      });
    });
    const controller = new AbortController();
    const wait = outcome(
      waitForJob(patient, CDM_REF, { ...FAST, timeoutMs: 15_000, signal: controller.signal }),
    );
    await vi.waitFor(() => expect(server.requests).toHaveLength(2), { timeout: 2_000, interval: 5 });
    controller.abort();
    const error = await Promise.race([wait, sleep(2_000, 'still waiting')]);
    expect(error).toBeInstanceOf(AbortError);
    // The server saw the client give the request up.
    await vi.waitFor(() => expect(closedEarly).toBe(true), { timeout: 2_000, interval: 5 });
    await sleep(60);
    expect(server.requests).toHaveLength(2);
  });
});

describe('waits that start together', () => {
  it('spread their first reads over the first interval; a wait that starts alone reads at once', async () => {
    const arrivals: number[] = [];
    server.handle((_req, res) => {
      arrivals.push(performance.now());
      json(res, 200, sql('FINISHED', 1));
    });
    const started = performance.now();
    const options = { intervalMs: 400, maxIntervalMs: 400, timeoutMs: 5_000 };
    await Promise.all(Array.from({ length: 40 }, () => waitForJob(client, SQL_REF, options)));
    const offsets = arrivals.map((t) => t - started).sort((a, b) => a - b);
    expect(offsets).toHaveLength(40);
    // The first goes at once; the others land across the interval, not in the same millisecond.
    expect(offsets[0]).toBeLessThan(100);
    expect(offsets.filter((t) => t < 100).length).toBeLessThan(25);
    expect(offsets.filter((t) => t >= 200).length).toBeGreaterThan(5);
    expect(offsets.at(-1)).toBeLessThan(400 + 300);
    // Alone again (the others had their first read): no delay.
    const alone = performance.now();
    await waitForJob(client, SQL_REF, options);
    expect((arrivals.at(-1) as number) - alone).toBeLessThan(100);
  });
});

describe('bad options and refs', () => {
  it.each([
    ['timeoutMs', { timeoutMs: -1 }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: Number.NaN }],
    ['intervalMs', { intervalMs: 0 }],
    ['until', { until: 'sometimes' as 'running' }],
    ['maxIntervalMs', { intervalMs: 100, maxIntervalMs: 50 }],
  ] as Array<[string, WaitOptions]>)('%s %j → InputError, no request', async (field, options) => {
    script([200, cdm('SUCCEEDED')]);
    const error = await outcome(waitForJob(client, CDM_REF, options));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).toBe(field);
    expect(server.requests).toHaveLength(0);
  });

  it('a bad ref → InputError naming the field, no request', async () => {
    script([200, flink('job_running')]);
    const error = await outcome(waitForJob(client, { kind: 'dli-flink', jobId: '12a' } as JobRef, FAST));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).toBe('jobId');
    expect(server.requests).toHaveLength(0);
  });

  it('a timeout longer than 2^31-1 ms does not fire at once', async () => {
    script([200, cdm('RUNNING')], [200, cdm('SUCCEEDED')]);
    const state = await waitForJob(client, CDM_REF, { ...FAST, timeoutMs: 2 ** 31 });
    expect(state.phase).toBe('succeeded');
  });
});

// ---------------------------------------------------------------------------
// PollSchedule: pure, fed with explicit `now` values.

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

function observed(progress?: number, status = 'RUNNING', phase: Phase = 'running'): JobState {
  return {
    kind: 'dli-sql',
    ref: { jobId: SQL_ID },
    phase,
    status,
    ...(progress === undefined ? {} : { progress }),
    observedAt: new Date(0).toISOString(),
    raw: null,
  };
}

/** The schedule aims a little past a predicted end: 5% of the minimum gap or 2% of the estimate, whichever is more. */
const aimed = (ms: number, min = 5 * SECOND) => Math.round(ms + Math.max(min * 0.05, ms * 0.02));

describe('PollSchedule', () => {
  it('the first delay is the minimum', () => {
    const schedule = new PollSchedule({ minIntervalMs: 5 * SECOND, maxIntervalMs: MINUTE });
    expect(schedule.next(observed(0), 0)).toBe(5 * SECOND);
  });

  it.each([
    // [min, max, expected]: 10% a minute, at 10% after one minute, 9 minutes remain.
    [5 * SECOND, 10 * MINUTE, aimed(9 * MINUTE)],
    [5 * SECOND, MINUTE, MINUTE],
    [10 * MINUTE, 20 * MINUTE, 10 * MINUTE],
  ])(
    'with steady progress, after two samples the delay is just past the predicted end, clamped to [%i, %i]',
    (min, max, expected) => {
      const schedule = new PollSchedule({ minIntervalMs: min, maxIntervalMs: max });
      schedule.next(observed(0), 0);
      expect(schedule.next(observed(0.1), MINUTE)).toBe(expected);
    },
  );

  it('near the end the delay is the predicted end, not the maximum', () => {
    const schedule = new PollSchedule({ minIntervalMs: 5 * SECOND, maxIntervalMs: MINUTE });
    schedule.next(observed(0), 0);
    expect(schedule.next(observed(0.1), MINUTE)).toBe(MINUTE);
    expect(schedule.next(observed(0.9), 9 * MINUTE)).toBe(MINUTE);
    // 95% at 9.5 minutes: the end is 30 s away.
    expect(schedule.next(observed(0.95), 9.5 * MINUTE)).toBe(aimed(30 * SECOND));
    // 99.9% at 9.99 minutes: the end is 0.6 s away, so the minimum.
    expect(schedule.next(observed(0.999), 599.4 * SECOND)).toBe(5 * SECOND);
  });

  it('without progress the gap grows from the minimum by the growth factor up to the maximum', () => {
    const schedule = new PollSchedule({ minIntervalMs: 1_000, maxIntervalMs: 5_000 });
    const delays: number[] = [];
    let now = 0;
    for (let i = 0; i < 7; i++) {
      const delay = schedule.next(observed(), now);
      delays.push(delay);
      now += delay;
    }
    expect(delays).toEqual([1_000, 1_500, 2_250, 3_375, 5_000, 5_000, 5_000]);
  });

  it('honours a custom growth factor', () => {
    const schedule = new PollSchedule({ minIntervalMs: 1_000, maxIntervalMs: 5_000, growth: 2 });
    expect([0, 1, 2, 3, 4].map((t) => schedule.next(observed(), t * 10_000))).toEqual([
      1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });

  it('drops back to the minimum on a status change, then grows again', () => {
    const schedule = new PollSchedule({ minIntervalMs: 1_000, maxIntervalMs: 5_000 });
    for (let i = 0; i < 5; i++) schedule.next(observed(undefined, 'LAUNCHING', 'pending'), i * 10_000);
    expect(schedule.next(observed(undefined, 'LAUNCHING', 'pending'), 50_000)).toBe(5_000);
    expect(schedule.next(observed(undefined, 'RUNNING', 'running'), 60_000)).toBe(1_000);
    expect(schedule.next(observed(undefined, 'RUNNING', 'running'), 61_000)).toBe(1_500);
  });

  it('a status change starts a new progress series', () => {
    const schedule = new PollSchedule({ minIntervalMs: 5 * SECOND, maxIntervalMs: 10 * MINUTE });
    schedule.next(observed(0, 'RUNNING'), 0);
    expect(schedule.next(observed(0.1, 'RUNNING'), MINUTE)).toBe(aimed(9 * MINUTE));
    // New status: no estimate from the old series.
    expect(schedule.next(observed(0.5, 'SCALING'), 2 * MINUTE)).toBe(5 * SECOND);
    // 0.5 → 0.6 in one minute: 4 minutes remain.
    expect(schedule.next(observed(0.6, 'SCALING'), 3 * MINUTE)).toBe(aimed(4 * MINUTE));
  });

  it('progress going backwards (below where the series began) restarts the estimate', () => {
    const schedule = new PollSchedule({ minIntervalMs: 5 * SECOND, maxIntervalMs: 10 * MINUTE });
    schedule.next(observed(0.2), 0);
    // 0.2 → 0.6 in one minute: one more minute.
    expect(schedule.next(observed(0.6), MINUTE)).toBe(aimed(MINUTE));
    // A new sub-job starts from 10%: the old rate says nothing about it.
    const afterReset = schedule.next(observed(0.1), 2 * MINUTE);
    expect(afterReset).toBeGreaterThanOrEqual(5 * SECOND);
    expect(afterReset).toBeLessThan(MINUTE);
    // 0.1 → 0.4 in one minute: 2 minutes remain (the old series would say 9).
    expect(schedule.next(observed(0.4), 3 * MINUTE)).toBe(aimed(2 * MINUTE));
  });

  it('progress going backwards restarts the estimate even when the series began at 0', () => {
    const schedule = new PollSchedule({ minIntervalMs: 5 * SECOND, maxIntervalMs: 10 * MINUTE });
    schedule.next(observed(0), 0);
    expect(schedule.next(observed(0.5), MINUTE)).toBe(aimed(MINUTE));
    const afterReset = schedule.next(observed(0.1), 2 * MINUTE);
    expect(afterReset).toBeGreaterThanOrEqual(5 * SECOND);
    expect(afterReset).toBeLessThan(MINUTE);
    // 0.1 → 0.4 in one minute: 2 minutes remain (the old series would say 4.5).
    expect(schedule.next(observed(0.4), 3 * MINUTE)).toBe(aimed(2 * MINUTE));
  });

  it('stalled progress never gives a delay outside [min, max]', () => {
    const schedule = new PollSchedule({ minIntervalMs: 5 * SECOND, maxIntervalMs: MINUTE });
    let now = 0;
    for (let i = 0; i < 20; i++) {
      const delay = schedule.next(observed(0.3), now);
      expect(delay).toBeGreaterThanOrEqual(5 * SECOND);
      expect(delay).toBeLessThanOrEqual(MINUTE);
      now += delay;
    }
  });
});

describe('request economy (fake clock)', () => {
  const MIN = 5 * SECOND;
  const MAX = MINUTE;

  /** Polls a job with steady progress lasting `duration` until a poll lands at or after its end. */
  function simulate(duration: number, nextDelay: (state: JobState, now: number) => number) {
    let now = 0;
    let polls = 0;
    for (;;) {
      polls++;
      const progress = Math.min(1, now / duration);
      if (now >= duration) return { polls, detectionDelay: now - duration };
      const delay = nextDelay(observed(progress), now);
      expect(delay).toBeGreaterThanOrEqual(MIN);
      expect(delay).toBeLessThanOrEqual(MAX);
      now += delay;
    }
  }

  it.each([10, 60])(
    'a %i-minute job takes at most a third of the polls of a fixed 5 s interval, and is seen ended within 5 s',
    (minutes) => {
      const duration = minutes * MINUTE;
      const schedule = new PollSchedule({ minIntervalMs: MIN, maxIntervalMs: MAX });
      const adaptive = simulate(duration, (state, now) => schedule.next(state, now));
      const fixed = simulate(duration, () => MIN);
      expect(fixed.polls).toBe(duration / MIN + 1);
      expect(adaptive.polls * 3).toBeLessThanOrEqual(fixed.polls);
      expect(adaptive.detectionDelay).toBeLessThanOrEqual(5 * SECOND);
      expect(adaptive.detectionDelay).toBeGreaterThanOrEqual(0);
    },
  );
});
