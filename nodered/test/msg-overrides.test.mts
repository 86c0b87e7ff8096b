/**
 * Every field a node reads from a msg, in a real Node-RED runtime against the
 * emulator: the msg property sets the field when the node leaves it empty, a
 * field set in the node wins (with one warning), a flow saved with the flink
 * jobs node's old `status` property still filters, and a missing or bad field
 * is named in the user's words, never a schema library's.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fieldsOf, getJobKind, JOB_KINDS, type JobKind } from '@jobgate/core';
import { type Emulator, startEmulator } from '@jobgate/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_NODES,
  emulatorConfig,
  helper,
  loggedText,
  type Msg,
  newId,
  nextMessage,
} from './support/node-red.mjs';
import { NODERED_DIR } from './support/paths.mjs';

interface Field {
  name: string;
  key: string;
  msg: string;
  label: string;
}
const require = createRequire(import.meta.url);
const { MSG_OVERRIDES, QUERY_NODE_KINDS } = require(join(NODERED_DIR, 'dist', 'lib', 'msg-overrides.js')) as {
  MSG_OVERRIDES: Record<string, Field[]>;
  QUERY_NODE_KINDS: Record<string, string>;
};

const SQL_JOB = '3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60';
const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';
/** A schema library's own wording, which no message of ours may show. */
const LIBRARY_WORDS =
  /Invalid input|expected \w+, received|received undefined|Too (big|small)|Invalid option|Unrecognized key/i;

/** A job of each kind that the default scenario holds, by its identity fields. */
const JOBS: Record<string, Record<string, unknown>> = {
  'dli-flink': { jobId: 10001 },
  'dli-sql': { jobId: SQL_JOB },
  'dataarts-realtime': { jobName: 'realtime_sms_alerts' },
  cdm: { clusterId: CLUSTER, jobName: 'jdbc2hive' },
};

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 1, seed: 5 });
  // Every job of the default scenario to its last step.
  emulator.admin.advanceClock(3_600_000);
});
afterAll(async () => {
  await emulator?.close();
});
afterEach(async () => {
  await helper.unload();
});

async function load(node: Record<string, unknown>, extra: object[] = []) {
  const config = emulatorConfig(emulator);
  const id = newId();
  const out = newId();
  const failed = newId();
  const caught = newId();
  const tab = newId();
  await helper.load(
    ALL_NODES,
    [
      { id: tab, type: 'tab', label: 'test' },
      config.node,
      { id, z: tab, server: config.id, wires: [[out], [failed]], ...node },
      { id: out, z: tab, type: 'helper' },
      { id: failed, z: tab, type: 'helper' },
      { id: newId(), z: tab, type: 'catch', scope: null, uncaught: false, wires: [[caught]] },
      { id: caught, z: tab, type: 'helper' },
      ...extra,
    ],
    config.credentials,
  );
  return {
    node: helper.getNode(id),
    out: helper.getNode(out),
    failed: helper.getNode(failed),
    caught: helper.getNode(caught),
    config: config.id,
  };
}

/** The list request's query, as the emulator saw it. */
function lastListQuery(): Record<string, string> {
  const list = emulator.admin.requests().filter((r) => r.path.endsWith('/streaming/jobs'));
  return Object.fromEntries(new URLSearchParams(list.at(-1)?.query ?? ''));
}

const warnings = () =>
  helper
    .log()
    .getCalls()
    .map((c) => c.args[0] as { level?: number; id?: unknown; msg?: unknown })
    // A node's warnings (Node-RED's level 30), not the runtime's own.
    .filter((e) => e?.level === 30 && typeof e.id === 'string')
    .map((e) => String(e.msg));

