import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fieldsOf, JOB_KINDS, type JobKind } from '@jobgate/core';
import { type Emulator, type JobInput, startEmulator } from '@jobgate/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_NODES,
  collect,
  emulatorConfig,
  eventually,
  helper,
  loggedText,
  type Msg,
  newId,
  nextMessage,
  statuses,
} from './support/node-red.mjs';
import { NODERED_DIR } from './support/paths.mjs';

// Emulator time runs 100 times faster: a job's minute passes in 0.6 s.
const TIME_SCALE = 100;
const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';

let emulator: Emulator;
let nextFlinkId = 20_000;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: TIME_SCALE, seed: 11 });
});
afterAll(async () => {
  await emulator?.close();
});
afterEach(async () => {
  await helper.unload();
  emulator.admin.clearFaults();
  delete process.env.JG_WAIT_JOB;
});

/** Adds a job whose life starts now, and returns its id. */
function flinkJob(steps: JobInput & { kind: 'dli-flink' } extends { steps: infer S } ? S : never): number {
  const jobId = nextFlinkId++;
  emulator.admin.addJobs({ kind: 'dli-flink', jobId, name: `job_${jobId}`, steps });
  return jobId;
}

function sqlJob(): string {
  const jobId = randomUUID();
  emulator.admin.addJobs({
    kind: 'dli-sql',
    jobId,
    steps: [
      // Half a second in each step, long enough for a poll to see it on a busy machine.
      { status: 'LAUNCHING', durationMs: 50_000 },
      { status: 'RUNNING', durationMs: 50_000, progress: 0.2 },
      { status: 'RUNNING', durationMs: 50_000, progress: 0.6 },
      { status: 'FINISHED' },
    ],
  });
  return jobId;
}

const runsForever = () =>
  flinkJob([{ status: 'job_submitting', durationMs: 20_000 }, { status: 'job_running' }]);

interface WaitOptions {
  kind?: string;
  fields?: Record<string, { value: string; type: string }>;
  until?: 'finished' | 'running';
  timeout?: string;
  interval?: string;
  progressOutput?: boolean;
}

/** A wait node wired to succeeded/failed(/progress) helpers, with a catch node for its errors. */
async function load(options: WaitOptions = {}) {
  const config = emulatorConfig(emulator);
  const tab = newId();
  const id = newId();
  const ids = { succeeded: newId(), failed: newId(), progress: newId(), caught: newId() };
  await helper.load(
    ALL_NODES,
    [
      { id: tab, type: 'tab', label: 'test' },
      config.node,
      {
        id,
        z: tab,
        type: 'huaweicloud-job-wait',
        server: config.id,
        kind: 'dli-flink',
        until: 'finished',
        timeout: '1m',
        interval: '100ms',
        ...options,
        outputs: options.progressOutput ? 3 : 2,
        wires: options.progressOutput
          ? [[ids.succeeded], [ids.failed], [ids.progress]]
          : [[ids.succeeded], [ids.failed]],
      },
      { id: ids.succeeded, z: tab, type: 'helper' },
      { id: ids.failed, z: tab, type: 'helper' },
      { id: ids.progress, z: tab, type: 'helper' },
      { id: newId(), z: tab, type: 'catch', scope: null, uncaught: false, wires: [[ids.caught]] },
      { id: ids.caught, z: tab, type: 'helper' },
    ],
    config.credentials,
  );
  return {
    node: helper.getNode(id),
    succeeded: helper.getNode(ids.succeeded),
    failed: helper.getNode(ids.failed),
    progress: helper.getNode(ids.progress),
    caught: helper.getNode(ids.caught),
  };
}

