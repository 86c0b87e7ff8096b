import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodeMsgBody } from '../../core/src/error-schemas.js';
import { pathMatches } from '../src/faults.js';
import type { Emulator, EmulatorOptions, FaultInput } from '../src/index.js';
import { createPrng, startEmulator } from '../src/index.js';
import { AK, admin, FLINK_RUNNING, json, paths, SQL_OK, STS, signedFetch } from './helpers.js';

const started: Emulator[] = [];
async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = await startEmulator({ timeScale: 1, ...options });
  started.push(emulator);
  return emulator;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.close()));
});

const detail = paths.flinkDetail(FLINK_RUNNING);

describe('status faults', () => {
  it('429 answers APIG.0308 in the gateway shape with Retry-After', async () => {
    const emulator = await start();
    emulator.admin.addFaults({ type: '429', retryAfterSeconds: 3, count: 1 });
    const response = await signedFetch(emulator, detail);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    const body = ErrorCodeMsgBody.parse(await response.json());
    expect(body.error_code).toBe('APIG.0308');
    expect(body.error_msg).toBe(
      'The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second',
    );
    expect(body.request_id).toBe(response.headers.get('x-request-id'));
    // count: 1 means the next request goes through.
    expect((await signedFetch(emulator, detail)).status).toBe(200);
    expect(emulator.admin.requests().map((r) => r.fault)).toEqual(['429', undefined]);
  });

  it.each(['500', '502', '503', '504'] as const)(
    '%s answers that status in the gateway shape',
    async (type) => {
      const emulator = await start();
      emulator.admin.addFaults({ type, count: 1 });
      const response = await signedFetch(emulator, detail);
      expect(response.status).toBe(Number(type));
      const body = ErrorCodeMsgBody.parse(await response.json());
      expect(body.error_code).toMatch(/^APIG\./);
      expect(body.request_id).toBe(response.headers.get('x-request-id'));
    },
  );

  it('dli-0999 answers the progress API busy-queue error', async () => {
    const emulator = await start();
    emulator.admin.addFaults({ type: 'dli-0999', match: { path: '*/progress' } });
    const progress = await signedFetch(emulator, paths.sqlProgress(SQL_OK));
    expect(progress.status).toBe(400);
    expect((await json(progress)).error_code).toBe('DLI.0999');
    expect((await signedFetch(emulator, paths.sqlStatus(SQL_OK))).status).toBe(200);
  });

  it('does not replace an authentication failure: a badly signed request still gets 401', async () => {
    const emulator = await start();
    emulator.admin.addFaults({ type: '503' });
    const response = await signedFetch(emulator, detail, { credentials: { ...STS, securityToken: 'wrong' } });
    expect(response.status).toBe(401);
  });
});

describe('body and connection faults', () => {
  it('drop closes the connection without an answer', async () => {
    const emulator = await start();
    emulator.admin.addFaults({ type: 'drop', count: 1 });
    await expect(signedFetch(emulator, detail)).rejects.toThrow();
    expect((await signedFetch(emulator, detail)).status).toBe(200);
    expect(emulator.admin.requests()[0]).toMatchObject({ status: 0, fault: 'drop' });
  });

  it('latency holds the answer for latencyMs', async () => {
    const emulator = await start();
    emulator.admin.addFaults({ type: 'latency', latencyMs: 300, count: 1 });
    const before = performance.now();
    expect((await signedFetch(emulator, detail)).status).toBe(200);
    expect(performance.now() - before).toBeGreaterThanOrEqual(290);
    const quick = performance.now();
    await signedFetch(emulator, detail);
    expect(performance.now() - quick).toBeLessThan(250);
    expect(emulator.admin.requests()[0]).toMatchObject({ fault: 'latency', latencyMs: 300, status: 200 });
  });

  it('truncate sends a 200 with half of the real JSON body', async () => {
    const emulator = await start();
    emulator.admin.addFaults({ type: 'truncate', count: 1 });
    const response = await signedFetch(emulator, detail);
    expect(response.status).toBe(200);
    const text = await response.text();
    const full = await (await signedFetch(emulator, detail)).text();
    expect(() => JSON.parse(text)).toThrow();
    expect(full.startsWith(text)).toBe(true);
    expect(text.length).toBe(Math.floor(Buffer.byteLength(full) / 2));
  });

  it('non-json sends an HTML page, with 502 by default or 200 when asked', async () => {
    const emulator = await start();
    emulator.admin.addFaults([
      { type: 'non-json', count: 1 },
      { type: 'non-json', status: 200, count: 1 },
    ]);
    const first = await signedFetch(emulator, detail);
    expect(first.status).toBe(502);
    expect(first.headers.get('content-type')).toMatch(/text\/html/);
    expect(await first.text()).toMatch(/<html>/);
    const second = await signedFetch(emulator, detail);
    expect(second.status).toBe(200);
    await expect(second.json()).rejects.toThrow();
  });
});

