import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestGate } from '../src/http/request-gate.js';
import {
  createClient,
  getJobState,
  type HttpEvent,
  HuaweiCloudError,
  InputError,
  JobFailedError,
  type JobGateClient,
  JobGateError,
  type JobRef,
  RequestTimeoutError,
  ResponseFormatError,
  redactor,
  WaitTimeoutError,
  waitForJob,
} from '../src/index.js';
import { findLeaks, secretForms } from './support/leaks.js';
import {
  json,
  startTestServer,
  TEST_CREDENTIALS,
  TEST_PROJECT,
  type TestServer,
  testClient,
} from './support/server.js';

// A hostile or broken server, over real HTTP on 127.0.0.1: each finding of the trust review, as a test.

let server: TestServer | undefined;
const clients: JobGateClient[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  server = undefined;
});

type Answer = { status?: number; body: unknown; headers?: Record<string, string> };

/** A server that gives the same answer (or the next of several) to every request. */
async function serve(...answers: (Answer | ((url: string) => Answer))[]) {
  let i = 0;
  server = await startTestServer((req, res) => {
    const next = answers[Math.min(i++, answers.length - 1)];
    const a = typeof next === 'function' ? next(req.url) : (next as Answer);
    const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    res.writeHead(a.status ?? 200, { 'Content-Type': 'application/json', ...a.headers });
    res.end(text);
  });
  return server;
}

function client(options: Parameters<typeof testClient>[1] = {}): JobGateClient {
  if (!server) throw new Error('no server');
  const c = testClient(server.url, { ...options, http: { maxAttempts: 2, ...options.http } });
  clients.push(c);
  return c;
}

async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

const FLINK_ID = 7;
const SQL_ID = '85798b38-ae44-48eb-bb90-7cf0dcdafe7b';
const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';

const flinkDetail = (flag: unknown, status = 'job_finish') => ({
  ...(flag === undefined ? {} : { is_success: flag }),
  message: '',
  job_detail: { job_id: FLINK_ID, status, status_desc: '' },
});
const flinkList = (flag: unknown, status = 'job_finish') => ({
  ...(flag === undefined ? {} : { is_success: flag }),
  message: '',
  job_list: { total_count: 1, jobs: [{ job_id: FLINK_ID, status }] },
});
const sqlProgress = (flag: unknown, status = 'FINISHED') => ({
  ...(flag === undefined ? {} : { is_success: flag }),
  message: '',
  job_id: SQL_ID,
  status,
  progress: 1,
  sub_jobs: [],
});
const sqlStatus = (flag: unknown, status = 'FINISHED') => ({
  ...(flag === undefined ? {} : { is_success: flag }),
  message: '',
  job_id: SQL_ID,
  status,
});

/** Every form of `is_success` that is not clearly true, generated from the spellings a server might use. */
function notClearlyTrue(): unknown[] {
  const words = ['false', 'no', '0', 'n', 'off', 'fail', 'failed', 'yes', 'ok', '1', 'tru', 'truee', ''];
  const cased = words.flatMap((w) => [w, w.toUpperCase(), w.charAt(0).toUpperCase() + w.slice(1)]);
  const padded = cased.flatMap((w) => [w, ` ${w}`, `${w} `, `\t${w}\n`, `\u00a0${w}`]);
  return [...new Set(padded), false, 0, 1, -1, {}, [], ['true'], { value: true }];
}

