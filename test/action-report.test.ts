import { describe, expect, it } from 'vitest';
import { Heartbeat, renderSummary, stateLine } from '../action/src/report.js';
import type { JobState } from '../packages/core/src/index.js';

const state = (overrides: Partial<JobState> = {}): JobState => ({
  kind: 'cdm',
  ref: { clusterId: 'c1', jobName: 'a|b' },
  phase: 'running',
  status: 'RUNNING',
  progress: 0.42,
  observedAt: '2026-01-01T00:00:00.000Z',
  raw: {},
  ...overrides,
});

describe('Heartbeat', () => {
  it('is due at most once a minute while nothing changes, and a state line resets it', () => {
    const beat = new Heartbeat(60_000, 0);
    expect(beat.due(30_000)).toBe(false);
    expect(beat.due(60_000)).toBe(true);
    expect(beat.due(90_000)).toBe(false);
    expect(beat.due(120_000)).toBe(true);
    beat.logged(150_000);
    expect(beat.due(200_000)).toBe(false);
    expect(beat.due(210_000)).toBe(true);
  });
});

describe('log lines and summary', () => {
  it('a state line has the status, phase, progress and message', () => {
    expect(stateLine(state())).toBe('RUNNING (running, 42%)');
    expect(
      stateLine(state({ phase: 'failed', status: 'FAILED', progress: undefined, message: 'Cdm.0517' })),
    ).toBe('FAILED (failed): Cdm.0517');
  });

  it("the summary escapes table cells and shows the kind's own tables", () => {
    const md = renderSummary({
      kind: 'cdm',
      ref: { clusterId: 'c1', jobName: 'a|b' },
      region: 'cn-north-4',
      state: state({
        details: [{ title: 'Counters', columns: ['counter', 'value'], rows: [['ROWS_READ', 18]] }],
      }),
      verdict: 'failed',
      reason: 'cdm job failed',
      durationMs: 90_000,
      requests: 7,
    });
    expect(md).toContain('## ❌ JobGate: cdm job failed');
    expect(md).toContain('| Job | cdm job clusterId=c1 jobName=a\\|b |');
    expect(md).toContain('| Region | cn-north-4 |');
    expect(md).toContain('| Waited | 1m30s |');
    expect(md).toContain('| Requests made | 7 |');
    expect(md).toContain('### Counters');
    expect(md).toContain('| ROWS_READ | 18 |');
  });

  it('names the endpoint where one was given instead of a region, and rounds the time waited', () => {
    const md = renderSummary({
      kind: 'cdm',
      ref: { clusterId: 'c1', jobName: 'j' },
      region: 'https://private.example.com:8443/huawei',
      state: state(),
      verdict: 'passed',
      reason: 'ok',
      durationMs: 280.922196,
      requests: 1,
    });
    expect(md).toContain('| Endpoint | https://private.example.com:8443/huawei |');
    // A measured time is shown in whole milliseconds.
    expect(md).toContain('| Waited | 281 ms |');
    expect(md).not.toContain('| Region |');
  });

  it('labels a table read before the final status as last seen, and leaves a current one as it is', () => {
    const table = { title: 'Sub-jobs', columns: ['id', 'status'], rows: [[0, 'RUNNING']] };
    const final = state({ phase: 'succeeded', status: 'FINISHED', observedAt: '2026-01-01T00:01:30.000Z' });
    const render = (observedAt: string) =>
      renderSummary({
        kind: 'dli-sql',
        ref: { jobId: 'x' },
        region: 'cn-north-4',
        state: { ...final, details: [{ ...table, observedAt }] },
        verdict: 'passed',
        reason: 'ok',
        durationMs: 90_000,
        requests: 3,
      });
    expect(render('2026-01-01T00:00:30.000Z')).toContain(
      '### Sub-jobs, last seen 1m before the final status FINISHED\n',
    );
    expect(render(final.observedAt)).toContain('### Sub-jobs\n');
  });
});