describe('respond: a scripted raw answer', () => {
  it('sends exactly the scripted status, headers and body, added through the admin API', async () => {
    const emulator = await start();
    const body = '{"job_detail": {"status": "jöb_running"';
    expect(
      await admin(emulator, 'POST', 'faults', {
        type: 'respond',
        status: 418,
        headers: { 'Content-Type': 'application/json', 'X-Scripted': 'yes' },
        body,
        count: 1,
      }),
    ).toEqual({ status: 201, body: { added: 1 } });
    const response = await signedFetch(emulator, detail);
    expect(response.status).toBe(418);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-scripted')).toBe('yes');
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from(body, 'utf8'));
    // count: 1 retires it: the real answer follows.
    const real = await signedFetch(emulator, detail);
    expect(real.status).toBe(200);
    expect((await json(real)).job_detail.job_id).toBe(FLINK_RUNNING);
    expect(emulator.admin.requests().map((r) => [r.status, r.fault])).toEqual([
      [418, 'respond'],
      [200, undefined],
    ]);
  });

  it('sends the raw bytes of bodyBase64, invalid UTF-8 included, with status 200 by default', async () => {
    const emulator = await start();
    const bytes = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x00, 0xed, 0xa0, 0x80, 0x22, 0x7d]);
    emulator.admin.addFaults({ type: 'respond', bodyBase64: bytes.toString('base64'), count: 1 });
    const response = await signedFetch(emulator, detail);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBeNull();
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it('sends no body with a 204', async () => {
    const emulator = await start();
    emulator.admin.addFaults({ type: 'respond', status: 204, body: 'dropped', count: 1 });
    const response = await signedFetch(emulator, detail);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(response.headers.get('content-length')).toBeNull();
  });

  it('comes after authentication: a badly signed request gets its 401 and leaves the count', async () => {
    const emulator = await start();
    emulator.admin.addFaults({ type: 'respond', body: 'scripted', count: 1 });
    const bad = await signedFetch(emulator, detail, { credentials: { accessKey: AK, secretKey: 'wrong' } });
    expect(bad.status).toBe(401);
    expect(ErrorCodeMsgBody.parse(await bad.json()).error_code).toBe('APIG.0301');
    expect(await (await signedFetch(emulator, detail)).text()).toBe('scripted');
    expect((await signedFetch(emulator, detail)).status).toBe(200);
  });

  it('comes from a scenario file, matched by path and method, and retires after count', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jobgate-respond-')), 'scenario.json');
    writeFileSync(
      file,
      JSON.stringify({
        credentials: [{ accessKey: 'AK1', secretKey: 'SK1', projectId: 'p1' }],
        faults: [
          {
            type: 'respond',
            match: { path: '/progress', method: 'GET' },
            status: 599,
            headers: { 'Retry-After': '7' },
            body: 'odd',
            count: 2,
          },
        ],
        jobs: [
          { kind: 'dli-flink', jobId: 1, steps: [{ status: 'job_running' }] },
          { kind: 'dli-sql', jobId: SQL_OK, steps: [{ status: 'RUNNING' }] },
        ],
      }),
    );
    const emulator = await start({ scenario: file });
    const credentials = { accessKey: 'AK1', secretKey: 'SK1' };
    expect((await signedFetch(emulator, paths.flinkDetail(1, 'p1'), { credentials })).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const scripted = await signedFetch(emulator, paths.sqlProgress(SQL_OK, 'p1'), { credentials });
      expect(scripted.status).toBe(599);
      expect(scripted.headers.get('retry-after')).toBe('7');
      expect(await scripted.text()).toBe('odd');
    }
    const real = await signedFetch(emulator, paths.sqlProgress(SQL_OK, 'p1'), { credentials });
    expect(real.status).toBe(200);
    expect((await json(real)).is_success).toBe(true);
    expect((await admin(emulator, 'GET', 'faults')).body.faults).toEqual([]);
  });
});