describe('one reading of is_success', () => {
  it('a padded " false" or "false " is a failure, never a pass, on the detail of a finished Flink job', async () => {
    for (const flag of [' false', 'false ', ' FALSE ']) {
      await serve({ body: flinkDetail(flag) });
      const c = client();
      const { value, error } = await settle(getJobState(c, { kind: 'dli-flink', jobId: FLINK_ID }));
      expect(value, JSON.stringify(flag)).toBeUndefined();
      expect(error).toBeInstanceOf(HuaweiCloudError);
      expect((error as HuaweiCloudError).retryable).toBe(false);
      await server?.close();
    }
  });

  it('a DLI SQL answer {"is_success":" false","status":"FINISHED"} does not resolve succeeded', async () => {
    await serve({ body: { is_success: ' false', status: 'FINISHED' } });
    const { error } = await settle(
      waitForJob(client(), { kind: 'dli-sql', jobId: SQL_ID }, { intervalMs: 10, timeoutMs: 2_000 }),
    );
    expect(error).toBeInstanceOf(HuaweiCloudError);
  });

  const apis = [
    {
      name: 'Flink detail',
      body: flinkDetail,
      required: false,
      call: (c: JobGateClient) => c.dli.getFlinkJobDetail(FLINK_ID),
    },
    {
      name: 'Flink list',
      body: flinkList,
      required: false,
      call: (c: JobGateClient) => c.dli.listFlinkJobs(),
    },
    {
      name: 'SQL progress',
      body: sqlProgress,
      required: true,
      call: (c: JobGateClient) => c.dli.getSqlJobProgress(SQL_ID),
    },
    {
      name: 'SQL status',
      body: sqlStatus,
      required: true,
      call: (c: JobGateClient) => c.dli.getSqlJobStatus(SQL_ID),
    },
  ];

  it.each(apis)(
    '$name: every form that is not clearly true is rejected; true and "true" are read alike',
    async (api) => {
      const variants = notClearlyTrue();
      let i = 0;
      await serve(() => ({ body: api.body(variants[i]) }));
      const c = client();
      for (; i < variants.length; i++) {
        const { value, error } = await settle(api.call(c));
        expect(value, `is_success ${JSON.stringify(variants[i])}`).toBeUndefined();
        expect(error).toBeInstanceOf(HuaweiCloudError);
      }
      // Missing or null: a failure only where the page makes is_success mandatory.
      for (const flag of [undefined, null]) {
        server?.handle((_req, res) => json(res, 200, api.body(flag)));
        const { value, error } = await settle(api.call(c));
        if (api.required) expect(error, `is_success ${String(flag)}`).toBeInstanceOf(ResponseFormatError);
        else expect(value).toBeDefined();
      }
      for (const flag of [true, 'true', ' TRUE ', 'True']) {
        server?.handle((_req, res) => json(res, 200, api.body(flag)));
        const answer = (await api.call(c)) as { is_success?: boolean };
        expect(answer.is_success, JSON.stringify(flag)).toBe(true);
      }
    },
  );

  it('getJobState of every DLI kind never reads succeeded under a flag that is not clearly true', async () => {
    const variants = notClearlyTrue();
    let i = 0;
    await serve((url) =>
      url.includes('/streaming/') ? { body: flinkDetail(variants[i]) } : { body: sqlProgress(variants[i]) },
    );
    const c = client();
    for (; i < variants.length; i++) {
      for (const ref of [
        { kind: 'dli-flink' as const, jobId: FLINK_ID },
        { kind: 'dli-sql' as const, jobId: SQL_ID },
      ]) {
        const { value } = await settle(getJobState(c, ref));
        expect(value?.phase, `${ref.kind} is_success ${JSON.stringify(variants[i])}`).not.toBe('succeeded');
      }
    }
  });
});