describe('huaweicloud-job-wait outputs', () => {
  it('waits until a SQL job finishes, showing its progress, and sends the msg on "succeeded"', async () => {
    const jobId = sqlJob();
    const { node, succeeded, failed } = await load({ kind: 'dli-sql' });
    const shown = statuses(node);
    const lost = collect(failed);
    const done = nextMessage(succeeded, 10_000);
    node.receive({ jobId, topic: 'nightly', payload: 'in' });
    const msg = await done;
    expect(msg.job).toMatchObject({
      kind: 'dli-sql',
      ref: { jobId },
      phase: 'succeeded',
      status: 'FINISHED',
    });
    expect(msg.payload).toEqual(msg.job.raw);
    expect(msg.topic).toBe('nightly');
    expect(lost).toEqual([]);
    const texts = shown.map((s) => s.text);
    expect(texts[0]).toBe('waiting');
    expect(texts).toContain('pending 0%');
    expect(texts.some((t) => /^running \d+%$/.test(t ?? ''))).toBe(true);
    expect(
      shown.filter((s) => s.text?.startsWith('running')).every((s) => s.fill === 'blue' && s.shape === 'dot'),
    ).toBe(true);
    await eventually(() => expect(shown.at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'succeeded' }));
  });

  it('sends a failed job on "failed" with msg.error and shows its status', async () => {
    const jobId = flinkJob([
      { status: 'job_submitting', durationMs: 20_000 },
      { status: 'job_running', durationMs: 20_000 },
      { status: 'job_running_exception', statusDesc: 'Job failed: out of memory' },
    ]);
    const { node, succeeded, failed } = await load();
    const shown = statuses(node);
    const wrong = collect(succeeded);
    const done = nextMessage(failed, 10_000);
    node.receive({ jobId, topic: 'stream' });
    const msg = await done;
    expect(msg.error).toMatchObject({ name: 'JobFailedError', code: 'JOBGATE_JOB_FAILED' });
    expect(msg.error.message).toMatch(
      /ended failed \(status job_running_exception\): Job failed: out of memory/,
    );
    expect(msg.job).toMatchObject({ phase: 'failed', status: 'job_running_exception' });
    expect(msg.payload.job_detail.status).toBe('job_running_exception');
    expect(msg.topic).toBe('stream');
    expect(wrong).toEqual([]);
    await eventually(() =>
      expect(shown.at(-1)).toEqual({ fill: 'red', shape: 'ring', text: 'failed: job_running_exception' }),
    );
  });

  it('waits until a streaming job is running', async () => {
    const jobId = runsForever();
    const { node, succeeded } = await load({ until: 'running' });
    const done = nextMessage(succeeded, 10_000);
    node.receive({ jobId });
    const msg = await done;
    expect(msg.job).toMatchObject({ phase: 'running', status: 'job_running' });
  });

  it('sends a wait that timed out on "failed", with the last state seen', async () => {
    const jobId = runsForever();
    const { node, failed } = await load({ timeout: '400ms' });
    const shown = statuses(node);
    const done = nextMessage(failed, 10_000);
    node.receive({ jobId });
    const msg = await done;
    expect(msg.error.code).toBe('JOBGATE_WAIT_TIMEOUT');
    expect(msg.error.message).toMatch(
      /timed out after 400 ms waiting for DLI Flink job to be finished; last status/,
    );
    expect(msg.job.ref).toEqual({ jobId });
    await eventually(() => expect(shown.at(-1)).toEqual({ fill: 'red', shape: 'ring', text: 'timed out' }));
  });

  it('sends each change of state on the third output when asked', async () => {
    const jobId = sqlJob();
    const { node, succeeded, progress } = await load({ kind: 'dli-sql', progressOutput: true });
    const updates = collect(progress);
    const done = nextMessage(succeeded, 10_000);
    node.receive({ jobId, topic: 'p' });
    await done;
    const phases = updates.map((m) => m.job.phase);
    expect(phases[0]).toBe('pending');
    expect(phases).toContain('running');
    expect(phases.at(-1)).toBe('succeeded');
    expect(updates.every((m) => m.topic === 'p' && m.payload === m.job.raw)).toBe(true);
    // Each is its own copy: a later update does not change an earlier one.
    expect(new Set(updates.map((m) => m._msgid)).size).toBe(1);
    expect(updates[0]?.job).not.toBe(updates.at(-1)?.job);
  });

  it('waits on many jobs at once, each msg on its own outcome', async () => {
    const good = [sqlJob(), sqlJob(), sqlJob()];
    const { node, succeeded, failed } = await load({ kind: 'dli-sql' });
    const shown = statuses(node);
    const ok = collect(succeeded);
    const bad = collect(failed);
    const failing = randomUUID();
    emulator.admin.addJobs({
      kind: 'dli-sql',
      jobId: failing,
      steps: [
        { status: 'RUNNING', durationMs: 30_000, progress: 0.1 },
        { status: 'FAILED', message: 'DLI.0005: table not found' },
      ],
    });
    for (const jobId of [...good, failing]) node.receive({ jobId, topic: jobId });
    await eventually(() => expect(ok.length + bad.length).toBe(4), 10_000);
    expect(ok.map((m) => m.topic).sort()).toEqual([...good].sort());
    expect(ok.every((m) => m.job.ref.jobId === m.topic)).toBe(true);
    expect(bad.map((m) => m.topic)).toEqual([failing]);
    expect(shown.some((s) => / \(4 waits\)$/.test(s.text ?? ''))).toBe(true);
  });

  it('ends the waits on the same job when a msg with msg.cancel arrives', async () => {
    const cancelled = runsForever();
    const other = runsForever();
    const { node, failed, succeeded } = await load({ timeout: '1h' });
    const shown = statuses(node);
    const ended = collect(failed);
    const ok = collect(succeeded);
    node.receive({ jobId: cancelled, topic: 'first' });
    node.receive({ jobId: String(cancelled), topic: 'second' });
    node.receive({ jobId: other, topic: 'other' });
    await eventually(() => expect(shown.some((s) => s.text?.includes('(3 waits)'))).toBe(true));
    node.receive({ jobId: `${cancelled}`, cancel: true, topic: 'cancel' });
    await eventually(() => expect(ended).toHaveLength(2));
    expect(ended.map((m) => m.topic).sort()).toEqual(['first', 'second']);
    expect(ended[0]?.error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    expect(ended[0]?.error.message).toMatch(/cancelled by msg.cancel/);
    await new Promise((r) => setTimeout(r, 200));
    expect(ended).toHaveLength(2);
    expect(ok).toEqual([]);
    expect(shown.at(-1)?.text).toMatch(/^(pending|running)/);
  });
});

