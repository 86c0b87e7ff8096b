import { JOB_KINDS, startFieldsOf } from '@jobgate/core';
import { type Emulator, startEmulator } from '@jobgate/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_NODES,
  collect,
  emulatorConfig,
  eventually,
  helper,
  type Msg,
  newId,
  nextMessage,
  statuses,
} from './support/node-red.mjs';

// The start node, and the wait node's stop, in a real Node-RED runtime against the emulator.
const TIME_SCALE = 100;
const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';
const HOURS = 10 * 3_600_000;

let emulator: Emulator;
let next = 0;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: TIME_SCALE, seed: 5 });
});
afterAll(async () => {
  await emulator?.close();
});
afterEach(async () => {
  await helper.unload();
  emulator.admin.clearFaults();
});

const requests = (method: string, fragment: string) =>
  emulator.admin.requests().filter((r) => r.method === method && r.path.includes(fragment));

/** A statement of its own, playing `steps` when submitted. */
function statement(steps: { status: string; durationMs?: number; message?: string }[]): string {
  const table = `nr_${next++}`;
  emulator.admin.addOnStart({ kind: 'dli-sql', statement: table, steps } as never);
  return `INSERT INTO dws.${table} SELECT * FROM ods.orders`;
}

interface FlowOptions {
  start?: Record<string, unknown>;
  wait?: Record<string, unknown>;
}

/** start job → wait for job → succeeded / failed helpers, with a catch node for each node's errors. */
async function load(options: FlowOptions = {}) {
  const config = emulatorConfig(emulator);
  const tab = newId();
  const ids = {
    start: newId(),
    wait: newId(),
    started: newId(),
    succeeded: newId(),
    failed: newId(),
    caught: newId(),
  };
  const flow = [
    { id: tab, type: 'tab', label: 'test' },
    config.node,
    {
      id: ids.start,
      z: tab,
      type: 'huaweicloud-job-start',
      server: config.id,
      kind: '',
      fields: {},
      ...options.start,
      wires: [[ids.wait, ids.started]],
    },
    {
      id: ids.wait,
      z: tab,
      type: 'huaweicloud-job-wait',
      server: config.id,
      kind: '',
      fields: {},
      until: 'finished',
      timeout: '1m',
      interval: '100ms',
      ...options.wait,
      outputs: 2,
      wires: [[ids.succeeded], [ids.failed]],
    },
    { id: ids.started, z: tab, type: 'helper' },
    { id: ids.succeeded, z: tab, type: 'helper' },
    { id: ids.failed, z: tab, type: 'helper' },
    { id: newId(), z: tab, type: 'catch', scope: null, uncaught: false, wires: [[ids.caught]] },
    { id: ids.caught, z: tab, type: 'helper' },
  ];
  await helper.load(ALL_NODES, flow, config.credentials);
  const get = (id: string) => helper.getNode(id);
  return {
    start: get(ids.start),
    wait: get(ids.wait),
    started: get(ids.started),
    succeeded: get(ids.succeeded),
    failed: get(ids.failed),
    caught: get(ids.caught),
  };
}

