import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/index.js';
import { startEmulator } from '../src/index.js';
import { admin, FLINK_RUNNING, json, MINUTE, paths, signedFetch } from './helpers.js';

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator({ timeScale: 1, seed: 3 });
});
afterEach(async () => {
  await emulator.close();
});

describe('admin HTTP API under /__emulator/', () => {
  it('reports health without a signature', async () => {
    const { status, body } = await admin(emulator, 'GET', 'health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', timeScale: 1, seed: 3, jobs: 11 });
    expect(Math.abs(body.now - Date.now())).toBeLessThan(5000);
  });

  it('lists jobs with their current status', async () => {
    const { body } = await admin(emulator, 'GET', 'jobs');
    expect(body.jobs).toHaveLength(11);
    expect(body.jobs[0]).toMatchObject({
      kind: 'dli-flink',
      identity: { jobId: 10001 },
      status: 'job_submitting',
    });
  });

  it('adds one job or several, validated like the scenario', async () => {
    const one = await admin(emulator, 'POST', 'jobs', {
      kind: 'cdm',
      clusterId: 'c1',
      jobName: 'added',
      steps: [{ status: 'RUNNING', durationMs: 1000 }, { status: 'SUCCEEDED' }],
    });
    expect(one).toEqual({ status: 201, body: { added: 1 } });
    const many = await admin(emulator, 'POST', 'jobs', [
      { kind: 'dli-flink', jobId: 77, steps: [{ status: 'job_running' }] },
      { kind: 'dli-flink', jobId: 78, steps: [{ status: 'job_init' }] },
    ]);
    expect(many.body.added).toBe(2);
    expect((await signedFetch(emulator, paths.cdm('c1', 'added'))).status).toBe(200);
    expect((await signedFetch(emulator, paths.flinkDetail(78))).status).toBe(200);

    const bad = await admin(emulator, 'POST', 'jobs', [
      { kind: 'dli-flink', jobId: 79, steps: [{ status: 'job_running' }] },
      { kind: 'dli-sql', jobId: 'not-a-uuid', steps: [{ statuss: 'RUNNING' }] },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('jobs[1].jobId');
    expect(bad.body.error).toContain('jobs[1].steps[0].status: required');
    expect(bad.body.error).toContain('jobs[1].steps[0]: not a known field: statuss');
    // Nothing of a rejected batch is added.
    expect((await signedFetch(emulator, paths.flinkDetail(79))).status).toBe(400);

    const notJson = await fetch(`${emulator.url}/__emulator/jobs`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect((await json(notJson)).error).toMatch(/not valid JSON/);
  });

  it('a job starts its timeline when added', async () => {
    emulator.admin.advanceClock(10 * MINUTE);
    await admin(emulator, 'POST', 'jobs', {
      kind: 'dli-flink',
      jobId: 5,
      steps: [{ status: 'job_submitting', durationMs: MINUTE }, { status: 'job_running' }],
    });
    const status = async () =>
      (await json(await signedFetch(emulator, paths.flinkDetail(5)))).job_detail.status;
    expect(await status()).toBe('job_submitting');
    await admin(emulator, 'POST', 'clock/advance', { ms: MINUTE });
    expect(await status()).toBe('job_running');
  });

  it('advances the clock', async () => {
    const before = emulator.admin.now();
    const { status, body } = await admin(emulator, 'POST', 'clock/advance', { ms: 3 * MINUTE });
    expect(status).toBe(200);
    expect(body.now - before).toBeGreaterThanOrEqual(3 * MINUTE);
    expect(body.now - before).toBeLessThan(3 * MINUTE + 5000);
    expect((await admin(emulator, 'POST', 'clock/advance', { ms: -1 })).status).toBe(400);
    expect((await admin(emulator, 'POST', 'clock/advance', {})).status).toBe(400);
  });

  it('logs API requests (method, path, status, time), not admin ones, and clears the log', async () => {
    await signedFetch(emulator, paths.flinkDetail(FLINK_RUNNING));
    await signedFetch(emulator, `${paths.flinkList('limit=2')}`);
    await fetch(`${emulator.url}/nope`);
    const { body } = await admin(emulator, 'GET', 'requests');
    expect(body.requests.map((r: { status: number }) => r.status)).toEqual([200, 200, 404]);
    expect(body.requests[1]).toMatchObject({
      method: 'GET',
      path: paths.flinkList(),
      query: 'limit=2',
      route: 'dli.flink.list',
    });
    expect(body.requests[2]).toMatchObject({ errorCode: 'APIG.0101' });
    expect(Date.parse(body.requests[0].time)).not.toBeNaN();
    expect(body.requests[0].requestId).toMatch(/^[0-9a-f]{32}$/);

    expect((await admin(emulator, 'DELETE', 'requests')).body).toEqual({ cleared: true });
    expect((await admin(emulator, 'GET', 'requests')).body.requests).toEqual([]);
  });

  it('adds, lists and clears faults', async () => {
    expect((await admin(emulator, 'POST', 'faults', { type: '503', count: 2 })).body).toEqual({ added: 1 });
    expect((await admin(emulator, 'GET', 'faults')).body.faults).toEqual([
      { type: '503', count: 2, remaining: 2 },
    ]);
    expect((await signedFetch(emulator, paths.flinkDetail(FLINK_RUNNING))).status).toBe(503);
    expect((await admin(emulator, 'GET', 'faults')).body.faults[0].remaining).toBe(1);
    expect((await admin(emulator, 'DELETE', 'faults')).status).toBe(200);
    expect((await signedFetch(emulator, paths.flinkDetail(FLINK_RUNNING))).status).toBe(200);

    const bad = await admin(emulator, 'POST', 'faults', { type: '418' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('fault.type');
  });

  it('resets to the loaded scenario: jobs, clock, log and faults', async () => {
    await admin(emulator, 'POST', 'jobs', {
      kind: 'dli-flink',
      jobId: 99,
      steps: [{ status: 'job_running' }],
    });
    await admin(emulator, 'POST', 'clock/advance', { ms: 60 * MINUTE });
    await admin(emulator, 'POST', 'faults', { type: '502', match: { path: '/v1/' } });
    await signedFetch(emulator, paths.flinkDetail(99));

    const { status, body } = await admin(emulator, 'POST', 'reset');
    expect(status).toBe(200);
    expect(Math.abs(body.now - Date.now())).toBeLessThan(5000);
    expect((await admin(emulator, 'GET', 'requests')).body.requests).toEqual([]);
    expect((await admin(emulator, 'GET', 'faults')).body.faults).toEqual([]);
    expect((await signedFetch(emulator, paths.flinkDetail(99))).status).toBe(400);
    const job = await json(await signedFetch(emulator, paths.flinkDetail(FLINK_RUNNING)));
    expect(job.job_detail.status).toBe('job_submitting');
  });

  it('answers 404 for unknown admin endpoints and 405 for wrong methods', async () => {
    expect((await admin(emulator, 'GET', 'nothing')).status).toBe(404);
    const wrong = await fetch(`${emulator.url}/__emulator/reset`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });
});

describe('in-process admin helpers', () => {
  it('mirror the HTTP API', async () => {
    expect(emulator.credentials.accessKey).toBe('JOBGATEEMULATORAK00');
    expect(emulator.scenario.jobs).toHaveLength(11);
    expect(() => emulator.admin.addJobs({ kind: 'cdm', clusterId: 'c', steps: [] } as never)).toThrow(
      /job\.jobName/,
    );
    expect(() => emulator.admin.addFaults({ type: 'latency', probability: 2 })).toThrow(/fault\.probability/);
    expect(() => emulator.admin.advanceClock(-5)).toThrow(RangeError);
    emulator.admin.addJobs({ kind: 'dli-flink', jobId: 4, steps: [{ status: 'job_running' }] });
    expect(emulator.admin.jobs()).toHaveLength(12);
    await signedFetch(emulator, paths.flinkDetail(4));
    expect(emulator.admin.requests()).toHaveLength(1);
    emulator.admin.clearRequests();
    expect(emulator.admin.requests()).toHaveLength(0);
  });
});