describe('huaweicloud-job-wait identity fields', () => {
  it.each([
    ['msg', { value: 'request.id', type: 'msg' }, { request: { id: '{job}' } }],
    ['str', { value: '{job}', type: 'str' }, {}],
    ['env', { value: 'JG_WAIT_JOB', type: 'env' }, {}],
    ['flow', { value: 'job', type: 'flow' }, {}],
    ['global', { value: 'job', type: 'global' }, {}],
    ['jsonata', { value: '$string(payload)', type: 'jsonata' }, { payload: '{job}' }],
  ])('reads the job id from %s', async (_type, field, incoming) => {
    const jobId = String(flinkJob([{ status: 'job_finish' }]));
    process.env.JG_WAIT_JOB = jobId;
    const { node, succeeded } = await load({
      fields: { jobId: { ...field, value: field.value.replace('{job}', jobId) } },
    });
    node.context().flow.set('job', jobId);
    node.context().global.set('job', jobId);
    const done = nextMessage(succeeded);
    node.receive(JSON.parse(JSON.stringify(incoming).replace('{job}', jobId)) as Msg);
    expect((await done).job.ref.jobId).toBe(Number(jobId));
  });

  it('takes two fields for a CDM job, from msg.clusterId and msg.jobName by default', async () => {
    emulator.admin.addJobs({
      kind: 'cdm',
      clusterId: CLUSTER,
      jobName: 'copy_orders',
      steps: [{ status: 'SUCCEEDED' }],
    });
    const { node, succeeded } = await load({ kind: 'cdm' });
    const done = nextMessage(succeeded);
    node.receive({ clusterId: CLUSTER, jobName: 'copy_orders' });
    expect((await done).job.ref).toEqual({ clusterId: CLUSTER, jobName: 'copy_orders' });
  });
});