describe('huaweicloud-job-start → huaweicloud-job-wait', () => {
  it('submits a statement from msg.sql; the wait node takes the started job as it comes and succeeds', async () => {
    const sql = statement([
      { status: 'LAUNCHING', durationMs: 20_000 },
      { status: 'RUNNING', durationMs: 20_000 },
      { status: 'FINISHED' },
    ]);
    const { start, started, succeeded, failed } = await load();
    const shown = statuses(start);
    const lost = collect(failed);
    const out = nextMessage(started, 10_000);
    const done = nextMessage(succeeded, 15_000);
    start.receive({ kind: 'dli-sql', sql, topic: 'nightly' });
    const sent = await out;
    expect(sent.kind).toBe('dli-sql');
    expect(sent.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.payload).toEqual({ kind: 'dli-sql', jobId: sent.jobId });
    expect(sent.job).toEqual({ kind: 'dli-sql', ref: { jobId: sent.jobId } });
    const msg = await done;
    expect(msg.job).toMatchObject({ kind: 'dli-sql', ref: { jobId: sent.jobId }, phase: 'succeeded' });
    expect(msg.topic).toBe('nightly');
    expect(lost).toEqual([]);
    expect(shown[0]).toEqual({ fill: 'blue', shape: 'dot', text: 'starting' });
    expect(shown.at(-1)).toEqual({ fill: 'green', shape: 'dot', text: `started ${sent.jobId}` });
  });

  it('a statement that fails leaves on "failed" with its message', async () => {
    const sql = statement([
      { status: 'LAUNCHING', durationMs: 10_000 },
      { status: 'FAILED', message: 'DLI.0005: Table or view not found' },
    ]);
    const { start, failed } = await load();
    const done = nextMessage(failed, 15_000);
    start.receive({ kind: 'dli-sql', sql });
    const msg = await done;
    expect(msg.job).toMatchObject({ phase: 'failed', message: 'DLI.0005: Table or view not found' });
    expect(msg.error.code).toBe('JOBGATE_JOB_FAILED');
  });

  it('msg.cancel stops a job the wait node may stop: the emulator sees the stop, the job ends cancelled', async () => {
    const sql = statement([{ status: 'RUNNING', durationMs: HOURS }, { status: 'FINISHED' }]);
    const { start, wait, started, failed } = await load({ wait: { stopOnCancel: true } });
    const shown = statuses(wait);
    const out = nextMessage(started, 10_000);
    const ended = nextMessage(failed, 15_000);
    start.receive({ kind: 'dli-sql', sql });
    const { jobId } = await out;
    await eventually(() => expect(shown.some((s) => s.text?.startsWith('running'))).toBe(true), 10_000);
    wait.receive({ kind: 'dli-sql', jobId, cancel: true });
    const msg = await ended;
    expect(msg.stopped).toBe(true);
    expect(msg.error.code).toBe('ABORT_ERR');
    expect(requests('DELETE', `/jobs/${jobId}`)).toHaveLength(1);
    await eventually(() => expect(shown.at(-1)).toEqual({ fill: 'red', shape: 'ring', text: 'stopped' }));
    const state = (await (await fetch(`${emulator.url}/__emulator/jobs`)).json()) as unknown;
    expect(JSON.stringify(state)).toContain(jobId);
  });

  it('without the option (the default), msg.cancel ends the wait and leaves the job running', async () => {
    const sql = statement([{ status: 'RUNNING', durationMs: HOURS }, { status: 'FINISHED' }]);
    const { start, wait, started, failed } = await load();
    const out = nextMessage(started, 10_000);
    const ended = nextMessage(failed, 15_000);
    start.receive({ kind: 'dli-sql', sql });
    const { jobId } = await out;
    await new Promise((resolve) => setTimeout(resolve, 300));
    wait.receive({ kind: 'dli-sql', jobId, cancel: true });
    const msg = await ended;
    expect(msg.stopped).toBeUndefined();
    expect(requests('DELETE', `/jobs/${jobId}`)).toHaveLength(0);
  });

  it('stops the job when the wait times out, with the option', async () => {
    emulator.admin.addJobs({
      kind: 'cdm',
      clusterId: CLUSTER,
      jobName: 'nr_timeout',
      steps: [{ status: 'NEVER_EXECUTED' }],
      onStart: [{ status: 'BOOTING', durationMs: HOURS }, { status: 'SUCCEEDED' }],
    } as never);
    const { start, failed } = await load({ wait: { stopOnCancel: true, timeout: '1s' } });
    const ended = nextMessage(failed, 15_000);
    start.receive({ kind: 'cdm', clusterId: CLUSTER, jobName: 'nr_timeout' });
    const msg = await ended;
    expect(msg.error.code).toBe('JOBGATE_WAIT_TIMEOUT');
    expect(msg.stopped).toBe(true);
    expect(requests('PUT', '/cdm/job/nr_timeout/stop')).toHaveLength(1);
  });

  it.each([
    [true, 1],
    [false, 0],
  ])(
    'a redeploy with the stop option %s sends %i stops: the request log is the proof',
    async (stopOnCancel, stops) => {
      const id = 61_000 + next++;
      emulator.admin.addJobs({
        kind: 'dli-flink',
        jobId: id,
        name: `nr_${id}`,
        steps: [{ status: 'job_cancel_success' }],
        onStart: [{ status: 'job_submitting', durationMs: HOURS }, { status: 'job_running' }],
      } as never);
      const { start, wait, started } = await load({ wait: { stopOnCancel } });
      const shown = statuses(wait);
      const warned: unknown[] = [];
      const target = wait as unknown as { warn(m: unknown): void };
      const warn = target.warn.bind(target);
      target.warn = (m: unknown) => {
        warned.push(m);
        warn(m);
      };
      const out = nextMessage(started, 10_000);
      start.receive({ kind: 'dli-flink', jobId: id });
      await out;
      await eventually(() => expect(shown.some((s) => s.text === 'pending')).toBe(true), 10_000);
      const before = requests('POST', '/streaming/jobs/stop').length;
      await helper.unload();
      expect(requests('POST', '/streaming/jobs/stop').length, JSON.stringify([shown, warned])).toBe(
        before + stops,
      );
      expect(warned).toEqual([]);
    },
  );
});

