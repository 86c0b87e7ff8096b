import { describe, expect, it } from 'vitest';
import { Clock } from '../src/clock.js';
import type { Job } from '../src/index.js';
import { JobSchema, startEmulator } from '../src/index.js';
import { currentProgress, JobStore, viewJob } from '../src/jobs.js';
import { CDM_CLUSTER, CDM_OK, getJson, paths } from './helpers.js';

const job = (data: unknown): Job => JobSchema.parse(data);

describe('timelines', () => {
  const sql = job({
    kind: 'dli-sql',
    jobId: '85798b38-ae44-48eb-bb90-7cf0dcdafe7b',
    steps: [
      { status: 'LAUNCHING', durationMs: 1000 },
      { status: 'RUNNING', durationMs: 2000, progress: 0.2 },
      { status: 'RUNNING', durationMs: 0, progress: 0.9 },
      { status: 'FAILED' },
    ],
  });

  it('finds the current step from the time since the job was added', () => {
    const store = new JobStore();
    store.add([sql], 10_000);
    const [entry] = store.all();
    if (!entry) throw new Error('no entry');
    const at = (t: number) => viewJob(entry, t);
    expect(at(10_000).step.status).toBe('LAUNCHING');
    expect(at(10_999).index).toBe(0);
    expect(at(11_000).index).toBe(1);
    expect(at(12_000).fraction).toBeCloseTo(0.5);
    // A zero-length step is passed straight through.
    expect(at(13_000).step.status).toBe('FAILED');
    expect(at(13_000).fraction).toBeUndefined();
    expect(at(99_999_999).step.status).toBe('FAILED');
  });

  it('interpolates explicit rising progress only, never towards a lower value', () => {
    const store = new JobStore();
    store.add([sql], 0);
    const [entry] = store.all();
    if (!entry) throw new Error('no entry');
    const progress = (t: number) =>
      currentProgress(
        viewJob(entry, t),
        (s) => ('progress' in s ? s.progress : undefined),
        (s) => (s.status === 'FINISHED' ? 1 : 0),
      );
    expect(progress(500)).toBe(0); // LAUNCHING gives no progress of its own
    expect(progress(1000)).toBeCloseTo(0.2);
    expect(progress(2000)).toBeCloseTo(0.55);
    expect(progress(3000)).toBe(0); // FAILED, no blend
  });
});

describe('time scale', () => {
  it('runs emulator time X times faster than wall time', async () => {
    const clock = new Clock(600);
    const start = clock.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const elapsed = clock.now() - start;
    // 100 ms of wall time is a minute of emulator time.
    expect(elapsed).toBeGreaterThanOrEqual(55_000);
    expect(elapsed).toBeLessThan(300_000);
    expect(() => new Clock(0)).toThrow(RangeError);
  });

  it('plays a ten-minute job in about a second at 600x', async () => {
    const emulator = await startEmulator({ timeScale: 600 });
    try {
      emulator.admin.addJobs({
        kind: 'cdm',
        clusterId: 'c',
        jobName: 'ten-minutes',
        steps: [{ status: 'RUNNING', durationMs: 600_000, progress: 0 }, { status: 'SUCCEEDED' }],
      });
      const status = async () => (await getJson(emulator, paths.cdm('c', 'ten-minutes'))).body.submissions[0];
      const first = await status();
      expect(first.status).toBe('RUNNING');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const middle = await status();
      expect(middle.status).toBe('RUNNING');
      expect(middle.progress).toBeGreaterThan(first.progress);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect((await status()).status).toBe('SUCCEEDED');
    } finally {
      await emulator.close();
    }
  });

  it('runs the default scenario to its ends in seconds at 600x', async () => {
    const emulator = await startEmulator({ timeScale: 600 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await getJson(emulator, paths.cdm(CDM_CLUSTER, CDM_OK))).body.submissions[0].status).toBe(
        'SUCCEEDED',
      );
      const ends = emulator.admin.jobs().map((j) => j.status);
      expect(ends).toEqual([
        'job_running',
        'job_running_exception',
        'FINISHED',
        'FAILED',
        'EXCEPTION',
        'SUCCEEDED',
        'FAILED',
        'job_cancel_success',
        'STOPPED',
        'success',
        'NEVER_EXECUTED',
      ]);
    } finally {
      await emulator.close();
    }
  });
});