describe('huaweicloud-job-wait errors', () => {
  it('hands a job that does not exist to Catch nodes, with its code and msg.statusCode', async () => {
    const { node, caught, failed } = await load({ kind: 'cdm' });
    const shown = statuses(node);
    const wrong = collect(failed);
    const received = nextMessage(caught);
    node.receive({ clusterId: CLUSTER, jobName: 'nope', topic: 'lost', payload: 7 });
    const msg = await received;
    expect(msg.error.code).toBe('Cdm.0100');
    expect(msg.statusCode).toBe(400);
    expect(msg.topic).toBe('lost');
    expect(msg.payload).toBe(7);
    expect(wrong).toEqual([]);
    await eventually(() =>
      expect(shown.at(-1)).toEqual({ fill: 'red', shape: 'ring', text: 'Cdm.0100 (HTTP 400)' }),
    );
  });

  it.each([
    [
      'a job id that is not an integer',
      { fields: { jobId: { value: 'abc', type: 'str' } } },
      /jobId: .*integer/,
    ],
    ['a timeout that is no duration', { timeout: '5 parsecs' }, /timeout: expected a positive duration/],
    [
      'an unknown job kind',
      { kind: 'dli-spark' },
      `InputError: kind: expected one of ${JOB_KINDS.map((k) => k.name).join(', ')} (got "dli-spark" from the node's Job kind)`,
    ],
  ])('refuses %s before any request', async (_what, options, message) => {
    const { node, caught } = await load(options as WaitOptions);
    emulator.admin.clearRequests();
    const received = nextMessage(caught);
    node.receive({ jobId: 104 });
    const msg = await received;
    expect(msg.error.code).toBe('JOBGATE_INVALID_INPUT');
    expect(msg.error.message).toMatch(message);
    expect(emulator.admin.requests()).toEqual([]);
  });

  it('reads a bare number as seconds, in the Timeout field and in msg.timeout, as its help says', async () => {
    const help = readFileSync(join(NODERED_DIR, 'dist', 'huaweicloud-job-wait.html'), 'utf8')
      .split('data-help-name')[1]
      ?.replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ');
    // The Details paragraph, and the msg.timeout and msg.interval entries.
    expect(help).toContain('a bare number is seconds: 30 is 30 seconds, in the field as in msg.timeout');
    expect(help).toMatch(
      /timeout string \| number a duration [^:]*; a bare number is seconds: 30 is 30 seconds/,
    );
    expect(help).toMatch(
      /interval string \| number a duration [^:]*; a bare number is seconds: 30 is 30 seconds/,
    );

    for (const [options, msg] of [
      [{ timeout: '1' }, {}],
      [{ timeout: '' }, { timeout: 1 }],
    ] as const) {
      const jobId = runsForever();
      const { node, failed } = await load(options);
      const done = nextMessage(failed, 10_000);
      node.receive({ jobId, ...msg });
      expect((await done).error.message).toMatch(/^timed out after 1s waiting for DLI Flink job/);
      await helper.unload();
    }
  });

  it('keeps a timeout beyond the longest timer from firing at once', async () => {
    const jobId = runsForever();
    const { node, failed } = await load({ timeout: '30d' });
    const ended = collect(failed);
    node.receive({ jobId });
    await new Promise((r) => setTimeout(r, 500));
    expect(ended).toEqual([]);
    expect(loggedText()).not.toMatch(/TimeoutOverflowWarning/);
  });
});

describe('huaweicloud-job-wait closing', () => {
  it('ends every wait and request on close, within the limit, sending nothing', async () => {
    const { node, succeeded, failed, caught } = await load({ timeout: '1h' });
    const sent = [...collect(succeeded), ...collect(failed), ...collect(caught)];
    const shown = statuses(node);
    for (let i = 0; i < 5; i++) node.receive({ jobId: runsForever() });
    // One request held by the emulator for 20 s: closing must not wait for it.
    emulator.admin.addFaults({ type: 'latency', latencyMs: 20_000, count: 1 });
    node.receive({ jobId: runsForever() });
    await eventually(() => expect(shown.some((s) => s.text?.includes('(6 waits)'))).toBe(true));
    const started = Date.now();
    await helper.unload();
    expect(Date.now() - started).toBeLessThan(2_000);
    emulator.admin.clearRequests();
    await new Promise((r) => setTimeout(r, 600));
    expect(emulator.admin.requests()).toEqual([]);
    expect(sent).toEqual([]);
    expect(shown.at(-1)).toEqual({});
  });

  it('ends the waits of the old flow on a redeploy', async () => {
    const { node } = await load({ timeout: '1h' });
    const shown = statuses(node);
    node.receive({ jobId: runsForever() });
    node.receive({ jobId: runsForever() });
    await eventually(() => expect(shown.some((s) => s.text?.includes('(2 waits)'))).toBe(true));
    const config = emulatorConfig(emulator);
    await helper.setFlows([config.node], 'full', config.credentials);
    emulator.admin.clearRequests();
    await new Promise((r) => setTimeout(r, 600));
    expect(emulator.admin.requests()).toEqual([]);
  });
});

describe('the job kinds served to the editor', () => {
  it('lists every kind of the core table with its identity fields', async () => {
    await load();
    const { body } = await helper.request().get('/huaweicloud-jobs/kinds').expect(200);
    expect(body).toEqual(
      JOB_KINDS.map((kind) => ({
        name: kind.name,
        title: kind.title,
        description: kind.description,
        streaming: kind.streaming,
        fields: fieldsOf(kind as unknown as JobKind),
      })),
    );
    expect((body as { fields: { key: string }[] }[]).map((k) => k.fields.map((f) => f.key))).toEqual([
      ['jobId'],
      ['jobId'],
      ['jobName', 'workspace'],
      ['jobName', 'instanceId', 'workspace'],
      ['clusterId', 'jobName'],
    ]);
  });
});