describe('an inherited field is never a verdict', () => {
  // Raw JSON text: "__proto__" is an own member as a server sends it, not a prototype.
  it.each([
    ['dli-flink', '{"is_success":"true","job_detail":{"__proto__":{"status":"job_finish"}}}'],
    ['dli-flink', '{"__proto__":{"job_detail":{"status":"job_finish"}},"is_success":"true"}'],
    ['dli-sql', '{"__proto__":{"status":"FINISHED"},"is_success":true}'],
    ['dli-sql', '{"__proto__":{"is_success":true},"status":"FINISHED"}'],
    ['cdm', '{"submissions":[{"job-name":"j","__proto__":{"status":"SUCCEEDED"}}]}'],
    ['dataarts-realtime', '{"name":"j","__proto__":{"status":"STOPPED"}}'],
  ])('%s: %s', async (kind, text) => {
    await serve({ body: text });
    const refs: Record<string, JobRef> = {
      'dli-flink': { kind: 'dli-flink', jobId: FLINK_ID },
      'dli-sql': { kind: 'dli-sql', jobId: SQL_ID },
      cdm: { kind: 'cdm', clusterId: CLUSTER, jobName: 'j' },
      'dataarts-realtime': { kind: 'dataarts-realtime', jobName: 'j' },
    };
    const { value } = await settle(getJobState(client(), refs[kind] as JobRef));
    expect(value?.phase).not.toBe('succeeded');
  });
});

