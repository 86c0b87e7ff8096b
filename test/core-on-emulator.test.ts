import { type Emulator, startEmulator } from '@jobgate/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CdmJobStatusResponse,
  createClient,
  FlinkJobDetailResponse,
  getJobState,
  HuaweiCloudError,
  JobFailedError,
  type JobGateClient,
  RealtimeJobStatusResponse,
  RequestTimeoutError,
  SqlJobProgressResponse,
  SqlJobStatusResponse,
  waitForJob,
} from '../packages/core/src/index.js';

// The core library against the emulator: real HTTP, real signatures, the documented shapes.
let emulator: Emulator;
const clients: JobGateClient[] = [];

const SQL_OK = '3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60';
const SQL_FAILS = '7a1b2c3d-4e5f-4a6b-9c8d-0e1f2a3b4c5d';
const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 60, seed: 11 });
});
afterEach(() => {
  emulator.admin.reset();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await emulator?.close();
});

function client(overrides: Parameters<typeof createClient>[0] = {}): JobGateClient {
  const { accessKey, secretKey, projectId } = emulator.credentials;
  const c = createClient({
    endpoint: emulator.url,
    projectId,
    credentials: { accessKey, secretKey },
    env: {},
    ...overrides,
    http: { baseDelayMs: 10, maxDelayMs: 100, ...overrides.http },
  });
  clients.push(c);
  return c;
}

