import { afterEach, describe, expect, it, vi } from 'vitest';
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
    // Eight requests answered within the second, in slow start (its rate is 10): what the gateway refused.
    for (let i = 0; i < 8; i++) (await gate.acquire())();
    gate.throttled(300, 5);
    // The named limit (5) caps what went out, then the rate drops multiplicatively: 3.5.
    expect(gate.slowStart).toBe(false);
    expect(gate.limit).toBe(3);
    const started = Date.now();
    await gate.acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('slow start: a lone request leaves at once; a burst leaves a few at once, the rest in order as the rate grows', async () => {
    const lone = new RequestGate();
    (await lone.acquire())();
    expect(lone.delayed).toBe(0);

    const gate = new RequestGate();
    const order: number[] = [];
    const all = Array.from({ length: 14 }, (_, i) =>
      gate.acquire().then((release) => {
        order.push(i);
        release();
      }),
    );
    // Only microtasks have run: what left without waiting for a timer.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(order).toEqual([0, 1, 2, 3]);
    expect(gate.delayed).toBe(10);
    await Promise.all(all);
    expect(order).toEqual(Array.from({ length: 14 }, (_, i) => i));
    // Every answer that came back while others waited raised the rate by half a request a second.
    expect(gate.slowStart).toBe(true);
    expect(gate.rate).toBeGreaterThanOrEqual(10 + 10 * 0.5);
  });

  it('slow start grows for one request after another too, once they fill the window', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const gate = new RequestGate();
      let sent = 0;
      const poll = (async () => {
        for (; sent < 60; sent++) {
          const release = await gate.acquire();
          release();
        }
      })();
      while (sent < 60) await vi.advanceTimersByTimeAsync(50);
      await poll;
      // Never two at once, yet the rate rose past the ten a second it starts at.
      expect(gate.rate).toBeGreaterThanOrEqual(15);
      expect(gate.slowStart).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('the first 429 ends slow start and cuts what went out, not the rate slow start had reached', async () => {
    const gate = new RequestGate();
    const released = await Promise.all(Array.from({ length: 4 }, () => gate.acquire()));
    for (const release of released.slice(1)) release();
    // Four counted (one in flight, three answered): 4 × 0.7, whatever the rate had grown to.
    gate.throttled(0, 50, performance.now());
    released[0]?.(true);
    expect(gate.slowStart).toBe(false);
    expect(gate.rate).toBeCloseTo(2.8, 5);
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

  it('after a 429, the rate climbs fast back to where it was cut, slowly above it, faster the longer no 429 comes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const gate = new RequestGate(undefined, 100);
      const first = await Promise.all(Array.from({ length: 4 }, () => gate.acquire()));
      // Four went out in the window the gateway refused (this process's part of the key's limit): the knee.
      gate.throttled(0, 50, performance.now());
      expect(gate.rate).toBeCloseTo(2.8, 5);
      const steps: { at: number; from: number; by: number }[] = [];
      const held = Array.from({ length: 150 }, () =>
        gate.acquire().then((release) => {
          const from = gate.rate;
          release();
          steps.push({ at: performance.now(), from, by: gate.rate - from });
        }),
      );
      // The burst the gateway refused: 429s raise nothing.
      for (const release of first) release(true);
      const above = () => steps.find((s) => s.from >= 4);
      while (!above() || performance.now() - (above()?.at ?? 0) < 12_000)
        await vi.advanceTimersByTimeAsync(100);
      const kneeAt = above()?.at as number;
      // Up to the knee (4): 2% of the named limit a second, one request a second, 1/rate per answer.
      const below = steps.filter((s) => s.from < 4);
      expect(below.length).toBeGreaterThan(0);
      expect(below.length).toBeLessThan(8);
      expect(steps[0]?.by).toBeCloseTo(1 / 2.8, 5);
      // Above it, for the first 4 s without a 429: at most half that (0.5% of the limit, doubling every 4 s).
      const slow = steps.filter((s) => s.from >= 4 && s.at < kneeAt + 4000);
      expect(slow.length).toBeGreaterThan(5);
      for (const s of slow) expect(s.by).toBeLessThanOrEqual(0.5 / s.from + 1e-9);
      // 8 s on, back to the whole step.
      const late = steps.filter((s) => s.at >= kneeAt + 8000);
      expect(late.length).toBeGreaterThan(5);
      for (const s of late) expect(s.by).toBeCloseTo(1 / s.from, 9);
      void held;
    } finally {
      vi.useRealTimers();
    }
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

  it('held requests give up at their own time limits, whatever their order, and the others still leave in order', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const gate = new RequestGate(undefined, 1);
      const first = await gate.acquire();
      const outcome: string[] = [];
      const held = [3000, 1000, 5000, 2000].map((hold, i) =>
        gate.acquire(undefined, hold).then(
          (release) => {
            outcome.push(`${i} left`);
            release();
          },
          (error: Error) => outcome.push(`${i} ${error.name} ${error.message}`),
        ),
      );
      await vi.advanceTimersByTimeAsync(1001);
      expect(outcome).toEqual([
        "1 GateTimeoutError held back by the request budget for 1000 ms, the request's own time limit",
      ]);
      await vi.advanceTimersByTimeAsync(1000);
      expect(outcome).toHaveLength(2);
      expect(outcome[1]).toMatch(/^3 GateTimeoutError .* 2000 ms/);
      // The place frees: the first still held (0) leaves, then the next (2).
      first();
      await vi.advanceTimersByTimeAsync(200);
      expect(outcome.slice(2)).toEqual(['0 left', '2 left']);
      await Promise.all(held);
    } finally {
      vi.useRealTimers();
    }
  });

  it('an aborted held request leaves at once, and the next one takes its turn', async () => {
    const gate = new RequestGate(undefined, 1);
    const first = await gate.acquire();
    const controller = new AbortController();
    const aborted = gate.acquire(controller.signal);
    const next = gate.acquire();
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    first();
    const release = await next;
    expect(gate.inFlight).toBe(1);
    release();
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