describe('what a server echoes is redacted', () => {
  const SECURITY_TOKEN = 'security-token-canary-5f1e9a7c3b2d4e6f8a0b1c2d3e4f5a6b';
  const SECRET = TEST_CREDENTIALS.secretKey;

  function secretClient(options: Parameters<typeof testClient>[1] = {}) {
    return client({ credentials: { ...TEST_CREDENTIALS, securityToken: SECURITY_TOKEN }, ...options });
  }

  /** Everything a caller could print of a result or an error, and of the events. */
  function everything(result: { value?: unknown; error?: unknown }, events: HttpEvent[]): string {
    const e = result.error as Error | undefined;
    return [
      e?.message,
      e?.stack,
      String(e ?? ''),
      JSON.stringify(e ?? null),
      JSON.stringify((e as JobFailedError | undefined)?.state ?? null),
      JSON.stringify(result.value ?? null),
      JSON.stringify(events, (_k, v) => (v instanceof Error ? { message: v.message, stack: v.stack } : v)),
    ].join('\n');
  }

  /** Each secret in each form a server might echo it, with the cut pieces. */
  const echoes = () =>
    [SECRET, SECURITY_TOKEN].flatMap((s) => [...secretForms(s), `${s.slice(0, 12)}`, `${s.slice(-12)}`]);

  it('in the request id (body and header), error_code, error_msg and excerpts, on error answers', async () => {
    const forms = echoes();
    let i = 0;
    await serve(() => {
      const s = forms[i % forms.length] as string;
      return {
        status: 400,
        headers: { 'X-Request-Id': `rid-${encodeURIComponent(s)}` },
        body: { error_code: `DLI.${s}`, error_msg: `bad request from ${s}`, request_id: s },
      };
    });
    const events: HttpEvent[] = [];
    const c = secretClient({ http: { onEvent: (e) => events.push(e) } });
    for (; i < forms.length; i++) {
      const result = await settle(c.dli.getFlinkJobDetail(FLINK_ID));
      expect(result.error).toBeInstanceOf(HuaweiCloudError);
      expect(findLeaks(everything(result, events), [SECRET, SECURITY_TOKEN]), `form ${i}`).toEqual([]);
    }
  });

  it('in a body that is not JSON, with the secret straddling the excerpt cut', async () => {
    for (const at of [190, 195, 199, 200, 205]) {
      await serve({
        status: 502,
        body: `${'x'.repeat(at)}${SECRET} and then ${encodeURIComponent(SECURITY_TOKEN)}`,
      });
      const events: HttpEvent[] = [];
      const result = await settle(
        secretClient({ http: { maxAttempts: 1, onEvent: (e) => events.push(e) } }).dli.getFlinkJobDetail(
          FLINK_ID,
        ),
      );
      expect(result.error).toBeInstanceOf(HuaweiCloudError);
      expect(findLeaks(everything(result, events), [SECRET, SECURITY_TOKEN]), `cut at ${at}`).toEqual([]);
      await server?.close();
    }
  });

  it("in a job's own message (CDM error-summary, Flink status_desc, SQL message) carried by JobFailedError", async () => {
    const forms = echoes();
    for (const form of forms) {
      await serve((url) => {
        if (url.includes('/streaming/'))
          return {
            body: {
              is_success: true,
              job_detail: { job_id: FLINK_ID, status: 'job_running_exception', status_desc: `boom ${form}` },
            },
          };
        if (url.includes('/cdm/'))
          return {
            body: {
              submissions: [
                {
                  'job-name': 'j',
                  status: 'FAILED',
                  progress: -1,
                  'error-summary': `failed: ${form}`,
                  'error-details': form,
                  'creation-date': 1,
                },
              ],
            },
          };
        return {
          body: {
            is_success: true,
            message: `SQL says ${form}`,
            job_id: SQL_ID,
            status: 'FAILED',
            sub_jobs: [],
          },
        };
      });
      const c = secretClient();
      for (const ref of [
        { kind: 'dli-flink' as const, jobId: FLINK_ID },
        { kind: 'cdm' as const, clusterId: CLUSTER, jobName: 'j' },
        { kind: 'dli-sql' as const, jobId: SQL_ID },
      ]) {
        const events: HttpEvent[] = [];
        const result = await settle(waitForJob(c, ref, { intervalMs: 10, timeoutMs: 2_000 }));
        expect(result.error, ref.kind).toBeInstanceOf(JobFailedError);
        expect(
          findLeaks(everything(result, events), [SECRET, SECURITY_TOKEN]),
          `${ref.kind}: ${form}`,
        ).toEqual([]);
      }
      await server?.close();
    }
  });

  it("the request's own Authorization value, echoed whole or by its signature", async () => {
    await serve();
    server?.handle((req, res) =>
      json(res, 200, {
        is_success: true,
        job_detail: {
          job_id: FLINK_ID,
          status: 'job_running',
          status_desc: String(req.headers.authorization),
        },
        echoed_signature: /Signature=([0-9a-f]+)/.exec(String(req.headers.authorization))?.[1]?.slice(8),
        echoed_encoded: encodeURIComponent(String(req.headers.authorization)),
      }),
    );
    const state = await getJobState(secretClient(), { kind: 'dli-flink', jobId: FLINK_ID });
    const text = JSON.stringify(state);
    const sent = String(server?.requests[0]?.headers.authorization);
    const signature = /Signature=([0-9a-f]+)/.exec(sent)?.[1] as string;
    expect(findLeaks(text, [signature])).toEqual([]);
    expect(text).not.toContain('Access=');
  });

  it('an endpoint given with user:password@ is never echoed with its password', () => {
    const password = 'Zq8vP3xR7mK2wT9y';
    const result = (() => {
      try {
        createClient({
          endpoint: `https://jobgate:${password}@dli.example.com/`,
          projectId: TEST_PROJECT,
          credentials: TEST_CREDENTIALS,
          env: {},
        });
      } catch (error) {
        return error as Error;
      }
    })();
    expect(result).toBeInstanceOf(InputError);
    expect(result?.message).toContain('endpoint');
    expect(findLeaks(`${result?.message}\n${result?.stack}`, [password])).toEqual([]);
    // Learned: whatever echoes it later is redacted too.
    expect(redactor.redact(`proxy said ${password}`)).not.toContain(password);
  });
});