describe('every API of the source documents', () => {
  it('DLI Flink job details', async () => {
    const body = await client().dli.getFlinkJobDetail(10001);
    expect(FlinkJobDetailResponse.safeParse(body).success).toBe(true);
    expect(body.job_detail).toMatchObject({ job_id: 10001, name: 'orders_enrich', status: 'job_submitting' });
  });

  it('DLI Flink job list, one page and every page', async () => {
    const c = client();
    const page = await c.dli.listFlinkJobs({ limit: 1, order: 'asc' });
    expect(page.job_list?.total_count).toBeGreaterThanOrEqual(2);
    expect(page.job_list?.jobs).toHaveLength(1);
    const running = await c.dli.listFlinkJobs({ status: 'job_submitting' });
    expect(running.job_list?.jobs?.every((j) => j.status === 'job_submitting')).toBe(true);
    const all: number[] = [];
    for await (const job of c.dli.listAllFlinkJobs({ limit: 1 })) all.push(job.job_id ?? -1);
    expect(all.sort()).toEqual([10001, 10002, 10003]);
  });

  it('DLI SQL job progress and status', async () => {
    const c = client();
    emulator.admin.advanceClock(60_000);
    const progress = await c.dli.getSqlJobProgress(SQL_OK);
    expect(SqlJobProgressResponse.safeParse(progress).success).toBe(true);
    expect(progress).toMatchObject({ is_success: true, job_id: SQL_OK, status: 'RUNNING' });
    expect(progress.sub_jobs?.length).toBeGreaterThan(0);
    const status = await c.dli.getSqlJobStatus(SQL_OK);
    expect(SqlJobStatusResponse.safeParse(status).success).toBe(true);
    expect(status.status).toBe('RUNNING');
  });

  it('DataArts real-time job status, with its nodes', async () => {
    const body = await client().dataarts.getRealtimeJobStatus('realtime_sms_alerts');
    expect(RealtimeJobStatusResponse.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({ name: 'realtime_sms_alerts', status: 'STARTING' });
    expect(body.nodes?.[0]?.name).toBe('MRS_Flink_Job_8635');
  });

  it('CDM job status', async () => {
    const body = await client().cdm.getJobStatus(CLUSTER, 'jdbc2hive');
    expect(CdmJobStatusResponse.safeParse(body).success).toBe(true);
    expect(body.submissions[0]).toMatchObject({ 'job-name': 'jdbc2hive', status: 'BOOTING' });
  });

  it("each service's not-found error", async () => {
    const c = client();
    const errors = await Promise.all([
      c.dli.getFlinkJobDetail(424242).catch((e) => e),
      c.dataarts.getRealtimeJobStatus('no_such_job').catch((e) => e),
      c.cdm.getJobStatus(CLUSTER, 'no_such_job').catch((e) => e),
    ]);
    expect(errors.map((e) => e instanceof HuaweiCloudError && e.code)).toEqual([
      'DLI.0002',
      'DLF.0100',
      'Cdm.0100',
    ]);
    expect(errors.every((e) => e.retryable === false && e.requestId)).toBe(true);
  });
});

describe('credentials', () => {
  it('temporary credentials with a security token, and an IAM token', async () => {
    const sts = emulator.scenario.credentials.find((c) => c.securityToken);
    const token = emulator.scenario.tokens?.[0];
    expect(sts && token).toBeTruthy();
    if (!sts?.securityToken || !token) return;
    const viaSts = client({
      credentials: { accessKey: sts.accessKey, secretKey: sts.secretKey, securityToken: sts.securityToken },
    });
    expect((await viaSts.dli.getFlinkJobDetail(10001)).job_detail?.job_id).toBe(10001);
    const viaToken = client({ credentials: { authToken: token.token } });
    expect((await viaToken.cdm.getJobStatus(CLUSTER, 'jdbc2hive')).submissions).toHaveLength(1);
  });

  it('a wrong secret key is refused once and never retried', async () => {
    const c = client({
      credentials: { accessKey: emulator.credentials.accessKey, secretKey: 'not-the-secret-key-000000' },
    });
    const error = await c.dli.getFlinkJobDetail(10001).catch((e) => e);
    expect(error).toMatchObject({ status: 401, code: 'APIG.0301', retryable: false });
    expect(emulator.admin.requests()).toHaveLength(1);
  });
});

describe('retries and faults', () => {
  it.each([
    ['429 with Retry-After', { type: '429', retryAfterSeconds: 0 }],
    ['502', { type: '502' }],
    ['503', { type: '503' }],
    ['504', { type: '504' }],
    ['a dropped connection', { type: 'drop' }],
    ['a truncated body', { type: 'truncate' }],
    ['a non-JSON page', { type: 'non-json' }],
  ])('survives %s', async (_name, fault) => {
    emulator.admin.addFaults({ ...fault, count: 2, match: { path: '/streaming/jobs/10001' } } as never);
    const body = await client().dli.getFlinkJobDetail(10001);
    expect(body.job_detail?.job_id).toBe(10001);
    const log = emulator.admin.requests();
    expect(log).toHaveLength(3);
    expect(log.at(-1)?.status).toBe(200);
  });

  it('times out a request held by latency, then succeeds once the latency is gone', async () => {
    emulator.admin.addFaults({
      type: 'latency',
      latencyMs: 5_000,
      count: 1,
      match: { path: '/streaming/jobs/10001' },
    } as never);
    // A second is plenty for an answer on a loaded machine, and far short of the held one.
    const c = client({ http: { timeoutMs: 1_000 } });
    const body = await c.dli.getFlinkJobDetail(10001);
    expect(body.job_detail?.job_id).toBe(10001);
    const strict = client({ http: { timeoutMs: 1_000, maxAttempts: 1 } });
    emulator.admin.addFaults({
      type: 'latency',
      latencyMs: 5_000,
      count: 1,
      match: { path: '/streaming/jobs/10001' },
    } as never);
    await expect(strict.dli.getFlinkJobDetail(10001)).rejects.toBeInstanceOf(RequestTimeoutError);
  });

  it('backs off under the per-key rate limit and still gets every answer', async () => {
    const limited = await startEmulator({
      scenario: { ...emulator.scenario, rateLimit: { perAkPerSecond: 5 } },
      seed: 3,
    });
    try {
      const { accessKey, secretKey, projectId } = limited.credentials;
      const c = createClient({
        endpoint: limited.url,
        projectId,
        credentials: { accessKey, secretKey },
        env: {},
        http: { maxAttempts: 6 },
      });
      clients.push(c);
      const answers = await Promise.all(Array.from({ length: 8 }, () => c.dli.getFlinkJobDetail(10001)));
      expect(answers.every((a) => a.job_detail?.job_id === 10001)).toBe(true);
      expect(limited.admin.requests().filter((r) => r.status === 429).length).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('a burst on a rate-limited key finds the limit with few 429s; a lone request leaves at once', async () => {
    const limited = await startEmulator({
      scenario: { ...emulator.scenario, rateLimit: { perAkPerSecond: 10 } },
      seed: 5,
    });
    try {
      const { accessKey, secretKey, projectId } = limited.credentials;
      const c = createClient({
        endpoint: limited.url,
        projectId,
        credentials: { accessKey, secretKey },
        env: {},
        http: { maxAttempts: 6 },
      });
      clients.push(c);
      const gate = c.transport.gate(new URL(limited.url).origin);
      await c.dli.getFlinkJobDetail(10001);
      expect(gate.delayed).toBe(0);
      // 30 more at once: slow start lets a few out, then paces them as the rate grows, so that the
      // gateway's window fills with one request on the wire, not the pool's 16.
      const answers = await Promise.all(Array.from({ length: 30 }, () => c.dli.getFlinkJobDetail(10001)));
      expect(answers.every((a) => a.job_detail?.job_id === 10001)).toBe(true);
      const log = limited.admin.requests();
      const throttled = log.filter((r) => r.status === 429).length;
      expect(log.length - throttled).toBe(31);
      expect(throttled).toBeGreaterThan(0);
      expect(throttled).toBeLessThanOrEqual(2);
    } finally {
      await limited.close();
    }
  });

  it('falls back to the SQL status API when progress answers DLI.0999', async () => {
    emulator.admin.addFaults({ type: 'dli-0999', match: { path: `/jobs/${SQL_OK}/progress` } } as never);
    emulator.admin.advanceClock(60_000);
    const state = await getJobState(client(), { kind: 'dli-sql', jobId: SQL_OK });
    expect(state).toMatchObject({ phase: 'running', status: 'RUNNING' });
    // Only this job's requests: a request held by an earlier test's latency may land in the log late.
    const own = emulator.admin.requests().filter((r) => r.path.includes(SQL_OK));
    expect(own.map((r) => r.path.split('/').slice(-1)[0])).toEqual(['progress', 'status']);
  });
});

describe('waiting on the default scenario', () => {
  it('a SQL job that finishes, with rising progress', async () => {
    const progress: number[] = [];
    const state = await waitForJob(
      client(),
      { kind: 'dli-sql', jobId: SQL_OK },
      {
        intervalMs: 100,
        maxIntervalMs: 1_000,
        timeoutMs: 20_000,
        onUpdate: (e) =>
          e.type === 'state' && e.state.progress !== undefined && progress.push(e.state.progress),
      },
    );
    expect(state).toMatchObject({ phase: 'succeeded', status: 'FINISHED', progress: 1 });
    expect(progress.length).toBeGreaterThanOrEqual(2);
  });

  it('a SQL job that fails, and a Flink job that ends in job_running_exception', async () => {
    const c = client();
    const options = { intervalMs: 100, maxIntervalMs: 1_000, timeoutMs: 20_000 };
    const sql = await waitForJob(c, { kind: 'dli-sql', jobId: SQL_FAILS }, options).catch((e) => e);
    expect(sql).toBeInstanceOf(JobFailedError);
    expect(sql.state.status).toBe('FAILED');
    const flink = await waitForJob(c, { kind: 'dli-flink', jobId: 10002 }, options).catch((e) => e);
    expect(flink).toBeInstanceOf(JobFailedError);
    expect(flink.state.status).toBe('job_running_exception');
  });

  it('a Flink job and a DataArts job until running; CDM jobs to success and to failure', async () => {
    const c = client();
    const options = { intervalMs: 100, maxIntervalMs: 1_000, timeoutMs: 20_000 };
    await expect(
      waitForJob(c, { kind: 'dli-flink', jobId: 10001 }, { ...options, until: 'running' }),
    ).resolves.toMatchObject({ status: 'job_running' });
    await expect(
      waitForJob(
        c,
        { kind: 'dataarts-realtime', jobName: 'realtime_sms_alerts' },
        { ...options, until: 'running' },
      ),
    ).resolves.toMatchObject({ status: 'NORMAL' });
    const ok = await waitForJob(c, { kind: 'cdm', clusterId: CLUSTER, jobName: 'jdbc2hive' }, options);
    expect(ok.details?.[0]?.title).toBe('Counters');
    const failed = await waitForJob(
      c,
      { kind: 'cdm', clusterId: CLUSTER, jobName: 'obs2dws' },
      options,
    ).catch((e) => e);
    expect(failed).toBeInstanceOf(JobFailedError);
    expect(failed.state.message).toBeTruthy();
  });
});

describe('waits side by side share reads', () => {
  it('many Flink waits on one client are served by the list API, one page per cycle', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => 60_000 + i);
    emulator.admin.addJobs(
      ids.map((jobId, i) => ({
        kind: 'dli-flink',
        jobId,
        steps: [
          { status: 'job_running', durationMs: 60_000 + i * 10_000 },
          { status: i % 2 ? 'job_finish' : 'job_running_exception' },
        ],
      })) as never,
    );
    const c = client();
    const outcomes = await Promise.all(
      ids.map((jobId) =>
        waitForJob(
          c,
          { kind: 'dli-flink', jobId },
          { intervalMs: 200, maxIntervalMs: 500, timeoutMs: 20_000 },
        ).then(
          (s) => s.status,
          (e) => (e instanceof JobFailedError ? e.state.status : String(e)),
        ),
      ),
    );
    expect(outcomes).toEqual(ids.map((_, i) => (i % 2 ? 'job_finish' : 'job_running_exception')));
    const log = emulator.admin.requests();
    const lists = log.filter((r) => r.path.endsWith('/streaming/jobs'));
    const details = log.filter((r) => /\/streaming\/jobs\/\d+$/.test(r.path));
    expect(lists.length).toBeGreaterThan(0);
    // Eight waits polled for several cycles: far fewer requests than one per job per cycle.
    expect(lists.length + details.length).toBeLessThan(ids.length * 2);
  });

  it('a job the list does not show is read on its own, and its error reaches only its own wait', async () => {
    emulator.admin.addJobs([
      { kind: 'dli-flink', jobId: 61_000, steps: [{ status: 'job_finish' }] },
      { kind: 'dli-flink', jobId: 61_001, steps: [{ status: 'job_finish' }] },
    ] as never);
    const c = client();
    const options = { intervalMs: 100, maxIntervalMs: 200, timeoutMs: 10_000 };
    const [a, b, missing] = await Promise.allSettled([
      waitForJob(c, { kind: 'dli-flink', jobId: 61_000 }, options),
      waitForJob(c, { kind: 'dli-flink', jobId: 61_001 }, options),
      waitForJob(c, { kind: 'dli-flink', jobId: 99_999_999 }, options),
    ]);
    expect(a.status === 'fulfilled' && a.value.status).toBe('job_finish');
    expect(b.status === 'fulfilled' && b.value.status).toBe('job_finish');
    expect(missing.status === 'rejected' && (missing.reason as HuaweiCloudError).code).toBe('DLI.0002');
    const paths = emulator.admin.requests().map((r) => r.path);
    expect(paths.filter((p) => p.endsWith('/streaming/jobs'))).toHaveLength(1);
    expect(paths.filter((p) => p.endsWith('/streaming/jobs/99999999'))).toHaveLength(1);
    expect(paths.filter((p) => p.endsWith('/streaming/jobs/61000'))).toHaveLength(0);
  });

  it('one wait giving up leaves the shared read to the others', async () => {
    emulator.admin.addJobs([
      {
        kind: 'dli-flink',
        jobId: 62_000,
        steps: [{ status: 'job_running', durationMs: 30_000 }, { status: 'job_finish' }],
      },
      {
        kind: 'dli-flink',
        jobId: 62_001,
        steps: [{ status: 'job_running', durationMs: 30_000 }, { status: 'job_finish' }],
      },
    ] as never);
    const c = client();
    const controller = new AbortController();
    const options = { intervalMs: 100, maxIntervalMs: 200, timeoutMs: 10_000 };
    const aborted = waitForJob(
      c,
      { kind: 'dli-flink', jobId: 62_000 },
      { ...options, signal: controller.signal },
    );
    const kept = waitForJob(c, { kind: 'dli-flink', jobId: 62_001 }, options);
    setTimeout(() => controller.abort(), 150);
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    await expect(kept).resolves.toMatchObject({ status: 'job_finish' });
  });
});