describe('the query nodes', () => {
  const cases = Object.entries(QUERY_NODE_KINDS).map(([type, kind]) => ({ type, kind: getJobKind(kind) }));

  it.each(cases)('$type: each field left empty is set by its msg property', async ({ type, kind }) => {
    const fields = MSG_OVERRIDES[type] ?? [];
    const empty = Object.fromEntries(
      fields.flatMap((f) => [
        [f.key, ''],
        [`${f.key}Type`, 'str'],
      ]),
    );
    const { node, out } = await load({ type, ...empty });
    const received = nextMessage(out);
    node.receive({ ...JOBS[kind.name] });
    expect((await received).job.ref).toEqual(
      Object.fromEntries(Object.entries(JOBS[kind.name] ?? {}).map(([k, v]) => [k, v])),
    );
  });

  it.each(cases)(
    '$type: a field set in the node wins over its msg property, with one warning',
    async ({ type, kind }) => {
      const job = JOBS[kind.name] ?? {};
      const set = Object.fromEntries(
        Object.entries(job).flatMap(([k, v]) => [
          [k, String(v)],
          [`${k}Type`, 'str'],
        ]),
      );
      const { node, out } = await load({ type, ...set });
      // The msg names another job in every field: none of it is used.
      const other = Object.fromEntries(Object.keys(job).map((k) => [k, k === 'jobId' ? 99999 : 'elsewhere']));
      for (let i = 0; i < 2; i++) {
        const received = nextMessage(out);
        node.receive({ ...other });
        expect((await received).job.ref).toEqual(job);
      }
      for (const key of Object.keys(job))
        expect(
          warnings().filter((w) => w === `msg.${key} is not used: the node's ${labelOf(type, key)} is set`),
        ).toHaveLength(1);
    },
  );

  it.each(
    cases.flatMap(({ type, kind }) =>
      identity(kind)
        .filter((f) => f.required)
        .map((f) => ({ type, kind, field: f })),
    ),
  )('$type: a missing $field.key names msg.$field.key and the node field', async ({ type, kind, field }) => {
    const { node, caught } = await load({ type });
    emulator.admin.clearRequests();
    const received = nextMessage(caught);
    const { [field.key]: _left, ...rest } = JOBS[kind.name] ?? {};
    node.receive({ ...rest });
    const msg = await received;
    expect(msg.error.code).toBe('JOBGATE_INVALID_INPUT');
    expect(msg.error.message).toBe(
      `InputError: ${field.key}: required for a ${kind.title}; set msg.${field.key} or the node's ${field.label}`,
    );
    expect(emulator.admin.requests()).toEqual([]);
  });

  it.each([
    [
      'huaweicloud-cdm-job-status',
      { clusterId: CLUSTER, jobName: 42 },
      /^InputError: jobName: expected text \(got 42 from msg\.jobName\)$/,
    ],
    [
      'huaweicloud-cdm-job-status',
      { clusterId: ['x'], jobName: 'j' },
      /^InputError: clusterId: expected text \(got \["x"\] from msg\.clusterId\)$/,
    ],
    [
      'huaweicloud-dli-flink-job',
      { jobId: { id: 1 } },
      /^InputError: jobId: expected an integer Flink job id such as 104 \(got \{"id":1\} from msg\.jobId\)$/,
    ],
    [
      'huaweicloud-dli-sql-progress',
      { jobId: 'nope' },
      /^InputError: jobId: expected a DLI SQL job id .* \(got "nope" from msg\.jobId\)$/,
    ],
    [
      'huaweicloud-dataarts-job-status',
      { jobName: 'j', workspace: 'w'.repeat(200) },
      /^InputError: workspace: expected at most 128 characters \(got "w+… from msg\.workspace\)$/,
    ],
  ])('%s: a bad value in %j is named with where it came from', async (type, incoming, message) => {
    const { node, caught } = await load({ type });
    const received = nextMessage(caught);
    node.receive(incoming as Msg);
    const msg = await received;
    expect(msg.error.message).toMatch(message);
    expect(msg.error.message).not.toMatch(LIBRARY_WORDS);
  });

  it('names the node field and its TypedInput source when that is where a bad value came from', async () => {
    const { node, caught } = await load({
      type: 'huaweicloud-dli-flink-job',
      jobId: 'request.id',
      jobIdType: 'msg',
    });
    const received = nextMessage(caught);
    node.receive({ request: { id: 'abc' } });
    expect((await received).error.message).toBe(
      'InputError: jobId: expected an integer Flink job id such as 104 (got "abc" from msg.request.id)',
    );
  });
});

describe('the flink jobs node', () => {
  const fields = MSG_OVERRIDES['huaweicloud-dli-flink-jobs'] ?? [];
  // A value for each filter, and the query parameter it becomes.
  const FILTERS: Record<string, [unknown, string, string]> = {
    jobType: ['flink_jar_job', 'job_type', 'flink_jar_job'],
    status: ['job_running', 'status', 'job_running'],
    queueName: ['etl', 'queue_name', 'etl'],
    name: ['orders', 'name', 'orders'],
    userName: ['someone', 'user_name', 'someone'],
    tags: ['team=data', 'tags', 'team=data'],
    rootId: [7, 'root_job_id', '7'],
    sysEnterpriseProjectName: ['default', 'sys_enterprise_project_name', 'default'],
    order: ['asc', 'order', 'asc'],
    limit: [5, 'limit', '5'],
    offset: [1, 'offset', '1'],
    showDetail: [true, 'show_detail', 'true'],
  };

  it('has a test value for every filter it reads from msg.filter', () => {
    expect(
      fields
        .filter((f) => f.msg.startsWith('filter.'))
        .map((f) => f.name)
        .sort(),
    ).toEqual(Object.keys(FILTERS).sort());
  });

  it('takes every filter the node leaves unset from msg.filter, and msg.allPages and msg.output', async () => {
    const { node, out } = await load({ type: 'huaweicloud-dli-flink-jobs' });
    emulator.admin.clearRequests();
    const seen: Msg[] = [];
    out.on('input', (m: Msg) => seen.push(m));
    node.receive({
      filter: Object.fromEntries(Object.entries(FILTERS).map(([k, [v]]) => [k, v])),
      output: 'split',
    });
    await waitFor(() => emulator.admin.requests().length > 0);
    expect(lastListQuery()).toEqual(Object.fromEntries(Object.values(FILTERS).map(([, q, v]) => [q, v])));

    // Every page, one message per job.
    const received = nextMessage(out);
    node.receive({ allPages: true, output: 'split', filter: { limit: 1 } });
    const first = await received;
    expect(first.parts).toMatchObject({
      count: emulator.admin.jobs().filter((j) => j.kind === 'dli-flink').length,
    });
  });

  it('uses the filters set in the node over msg.filter, and says once which msg properties it left out', async () => {
    const { node, out } = await load({
      type: 'huaweicloud-dli-flink-jobs',
      statusFilter: 'job_running_exception',
      queueName: 'jobgate_queue',
      limit: '20',
      output: 'array',
    });
    for (let i = 0; i < 2; i++) {
      emulator.admin.clearRequests();
      const received = nextMessage(out);
      node.receive({
        filter: { status: 'job_running', queueName: 'other', limit: 3, order: 'asc' },
        output: 'split',
      });
      const msg = await received;
      expect(Array.isArray(msg.payload)).toBe(true);
      expect(lastListQuery()).toEqual({
        status: 'job_running_exception',
        queue_name: 'jobgate_queue',
        limit: '20',
        order: 'asc',
      });
    }
    expect(warnings().sort()).toEqual([
      "msg.filter.limit is not used: the node's Page size is set",
      "msg.filter.queueName is not used: the node's Queue is set",
      "msg.filter.status is not used: the node's Status is set",
      "msg.output is not used: the node's Output is set",
    ]);
  });

  it('runs a flow saved with the status filter in `status`, as it did', async () => {
    const saved = JSON.parse(
      readFileSync(new URL('./fixtures/flink-jobs-status-0.1.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>[];
    const listNode = saved.find((n) => n.type === 'huaweicloud-dli-flink-jobs') as Record<string, unknown>;
    expect(listNode).toHaveProperty('status', 'job_running_exception');
    expect(listNode).not.toHaveProperty('statusFilter');
    const { id: _id, z: _z, wires: _w, x: _x, y: _y, server: _s, ...old } = listNode;
    const { node, out } = await load(old);
    emulator.admin.clearRequests();
    const received = nextMessage(out);
    node.receive({});
    const msg = await received;
    expect(lastListQuery()).toEqual({ status: 'job_running_exception' });
    expect(msg.payload.map((j: { job_id: number }) => j.job_id)).toEqual([10002]);
  });

  it('reads `statusFilter` over `status`, and never a status object in `status`', async () => {
    for (const [def, expected] of [
      [{ statusFilter: 'job_running', status: 'job_running_exception' }, { status: 'job_running' }],
      [{ statusFilter: '', status: { fill: 'green', shape: 'dot', text: '2 jobs' } }, {}],
    ] as const) {
      const { node, out } = await load({ type: 'huaweicloud-dli-flink-jobs', ...def });
      emulator.admin.clearRequests();
      const received = nextMessage(out);
      node.receive({});
      await received;
      expect(lastListQuery()).toEqual(expected);
      await helper.unload();
    }
  });

  it.each([
    [
      { filter: { limit: 'many' } },
      /^InputError: limit: expected a number \(got "many" from msg\.filter\.limit\)$/,
    ],
    [
      { filter: { status: 'running' } },
      /^InputError: status: expected one of "job_init", .* \(got "running" from msg\.filter\.status\)$/,
    ],
    [
      { filter: { queueName: 42 } },
      /^InputError: queueName: expected text \(got 42 from msg\.filter\.queueName\)$/,
    ],
    [
      { filter: { showDetail: 'yes' } },
      /^InputError: showDetail: expected true or false \(got "yes" from msg\.filter\.showDetail\)$/,
    ],
    [
      { filter: { colour: 'red' } },
      /^InputError: msg\.filter\.colour: not a list filter; expected one of jobType, status, /,
    ],
    [{ output: 'csv' }, /^InputError: output: expected "array" or "split" \(got "csv" from msg\.output\)$/],
  ])("refuses %j before any request, in the user's words", async (incoming, message) => {
    const { node, caught } = await load({ type: 'huaweicloud-dli-flink-jobs' });
    emulator.admin.clearRequests();
    const received = nextMessage(caught);
    node.receive(incoming as Msg);
    const msg = await received;
    expect(msg.error.message).toMatch(message);
    expect(msg.error.message).not.toMatch(LIBRARY_WORDS);
    expect(emulator.admin.requests()).toEqual([]);
  });
});

describe('the wait node', () => {
  const wait = (extra: Record<string, unknown> = {}) => ({
    type: 'huaweicloud-job-wait',
    kind: '',
    fields: {},
    until: '',
    timeout: '',
    interval: '',
    outputs: 2,
    ...extra,
  });

  it('reads every field from its msg property when the node leaves it empty', async () => {
    const fields = MSG_OVERRIDES['huaweicloud-job-wait'] ?? [];
    // The wait's own fields, and every identity field of every kind in the table.
    const identities = JOB_KINDS.flatMap((k) => fieldsOf(k as unknown as JobKind).map((f) => f.key));
    expect(fields.map((f) => f.msg).sort()).toEqual(
      [...new Set(['interval', 'kind', 'timeout', 'until', ...identities])].sort(),
    );
    const { node, out, failed } = await load(wait());
    // msg.kind and the kind's fields: a CDM job that has succeeded.
    let received = nextMessage(out);
    node.receive({ kind: 'cdm', ...JOBS.cdm });
    expect((await received).job).toMatchObject({ kind: 'cdm', phase: 'succeeded' });
    // msg.until: a running Flink job ends the wait at once.
    received = nextMessage(out);
    node.receive({ kind: 'dli-flink', jobId: 10001, until: 'running', interval: '50ms' });
    expect((await received).job).toMatchObject({ kind: 'dli-flink', phase: 'running' });
    // msg.timeout and msg.interval: a running job waited on until it finishes times out.
    received = nextMessage(failed);
    const started = Date.now();
    node.receive({ kind: 'dli-flink', jobId: 10001, timeout: '300ms', interval: '50ms' });
    expect((await received).error.code).toBe('JOBGATE_WAIT_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('names msg.interval and msg.timeout when they are bad, and msg.kind when it is missing', async () => {
    const { node, caught } = await load(wait());
    for (const [incoming, message] of [
      [
        { kind: 'cdm', ...JOBS.cdm, interval: 'soon' },
        'InputError: interval: expected a positive duration such as 30m, 90s or 1h30m, or a number of seconds such as 30 (got "soon" from msg.interval)',
      ],
      [
        { kind: 'cdm', ...JOBS.cdm, timeout: { m: 1 } },
        'InputError: timeout: expected a duration such as 30m, 90s or 1h30m, or a number of seconds such as 30 (got {"m":1} from msg.timeout)',
      ],
      [{ ...JOBS.cdm }, "InputError: kind: required; set msg.kind or the node's Job kind"],
      [
        { kind: 'cdm', clusterId: CLUSTER },
        "InputError: jobName: required for a CDM migration job; set msg.jobName or the node's Job name",
      ],
    ] as const) {
      const received = nextMessage(caught);
      node.receive({ ...incoming });
      expect((await received).error.message).toBe(message);
    }
  });

  it('uses its own interval over msg.interval', async () => {
    const { node, out } = await load(wait({ kind: 'dli-flink', until: 'running', interval: '1s' }));
    const received = nextMessage(out);
    node.receive({ jobId: 10001, interval: 'soon' });
    expect((await received).job.phase).toBe('running');
    expect(warnings()).toEqual(["msg.interval is not used: the node's Poll every is set"]);
    expect(loggedText()).not.toMatch(LIBRARY_WORDS);
  });
});

function identity(kind: JobKind) {
  return fieldsOf(kind).map((f) => ({ key: f.key, label: f.label, required: f.required }));
}

function labelOf(type: string, key: string): string {
  return MSG_OVERRIDES[type]?.find((f) => f.key === key)?.label ?? key;
}

async function waitFor(check: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