/** A msg that sets every start field of each kind, and what it should start. */
const EVERY_FIELD: Record<string, Msg> = {
  'dli-flink': { jobId: 62_001, resumeSavepoint: true },
  'dli-sql': {
    sql: 'SELECT 1',
    queue: 'etl',
    database: 'dws',
    conf: 'spark.sql.shuffle.partitions=200\ndli.sql.caseSensitive=true',
    tags: { team: 'data' },
    engineType: 'spark',
  },
  'dataarts-realtime': { jobName: 'nr_rt', workspace: 'ws-9', jobParams: { date: '2024-06-01' } },
  'dataarts-batch': {
    jobName: 'daily_sales_report',
    workspace: undefined,
    jobParams: [{ name: 'bizdate', value: '20240601' }],
  },
  cdm: { clusterId: CLUSTER, jobName: 'mysql2obs', variables: { since: '2024-06-01' } },
};

describe('huaweicloud-job-start fields from the msg', () => {
  beforeAll(() => {
    emulator.admin.addJobs([
      { kind: 'dli-flink', jobId: 62_001, name: 'nr_every', steps: [{ status: 'job_cancel_success' }] },
      { kind: 'dataarts-realtime', jobName: 'nr_rt', workspace: 'ws-9', steps: [{ status: 'STOPPED' }] },
    ] as never);
  });

  it.each(JOB_KINDS.filter((k) => k.start).map((k) => k.name))(
    '%s: every start field from its msg property, and the started job sent on',
    async (kind) => {
      const msg = EVERY_FIELD[kind] as Msg;
      const known = startFieldsOf(JOB_KINDS.find((k) => k.name === kind) as never).map((f) => f.key);
      // A new start field needs a value here.
      expect(Object.keys(msg).sort()).toEqual([...known].sort());
      const { start, started, caught } = await load();
      const errors = collect(caught);
      const out = nextMessage(started, 10_000);
      start.receive({ kind, ...msg });
      const sent = await out.catch((error) => {
        throw new Error(`${error}: ${JSON.stringify(errors.map((e) => e.error))}`);
      });
      expect(sent.kind).toBe(kind);
      expect(sent.job.kind).toBe(kind);
      expect(Object.keys(sent.job.ref).length).toBeGreaterThan(0);
      for (const [key, value] of Object.entries(sent.job.ref)) expect(sent[key]).toEqual(value);
    },
  );

  it('a node field wins over the msg; a missing or bad field names its msg property and where it came from', async () => {
    const { start, caught, started } = await load({
      start: { kind: 'dli-sql', fields: { queue: { value: 'etl', type: 'str' } } },
    });
    const errors = collect(caught);
    const out = nextMessage(started, 10_000);
    start.receive({ sql: 'SELECT 1', queue: 'q'.repeat(129) });
    expect((await out).kind).toBe('dli-sql');
    start.receive({ conf: 'spark.a=1' });
    await eventually(() => expect(errors).toHaveLength(1));
    expect(errors[0]?.error.message).toMatch(
      /^InputError: sql: required for a DLI SQL job; set msg.sql or the node's SQL statement/,
    );
    start.receive({ sql: 'SELECT 1', conf: 'no equals sign' });
    await eventually(() => expect(errors).toHaveLength(2));
    expect(errors[1]?.error.message).toMatch(
      /^InputError: conf: expected settings as "key=value".*from msg\.conf\)/,
    );
    expect(errors[1]?.error.code).toBe('JOBGATE_INVALID_INPUT');
  });

  it('a kind from msg.kind that is not a kind', async () => {
    const { start, caught } = await load();
    const error = nextMessage(caught, 5_000);
    start.receive({ kind: 'spark', sql: 'SELECT 1' });
    expect((await error).error.message).toMatch(/^InputError: kind: expected one of dli-flink, dli-sql/);
  });
});
