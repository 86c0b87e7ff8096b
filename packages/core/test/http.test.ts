import { afterEach, describe, expect, it } from 'vitest';
import {
  AbortError,
  type HttpEvent,
  HuaweiCloudError,
  NetworkError,
  RequestTimeoutError,
  ResponseFormatError,
} from '../src/index.js';
import {
  json,
  startTestServer,
  TEST_CREDENTIALS,
  TEST_PROJECT,
  type TestServer,
  testClient,
} from './support/server.js';

const FLINK_OK = { is_success: 'true', message: '', job_detail: { job_id: 7, status: 'job_running' } };
const flinkPath = `/v1.0/${TEST_PROJECT}/streaming/jobs/7`;

let server: TestServer | undefined;
const clients: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  server = undefined;
});

async function setup(
  handler: Parameters<typeof startTestServer>[0],
  options: Parameters<typeof testClient>[1] = {},
) {
  server = await startTestServer(handler);
  const events: HttpEvent[] = [];
  const client = testClient(server.url, {
    ...options,
    http: { onEvent: (e) => events.push(e), ...options.http },
  });
  clients.push(client);
  return { server, client, events };
}

describe('retries', () => {
  it('retries a 429 APIG.0308 after the Retry-After it names, then succeeds', async () => {
    let calls = 0;
    const { server, client, events } = await setup((_req, res) => {
      calls++;
      if (calls === 1) {
        json(
          res,
          429,
          {
            error_code: 'APIG.0308',
            error_msg:
              'The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 second',
          },
          { 'Retry-After': '1' },
        );
      } else json(res, 200, FLINK_OK);
    });
    const started = Date.now();
    const body = await client.dli.getFlinkJobDetail(7);
    expect(body.job_detail?.status).toBe('job_running');
    expect(server.requests).toHaveLength(2);
    const retry = events.find((e) => e.type === 'retry');
    expect(retry?.type === 'retry' && retry.delayMs).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('retries 502, 503 and 504 with backoff, signing each attempt afresh', async () => {
    const statuses = [503, 502, 504];
    const { server, client } = await setup((_req, res) => {
      const status = statuses.shift();
      if (status) json(res, status, { error_code: 'APIG.1000', error_msg: 'backend unavailable' });
      else json(res, 200, FLINK_OK);
    });
    await client.dli.getFlinkJobDetail(7);
    expect(server.requests).toHaveLength(4);
    for (const r of server.requests)
      expect(r.headers.authorization).toMatch(/^SDK-HMAC-SHA256 Access=TESTACCESSKEYID00001, /);
  });

  it('retries a dropped connection', async () => {
    let calls = 0;
    const { server, client } = await setup((_req, res) => {
      calls++;
      if (calls === 1) res.socket?.destroy();
      else json(res, 200, FLINK_OK);
    });
    const body = await client.dli.getFlinkJobDetail(7);
    expect(body.is_success).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after maxAttempts with the last error, marked retryable', async () => {
    const { server, client } = await setup(
      (_req, res) => json(res, 503, { error_code: 'APIG.1000', error_msg: 'busy' }),
      {
        http: { maxAttempts: 3 },
      },
    );
    const error = await client.dli.getFlinkJobDetail(7).catch((e) => e);
    expect(error).toBeInstanceOf(HuaweiCloudError);
    expect(error).toMatchObject({ status: 503, code: 'APIG.1000', retryable: true, service: 'dli' });
    expect(server.requests).toHaveLength(3);
  });

  it.each([
    [400, { error_code: 'DLI.0001', error_msg: 'Parameter error' }],
    [
      401,
      {
        error_code: 'APIG.0301',
        error_msg: 'Incorrect IAM authentication information: verify aksk signature fail',
      },
    ],
    [403, { error_code: 'APIG.0302', error_msg: 'Forbidden' }],
    [404, { error_code: 'DLI.0002', error_msg: 'The object does not exist.' }],
    [500, { error_code: 'DLI.0999', error_msg: 'Server error' }],
  ])('never retries HTTP %i', async (status, body) => {
    const { server, client } = await setup((_req, res) =>
      json(res, status, body, { 'X-Request-Id': 'req-123' }),
    );
    const error = await client.dli.getFlinkJobDetail(7).catch((e) => e);
    expect(error).toBeInstanceOf(HuaweiCloudError);
    expect(error).toMatchObject({ status, code: body.error_code, requestId: 'req-123', retryable: false });
    expect(error.message).toContain(body.error_msg);
    expect(server.requests).toHaveLength(1);
  });
});

describe('time limits and abort', () => {
  it('times out a request that gets no answer, and retries it', async () => {
    const { server, client } = await setup(() => {}, { http: { timeoutMs: 100, maxAttempts: 2 } });
    const error = await client.dli.getFlinkJobDetail(7).catch((e) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.code).toBe('JOBGATE_REQUEST_TIMEOUT');
    expect(server.requests).toHaveLength(2);
  });

  it('an AbortSignal ends a request in flight at once, without retrying', async () => {
    const { server, client } = await setup(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await client.dli.getFlinkJobDetail(7, { signal: controller.signal }).catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(server.requests).toHaveLength(1);
  });

  it('an AbortSignal ends the wait between retries', async () => {
    const controller = new AbortController();
    const { server, client } = await setup((_req, res) => {
      json(res, 429, { error_code: 'APIG.0308', error_msg: 'throttled' }, { 'Retry-After': '30' });
      // Aborted once the first answer is out, however long the request took to arrive.
      setTimeout(() => controller.abort(), 50);
    });
    const error = await client.dli.getFlinkJobDetail(7, { signal: controller.signal }).catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(1);
  });

  it('an already-aborted signal sends nothing', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, FLINK_OK));
    const error = await client.dli.getFlinkJobDetail(7, { signal: AbortSignal.abort() }).catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('error bodies', () => {
  it.each([
    [
      'gateway error_code/error_msg',
      401,
      { error_code: 'APIGW.0301', error_msg: 'auth failed', request_id: 'body-id' },
      'APIGW.0301',
      'auth failed',
    ],
    [
      'CDM errCode/externalMessage',
      400,
      { errCode: 'Cdm.0100', externalMessage: 'Job jdbc2hive does not exist.' },
      'Cdm.0100',
      'Job jdbc2hive does not exist.',
    ],
    [
      'DataArts errorCode/errorMsg',
      400,
      { errorCode: 'DLF.0100', errorMsg: 'The job does not exists.' },
      'DLF.0100',
      'The job does not exists.',
    ],
    [
      'code/message',
      400,
      { code: 'DLF.0137', message: 'instance not found' },
      'DLF.0137',
      'instance not found',
    ],
    [
      'nested error',
      403,
      { error: { code: 'IAM.0001', message: 'token expired' } },
      'IAM.0001',
      'token expired',
    ],
  ])('understands %s', async (_name, status, body, code, message) => {
    const { client } = await setup((_req, res) => json(res, status, body));
    const error = await client.dli.getFlinkJobDetail(7).catch((e) => e);
    expect(error).toBeInstanceOf(HuaweiCloudError);
    expect(error.code).toBe(code);
    expect(error.serviceMessage).toBe(message);
  });

  it("understands DLI's HTTP 200 with is_success false", async () => {
    const { client } = await setup((_req, res) =>
      json(res, 200, { is_success: 'false', message: 'The job does not exist.', error_code: 'DLI.0002' }),
    );
    const error = await client.dli.getFlinkJobDetail(7).catch((e) => e);
    expect(error).toBeInstanceOf(HuaweiCloudError);
    expect(error).toMatchObject({ status: 200, code: 'DLI.0002', retryable: false });
    expect(error.message).toContain('The job does not exist.');
  });

  it('says so, with an excerpt, when an error body is not JSON', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body>Not Found</body></html>');
    });
    const error = await client.dli.getFlinkJobDetail(7).catch((e) => e);
    expect(error).toMatchObject({ status: 404, code: 'HTTP.404' });
    expect(error.message).toContain('<html><body>Not Found</body></html>');
  });

  it('a 200 body that is not JSON is a retryable format error with an excerpt', async () => {
    const { server, client } = await setup((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"is_success": "true", "job_det');
    });
    const error = await client.dli.getFlinkJobDetail(7).catch((e) => e);
    expect(error).toBeInstanceOf(ResponseFormatError);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/not JSON.*job_det/);
    expect(server.requests).toHaveLength(4);
  });

  it('a 200 JSON body of the wrong shape names the field and is not retried', async () => {
    const { server, client } = await setup(
      (_req, res) => json(res, 200, { is_success: true, message: '', status: 42 }),
      {},
    );
    const error = await client.dli.getSqlJobProgress('85798b38-ae44-48eb-bb90-7cf0dcdafe7b').catch((e) => e);
    expect(error).toBeInstanceOf(ResponseFormatError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('status');
    expect(server.requests).toHaveLength(1);
  });
});

describe('secrets never leak', () => {
  const token = 'temporary-security-token-value-0123456789';

  it('keeps the secret key, token and Authorization out of every error, even when the server echoes them', async () => {
    const { client } = await setup(
      (req, res) =>
        json(res, 401, {
          error_code: 'APIG.0301',
          error_msg: `bad signature: ${req.headers.authorization} token ${req.headers['x-security-token']} key ${TEST_CREDENTIALS.secretKey}`,
        }),
      { credentials: { ...TEST_CREDENTIALS, securityToken: token } },
    );
    const error = await client.dli.getFlinkJobDetail(7).catch((e) => e);
    expect(error).toBeInstanceOf(HuaweiCloudError);
    const everything = [
      error.message,
      error.stack,
      String(error),
      JSON.stringify(error),
      JSON.stringify(Object.entries(error)),
    ].join('\n');
    expect(everything).not.toContain(TEST_CREDENTIALS.secretKey);
    expect(everything).not.toContain(token);
    expect(everything).not.toMatch(/Signature=[0-9a-f]{16}/);
    expect(everything).toContain('APIG.0301');
  });

  it('keeps secrets out of network errors and input errors', async () => {
    const { client } = await setup(
      (_req, res) => {
        res.socket?.destroy();
      },
      { http: { maxAttempts: 1 } },
    );
    const network = await client.dli.getFlinkJobDetail(7).catch((e) => e);
    const input = await client.dli.getFlinkJobDetail('abc').catch((e) => e);
    for (const error of [network, input]) {
      expect(`${error.message}\n${error.stack}`).not.toContain(TEST_CREDENTIALS.secretKey);
    }
  });
});

describe('IAM token mode', () => {
  it('sends X-Auth-Token and no signature', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, FLINK_OK), {
      credentials: { authToken: 'iam-token-abcdefghijklmnop' },
    });
    await client.dli.getFlinkJobDetail(7);
    const headers = server.requests[0]?.headers;
    expect(headers?.['x-auth-token']).toBe('iam-token-abcdefghijklmnop');
    expect(headers?.authorization).toBeUndefined();
    expect(headers?.['x-sdk-date']).toBeUndefined();
  });
});