describe('matching', () => {
  it('matches by path substring or glob, method and access key', async () => {
    const emulator = await start();
    emulator.admin.addFaults([
      { type: '503', match: { path: '/streaming/jobs/' } },
      { type: '504', match: { path: '/v1.1/*/status', method: 'get' } },
      { type: '502', match: { accessKey: STS.accessKey } },
    ]);
    expect((await signedFetch(emulator, detail)).status).toBe(503);
    expect((await signedFetch(emulator, paths.cdm('c', 'j'))).status).toBe(504);
    expect((await signedFetch(emulator, paths.sqlStatus(SQL_OK))).status).toBe(200);
    expect((await signedFetch(emulator, paths.sqlStatus(SQL_OK), { credentials: STS })).status).toBe(502);
  });

  it('glob patterns cover the whole path; plain patterns are substrings', () => {
    expect(pathMatches('/v1/*/progress', '/v1/p/jobs/x/progress')).toBe(true);
    expect(pathMatches('/v1/*/progress', '/v1/p/jobs/x/progress/more')).toBe(false);
    expect(pathMatches('jobs', '/v1/p/jobs/x/status')).toBe(true);
    expect(pathMatches('a.b', '/aXb')).toBe(false);
  });

  it('clearFaults removes run-time faults; faults from the scenario come back on reset', async () => {
    const emulator = await start({
      scenario: {
        credentials: [{ accessKey: 'AK1', secretKey: 'SK1', projectId: 'p1' }],
        faults: [{ type: '500', count: 1 }],
        jobs: [{ kind: 'dli-flink', jobId: 1, steps: [{ status: 'job_running' }] }],
      },
    });
    const credentials = { accessKey: 'AK1', secretKey: 'SK1' };
    const path = paths.flinkDetail(1, 'p1');
    expect((await signedFetch(emulator, path, { credentials })).status).toBe(500);
    expect((await signedFetch(emulator, path, { credentials })).status).toBe(200);
    emulator.admin.addFaults({ type: '502' });
    expect((await signedFetch(emulator, path, { credentials })).status).toBe(502);
    emulator.admin.clearFaults();
    expect((await signedFetch(emulator, path, { credentials })).status).toBe(200);
    emulator.admin.reset();
    expect((await signedFetch(emulator, path, { credentials })).status).toBe(500);
  });
});

describe('probability and determinism', () => {
  async function sequence(seed: number, faults: FaultInput[], requests = 40): Promise<number[]> {
    const emulator = await start({ seed });
    emulator.admin.addFaults(faults);
    const statuses: number[] = [];
    for (let i = 0; i < requests; i++) statuses.push((await signedFetch(emulator, detail)).status);
    return statuses;
  }

  it('repeats exactly for a seed, differs for another, and honours the share', async () => {
    const faults: FaultInput[] = [
      { type: '503', probability: 0.3 },
      { type: '429', probability: 0.2 },
    ];
    const a = await sequence(42, faults);
    const b = await sequence(42, faults);
    const c = await sequence(43, faults);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const share = a.filter((s) => s !== 200).length / a.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.7);
    expect(a).toContain(503);
    expect(a).toContain(429);
    expect(a).toContain(200);
  });

  it('the PRNG is mulberry32-like: repeatable, in [0, 1)', () => {
    const one = createPrng(9);
    const two = createPrng(9);
    const values = Array.from({ length: 1000 }, () => one.next());
    expect(values).toEqual(Array.from({ length: 1000 }, () => two.next()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(new Set(values).size).toBe(1000);
  });

  it('request ids repeat for a seed', async () => {
    const ids = async (seed: number) => {
      const emulator = await start({ seed });
      const out: Array<string | null> = [];
      for (let i = 0; i < 3; i++) out.push((await signedFetch(emulator, detail)).headers.get('x-request-id'));
      return out;
    };
    expect(await ids(5)).toEqual(await ids(5));
    expect(await ids(5)).not.toEqual(await ids(6));
  });
});

describe('per-AK rate limit', () => {
  it('answers 429 APIG.0308 with the limit once an AK exceeds N requests in a second', async () => {
    const emulator = await start({
      scenario: {
        credentials: [
          { accessKey: 'AK1', secretKey: 'SK1', projectId: 'p1' },
          { accessKey: 'AK2', secretKey: 'SK2', projectId: 'p1' },
        ],
        rateLimit: { perAkPerSecond: 3 },
        jobs: [{ kind: 'dli-flink', jobId: 1, steps: [{ status: 'job_running' }] }],
      },
    });
    const path = paths.flinkDetail(1, 'p1');
    const ak1 = { accessKey: 'AK1', secretKey: 'SK1' };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await signedFetch(emulator, path, { credentials: ak1 })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const throttled = await signedFetch(emulator, path, { credentials: ak1 });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = ErrorCodeMsgBody.parse(await throttled.json());
    expect(body.error_msg).toBe(
      'The throttling threshold has been reached: policy user over ratelimit,limit:3,time:1 second',
    );
    // Another AK has its own window.
    expect(
      (await signedFetch(emulator, path, { credentials: { accessKey: 'AK2', secretKey: 'SK2' } })).status,
    ).toBe(200);
    expect(emulator.admin.requests().filter((r) => r.fault === 'rate-limit')).toHaveLength(2);
    // A second later the window has room again.
    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect((await signedFetch(emulator, path, { credentials: ak1 })).status).toBe(200);
  });
});
