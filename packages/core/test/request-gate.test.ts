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
    // Twenty requests answered within the second: the rate the gateway refused.
    for (let i = 0; i < 20; i++) (await gate.acquire())();
    gate.throttled(300, 10);
    // The named limit (10) caps the rate, then it drops multiplicatively: 7.
    expect(gate.limit).toBe(7);
    const started = Date.now();
    await gate.acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('429s to requests sent before the last decrease lower the rate once, not once each', () => {
    const gate = new RequestGate(40);
    const sentAt = performance.now();
    gate.throttled(0, 50, sentAt);
    expect(gate.limit).toBe(28);
    // The burst that was already on the wire comes back 429 too: the same congestion.
    for (let i = 0; i < 10; i++) gate.throttled(0, 50, sentAt - 1);
    expect(gate.limit).toBe(28);
    expect(gate.decreases).toBe(1);
    // A request sent after the decrease that is throttled again: a new congestion.
    gate.throttled(0, 50, performance.now());
    expect(gate.limit).toBe(19);
  });

  it('answers that get through while requests wait raise the rate additively, never above the limit', async () => {
    const gate = new RequestGate(36, 100);
    gate.throttled(0, 50, performance.now());
    // The configured rate (36) is below the named limit: it stays the ceiling. 36 × 0.7 = 25.2.
    expect(gate.rate).toBeCloseTo(25.2, 5);
    const held = Array.from({ length: 60 }, () => gate.acquire());
    const out = await Promise.all(held.slice(0, 25));
    // A 429 answer raises nothing.
    out[0]?.(true);
    expect(gate.rate).toBeCloseTo(25.2, 5);
    // Each answer that got through, while others wait, adds 2% of the ceiling ÷ the rate: about 1 a second.
    for (const release of out.slice(1)) release();
    expect(gate.rate).toBeGreaterThan(25.2 + 24 * (0.72 / 26.2));
    expect(gate.rate).toBeLessThan(25.2 + 24 * (0.72 / 25.2) + 1e-9);
    // Never above the ceiling: a gate already at it stays there.
    const full = new RequestGate(5, 100);
    const waiting = Array.from({ length: 8 }, () => full.acquire());
    for (const release of await Promise.all(waiting.slice(0, 5))) release();
    expect(full.rate).toBe(5);
    void held;
  });

  it('lets no more than its in-flight limit out at once: the others wait in the gate, not in the pool', async () => {
    const gate = new RequestGate(undefined, 3);
    const released: (() => void)[] = [];
    const all = Array.from({ length: 7 }, () => gate.acquire().then((r) => released.push(r)));
    await new Promise((r) => setTimeout(r, 10));
    expect(released).toHaveLength(3);
    expect(gate.inFlight).toBe(3);
    released[0]?.();
    await new Promise((r) => setTimeout(r, 10));
    expect(released).toHaveLength(4);
    // A 429 now holds those still waiting in the gate.
    gate.throttled(10_000, 50);
    for (const r of released.slice(1)) r();
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toHaveLength(4);
    void all;
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
    const arrivals: number[] = [];
    server = await startTestServer((_req, res) => {
      arrivals.push(performance.now());
      if (arrivals.length === 1) json(res, 429, THROTTLED, { 'Retry-After': '1' });
      else json(res, 200, FLINK_OK);
    });
    const first = testClient(server.url);
    const second = testClient(server.url);
    clients.push(first, second);
    const firstCall = first.dli.getFlinkJobDetail(7); // 429, then waits out Retry-After and succeeds
    while (arrivals.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    // The second client asks during the pause the first one's 429 set: it is held until the pause ends.
    await Promise.all([firstCall, second.dli.getFlinkJobDetail(7)]);
    expect(arrivals).toHaveLength(3);
    expect((arrivals[1] as number) - (arrivals[0] as number)).toBeGreaterThanOrEqual(950);
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