describe('requests on the wire', () => {
  it('signs host, x-sdk-date and x-project-id, and keeps User-Agent unsigned', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, FLINK_OK));
    await client.dli.getFlinkJobDetail('7');
    const request = server.requests[0];
    expect(request?.url).toBe(flinkPath);
    expect(request?.headers.authorization).toContain('SignedHeaders=host;x-project-id;x-sdk-date,');
    expect(request?.headers['x-project-id']).toBe(TEST_PROJECT);
    expect(request?.headers['user-agent']).toMatch(/^jobgate/);
  });

  it('reuses keep-alive connections for successive requests', async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, FLINK_OK));
    const ports = new Set<number | undefined>();
    server.handle((_req, res) => {
      ports.add(res.socket?.remotePort);
      json(res, 200, FLINK_OK);
    });
    for (let i = 0; i < 10; i++) await client.dli.getFlinkJobDetail(7);
    // undici frees a connection a tick after the body is read, so a second one may join; never one per request.
    expect(ports.size).toBeLessThanOrEqual(2);
  });

  it('clients in one process share connections, and closing one leaves the others working', async () => {
    const { server } = await setup((_req, res) => json(res, 200, FLINK_OK));
    const ports = new Set<number | undefined>();
    server.handle((_req, res) => {
      ports.add(res.socket?.remotePort);
      json(res, 200, FLINK_OK);
    });
    const many = Array.from({ length: 5 }, () => testClient(server.url));
    for (const c of many) await c.dli.getFlinkJobDetail(7);
    expect(ports.size).toBeLessThanOrEqual(2);
    await many[0]?.close();
    await many[0]?.close(); // twice is harmless
    await expect(many[1]?.dli.getFlinkJobDetail(7)).resolves.toMatchObject({ is_success: true });
    await Promise.all(many.slice(1).map((c) => c.close()));
  });

  it('encodes each path segment once: no job name can change the path', async () => {
    const names = ['../x', 'a b', 'q?x#y', '作业', 'x%2Fy'];
    const { server, client } = await setup((_req, res) => json(res, 200, { name: 'x', status: 'NORMAL' }));
    for (const name of names) await client.dataarts.getRealtimeJobStatus(name);
    const segments = server.requests.map((r) => r.url.split('/'));
    for (const [i, name] of names.entries()) {
      const parts = segments[i] ?? [];
      expect(parts).toHaveLength(6);
      expect(parts.slice(0, 4)).toEqual(['', 'v1', TEST_PROJECT, 'jobs']);
      expect(decodeURIComponent(parts[4] ?? '')).toBe(name);
      expect(parts[5]).toBe('status');
    }
    expect(server.requests[1]?.url).toContain('/a%20b/');
  });

  it('sends list filters as the documented query names', async () => {
    const { server, client } = await setup((_req, res) =>
      json(res, 200, { is_success: 'true', message: '', job_list: { total_count: 0, jobs: [] } }),
    );
    await client.dli.listFlinkJobs({
      status: 'job_running',
      jobType: 'flink_sql_job',
      limit: 50,
      offset: 100,
      showDetail: true,
      name: 'a b',
      order: 'asc',
      queueName: 'q1',
      userName: 'u',
      tags: 'k=v',
      rootId: 7,
      sysEnterpriseProjectName: 'default',
    });
    // The edge job type is documented too, and passes the filter's check.
    await client.dli.listFlinkJobs({ jobType: 'flink_sql_edge_job' });
    expect(new URL(server.requests[1]?.url ?? '', server.url).searchParams.get('job_type')).toBe(
      'flink_sql_edge_job',
    );
    const url = new URL(server.requests[0]?.url ?? '', server.url);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      // The parent job's id goes by the name the API reads (the SDKs' root_job_id), not root_id.
      root_job_id: '7',
      sys_enterprise_project_name: 'default',
      status: 'job_running',
      job_type: 'flink_sql_job',
      limit: '50',
      offset: '100',
      show_detail: 'true',
      name: 'a b',
      order: 'asc',
      queue_name: 'q1',
      user_name: 'u',
      tags: 'k=v',
    });
    expect(server.requests[0]?.url).toContain('name=a%20b');
  });

  it('walks every page of the Flink job list', async () => {
    const all = Array.from({ length: 23 }, (_, i) => ({
      job_id: i + 1,
      name: `job${i + 1}`,
      status: 'job_running',
    }));
    const { server, client } = await setup((req, res) => {
      const q = new URL(req.url, 'http://x').searchParams;
      const offset = Number(q.get('offset'));
      const limit = Number(q.get('limit'));
      json(res, 200, {
        is_success: 'true',
        message: '',
        job_list: { total_count: all.length, jobs: all.slice(offset, offset + limit) },
      });
    });
    const seen: number[] = [];
    for await (const job of client.dli.listAllFlinkJobs({ limit: 10 })) seen.push(job.job_id ?? -1);
    expect(seen).toEqual(all.map((j) => j.job_id));
    expect(server.requests).toHaveLength(3);
  });
});