describe('deep values', () => {
  const deep = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;

  it('a succeeded CDM job whose answer holds a 20,000-deep field succeeds, and its state serialises', async () => {
    await serve({
      body: `{"submissions":[{"job-name":"j","status":"SUCCEEDED","progress":100,"creation-date":1,"x":${deep(20_000)},"counters":{"org.apache.sqoop.submission.counter.SqoopCounters":{"ROWS_READ":1}}}]}`,
    });
    const state = await waitForJob(
      client(),
      { kind: 'cdm', clusterId: CLUSTER, jobName: 'j' },
      { intervalMs: 10 },
    );
    expect(state.phase).toBe('succeeded');
    const text = JSON.stringify(state);
    expect(text).toContain('nested too deep');
    expect(text.length).toBeLessThan(10_000);
  });

  it('deep CDM counter values are shown, not thrown as a RangeError', async () => {
    await serve({
      body: `{"submissions":[{"job-name":"j","status":"SUCCEEDED","progress":100,"creation-date":1,"counters":{"org.apache.sqoop.submission.counter.SqoopCounters":{"ROWS_READ":1,"ODD":${deep(5_000)}}}}]}`,
    });
    const { value, error } = await settle(
      getJobState(client(), { kind: 'cdm', clusterId: CLUSTER, jobName: 'j' }),
    );
    if (error) expect(error).toBeInstanceOf(JobGateError);
    else expect(JSON.stringify(value?.details)).toContain('ODD');
  });
});

describe('Retry-After and the request gate are bounded', () => {
  it('a 429 with Retry-After: 3600 holds requests for the capped time only', async () => {
    await serve(
      {
        status: 429,
        headers: { 'Retry-After': '3600' },
        body: { error_code: 'APIG.0308', error_msg: 'throttled' },
      },
      { body: flinkDetail(true, 'job_running') },
    );
    const started = performance.now();
    const body = await client({ http: { maxRetryAfterMs: 300 } }).dli.getFlinkJobDetail(FLINK_ID);
    expect(body.job_detail?.status).toBe('job_running');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a call held by a long pause fails within its own time limit, unsent, and no timer overflows', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      await serve({
        status: 429,
        headers: { 'Retry-After': String(3e6) },
        body: { error_code: 'APIG.0308', error_msg: 'throttled' },
      });
      // One client is throttled with the largest cap allowed: every client with the key is paused ~24 days.
      const first = client({ http: { maxRetryAfterMs: 2 ** 31 - 1, maxAttempts: 1 } });
      await settle(first.dli.getFlinkJobDetail(FLINK_ID));
      const sent = server?.requests.length;
      const second = client({ http: { timeoutMs: 300, maxAttempts: 2 } });
      const started = performance.now();
      const { error } = await settle(second.dli.getFlinkJobDetail(FLINK_ID));
      expect(error).toBeInstanceOf(RequestTimeoutError);
      expect((error as Error).message).toMatch(/held back by the request budget/);
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(server?.requests.length).toBe(sent);
      await new Promise((r) => setTimeout(r, 50));
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('the gate never arms a timer past 2^31-1 ms', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const gate = new RequestGate();
      gate.throttled(2 ** 40);
      const { error } = await settle(gate.acquire(undefined, 50));
      expect((error as Error).name).toBe('GateTimeoutError');
      await new Promise((r) => setTimeout(r, 50));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('bodies are capped', () => {
  it('an answer over http.maxBodyBytes fails at once, unretried, and says so', async () => {
    const big = 'x'.repeat(4 * 1024 * 1024);
    let requests = 0;
    server = await startTestServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      // Streamed without a length, the way a runaway answer arrives.
      res.write(`{"is_success":true,"pad":"`);
      res.end(`${big}"}`);
    });
    const c = client({ http: { maxBodyBytes: 1024 * 1024, maxAttempts: 4 } });
    const { error } = await settle(c.dli.getFlinkJobDetail(FLINK_ID));
    expect(error).toBeInstanceOf(ResponseFormatError);
    expect((error as ResponseFormatError).retryable).toBe(false);
    expect((error as Error).message).toMatch(/larger than the 1048576 bytes allowed \(http\.maxBodyBytes\)/);
    expect(requests).toBe(1);
  });

  it('a declared Content-Length over the cap is refused before reading', async () => {
    await serve({ body: '{}', headers: { 'Content-Length': '2' } });
    server?.handle((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(50 * 1024 * 1024) });
      res.write('{');
      // Never finishes: only a refusal on the declared length ends the call quickly.
    });
    const { error } = await settle(
      client({ http: { maxBodyBytes: 1024 * 1024, timeoutMs: 10_000 } }).dli.getFlinkJobDetail(FLINK_ID),
    );
    expect((error as Error).message).toMatch(/larger than the 1048576 bytes allowed/);
  });
});

