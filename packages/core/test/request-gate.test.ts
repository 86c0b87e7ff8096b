import { afterEach, describe, expect, it } from 'vitest';
import { limitFromThrottleMessage, RequestGate } from '../src/http/request-gate.js';
import { json, startTestServer, TEST_CREDENTIALS, type TestServer, testClient } from './support/server.js';

const FLINK_OK = { is_success: 'true', message: '', job_detail: { job_id: 7, status: 'job_running' } };
const THROTTLED = {
  error_code: 'APIG.0308',
  error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 second',
};

/** The most requests that arrived within any one second. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while ((sorted[j] as number) - (sorted[i] as number) >= 1000) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

let server: TestServer | undefined;
const clients: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  server = undefined;
});

describe('limitFromThrottleMessage', () => {
  it('reads the limit the gateway names', () => {
    expect(limitFromThrottleMessage(THROTTLED.error_msg)).toBe(5);
    expect(limitFromThrottleMessage('policy user over ratelimit,limit:120,time:1 minute')).toBe(2);
    expect(limitFromThrottleMessage('busy')).toBeUndefined();
  });
});

describe('RequestGate', () => {
  it('lets a configured rate through per sliding second and holds the rest', async () => {
    const gate = new RequestGate(3);
    const started = Date.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, async () => {
        const release = await gate.acquire();
        times.push(Date.now() - started);
        release();
      }),
    );
    expect(busiestSecond(times)).toBeLessThanOrEqual(3);
    expect(Math.max(...times)).toBeGreaterThanOrEqual(2000);
    expect(gate.delayed).toBe(4);
  });

  it('after a throttle, everyone waits out the pause and the rate drops below the named limit', async () => {
    const gate = new RequestGate();
    (await gate.acquire())();
    gate.throttled(300, 10);
    expect(gate.limit).toBe(8);
    const started = Date.now();
    await gate.acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('an abort ends a held acquire', async () => {
    const gate = new RequestGate();
    gate.throttled(10_000, 1);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(gate.acquire(controller.signal)).rejects.toThrow();
  });
});

describe('one gate per access key, shared by every client in the process', () => {
  it('a 429 seen by one client holds back the requests of another client with the same key', async () => {
    let calls = 0;
    server = await startTestServer((_req, res) => {
      calls++;
      if (calls === 1) json(res, 429, THROTTLED, { 'Retry-After': '1' });
      else json(res, 200, FLINK_OK);
    });
    const first = testClient(server.url);
    const second = testClient(server.url);
    clients.push(first, second);
    await first.dli.getFlinkJobDetail(7); // 429, then waits out Retry-After and succeeds
    const started = Date.now();
    await second.dli.getFlinkJobDetail(7);
    const arrivals = server.requests.length;
    expect(arrivals).toBe(3);
    // The second client ran after the shared pause, not before it.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(first.transport.gate(server.url)).toBe(second.transport.gate(server.url));
    const other = testClient(server.url, {
      credentials: { ...TEST_CREDENTIALS, accessKey: 'ANOTHERACCESSKEY0001' },
    });
    clients.push(other);
    expect(other.transport.gate(server.url)).not.toBe(first.transport.gate(server.url));
  });

  it('after the first 429, no burst goes over the limit the gateway named', async () => {
    const arrivals: number[] = [];
    let throttled = 0;
    server = await startTestServer((_req, res) => {
      const now = Date.now();
      arrivals.push(now);
      // The gateway's rule: at most 5 arrivals in any second.
      if (arrivals.filter((t) => t > now - 1000).length > 5) {
        throttled++;
        json(res, 429, THROTTLED, { 'Retry-After': '1' });
      } else json(res, 200, FLINK_OK);
    });
    const client = testClient(server.url, {
      credentials: { ...TEST_CREDENTIALS, accessKey: 'BURSTACCESSKEY000001' },
      http: { maxAttempts: 8 },
    });
    clients.push(client);
    const answers = await Promise.all(Array.from({ length: 12 }, () => client.dli.getFlinkJobDetail(7)));
    expect(answers).toHaveLength(12);
    const firstThrottle = throttled;
    expect(firstThrottle).toBeGreaterThan(0);
    // A second burst, once the limit is learned: not one request over it.
    await Promise.all(Array.from({ length: 12 }, () => client.dli.getFlinkJobDetail(7)));
    expect(throttled).toBe(firstThrottle);
  }, 30_000);
});