describe('documented limits are checked before any request', () => {
  it.each([
    [
      'a non-integer Flink job id',
      (c: ReturnType<typeof testClient>) => c.dli.getFlinkJobDetail('12a'),
      /jobId: expected an integer Flink job id/,
    ],
    [
      'a fractional Flink job id',
      (c: ReturnType<typeof testClient>) => c.dli.getFlinkJobDetail(1.5),
      /jobId/,
    ],
    [
      'limit over 100',
      (c: ReturnType<typeof testClient>) => c.dli.listFlinkJobs({ limit: 101 }),
      /filter\.limit: expected at most 100/,
    ],
    [
      'a name over 57 characters',
      (c: ReturnType<typeof testClient>) => c.dli.listFlinkJobs({ name: 'x'.repeat(58) }),
      /filter\.name: expected a job name of at most 57/,
    ],
    [
      'an unknown status filter',
      (c: ReturnType<typeof testClient>) => c.dli.listFlinkJobs({ status: 'job_sleeping' as 'job_running' }),
      /filter\.status/,
    ],
    [
      'an unknown filter',
      (c: ReturnType<typeof testClient>) => c.dli.listFlinkJobs({ stauts: 'x' } as never),
      /filter/,
    ],
    [
      'a SQL job id that is not a UUID',
      (c: ReturnType<typeof testClient>) => c.dli.getSqlJobProgress('job-1'),
      /jobId: expected a DLI SQL job id/,
    ],
    [
      'an empty DataArts job name',
      (c: ReturnType<typeof testClient>) => c.dataarts.getRealtimeJobStatus(''),
      /jobName: expected a non-empty job name/,
    ],
    [
      'a CDM cluster id with a slash',
      (c: ReturnType<typeof testClient>) => c.cdm.getJobStatus('a/b', 'job'),
      /clusterId/,
    ],
  ])('rejects %s', async (_name, call, message) => {
    const { server, client } = await setup((_req, res) => json(res, 200, {}));
    await expect(call(client)).rejects.toThrow(message);
    expect(server.requests).toHaveLength(0);
  });
});