describe('durations use the monotonic clock', () => {
  it('a 300 ms wait ends near 300 ms when the wall clock steps back an hour mid-wait', async () => {
    await serve({ body: flinkDetail(true, 'job_running') });
    const realNow = Date.now.bind(Date);
    let stepped = false;
    vi.spyOn(Date, 'now').mockImplementation(() => (stepped ? realNow() - 3_600_000 : realNow()));
    const started = performance.now();
    const result = settle(
      waitForJob(
        client(),
        { kind: 'dli-flink', jobId: FLINK_ID },
        {
          intervalMs: 20,
          timeoutMs: 300,
          onUpdate: () => {
            stepped = true;
          },
        },
      ),
    );
    const { error } = await result;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('paging always ends', () => {
  const page = (ids: number[]) => ({
    is_success: true,
    job_list: { jobs: ids.map((job_id) => ({ job_id, status: 'job_running' })) },
  });

  it('stops when a server ignores offset and sends no total_count', async () => {
    await serve({ body: page(Array.from({ length: 100 }, (_, i) => i + 1)) });
    const ids: number[] = [];
    for await (const job of client().dli.listAllFlinkJobs()) ids.push(job.job_id as number);
    expect(ids).toHaveLength(100);
    expect(server?.requests.length).toBe(2);
  });

  it('stops on an empty page, and after maxPages pages of ever new jobs', async () => {
    let n = 0;
    await serve(() => ({ body: page(Array.from({ length: 10 }, () => ++n)) }));
    let count = 0;
    for await (const _ of client().dli.listAllFlinkJobs({ limit: 10 }, { maxPages: 5 })) count++;
    expect(count).toBe(50);
    expect(server?.requests.length).toBe(5);
  });
});

describe('every option is checked', () => {
  const base = {
    projectId: TEST_PROJECT,
    credentials: TEST_CREDENTIALS,
    endpoint: 'http://127.0.0.1:9',
    env: {},
  };

  it.each([
    ['timeoutMs', 0],
    ['timeoutMs', Number.NaN],
    ['timeoutMs', 3e9],
    ['timeoutMs', '30000'],
    ['maxAttempts', 0],
    ['maxAttempts', 1.5],
    ['baseDelayMs', -1],
    ['maxBodyBytes', 10],
    ['maxRetryAfterMs', Number.POSITIVE_INFINITY],
    ['rateLimit', 0],
    ['userAgent', 'bad\nagent'],
    ['onEvent', 'not a function'],
  ])('http.%s = %s is an InputError naming it', (name, value) => {
    let error: unknown;
    try {
      createClient({ ...base, http: { [name]: value } as never });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).toBe(`http.${name}`);
    expect((error as Error).message).not.toMatch(/Invalid input: expected/);
  });

  it('a lone surrogate in a job name is an InputError, not a URIError', async () => {
    await serve({ body: {} });
    const { error } = await settle(
      getJobState(client(), { kind: 'cdm', clusterId: CLUSTER, jobName: 'a\ud800b' }),
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).toBe('jobName');
    const direct = await settle(client().cdm.getJobStatus(CLUSTER, 'x\udc00'));
    expect(direct.error).toBeInstanceOf(InputError);
  });

  it('a bad wait option is an InputError naming it', async () => {
    await serve({ body: {} });
    const { error } = await settle(
      waitForJob(client(), { kind: 'dli-flink', jobId: 1 }, { transientErrorBudget: -1 }),
    );
    expect((error as InputError).field).toBe('transientErrorBudget');
  });
});
