/**
 * Secret canaries through the Node-RED face. Two config nodes hold known
 * canary credentials (AK/SK with a security token, and an IAM token); the
 * emulator accepts them and answers every status request with a scripted
 * answer that echoes every canary, and a signed Authorization value, in
 * every form (raw, JSON-escaped, percent-encoded, form-encoded, 8+ character
 * prefixes and suffixes) in every field it can: error codes and messages,
 * request_id, job messages (Flink status_desc, SQL message, CDM
 * error-summary), unknown fields and keys, the X-Request-Id header, and a
 * non-JSON body; on failing paths (4xx, 5xx, is_success false, a job that
 * FAILED, HTML) and succeeding ones. Every channel is captured: each output's
 * msg, Catch msgs (message, stack, source), node statuses, debug nodes (the
 * sidebar and the console), and the runtime log. None may hold a canary.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Emulator, startEmulator } from '@jobgate/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoForms, findLeaks } from '../../packages/core/test/support/leaks.js';
import {
  ALL_NODES,
  collect,
  eventually,
  helper,
  type Msg,
  newId,
  type TestNode,
} from './support/node-red.mjs';
import { ROOT_DIR } from './support/paths.mjs';

const require = createRequire(import.meta.url);
const debugNode = require(
  require.resolve('@node-red/nodes/core/common/21-debug.js', {
    paths: [dirname(require.resolve('node-red/package.json'))],
  }),
);

const PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const ACCESS_KEY = 'CANARYAKXQ7P2M9T4W1Z';
const SECRET_KEY = 'SKcanary/4b9e+Q7tZp2Lw8Xr5Nv3Mh6Jd1Ks0Fy';
const SECURITY_TOKEN = 'STcanary=8dGf3Hj5Kl7Zx9Cv2Bn4Mq6Wr1Ty0Ui&Op';
const IAM_TOKEN = 'IAMcanary-MIIZ5gYJKoZIhvcNAQcCoIIZ1zCCGdMCAQ';
/** A signature as a signed request carries it: echoed inside a whole Authorization value. */
const SIGNATURE = 'a3f09c7e5b2d81464f6e0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d';
const SECRETS = [SECRET_KEY, SECURITY_TOKEN, IAM_TOKEN, SIGNATURE];
const AUTHORIZATION = `SDK-HMAC-SHA256 Access=${ACCESS_KEY}, SignedHeaders=host;x-sdk-date, Signature=${SIGNATURE}`;

/** Every canary in every form, and the Authorization value raw and percent-encoded: one string. */
const ECHO = [
  ...[SECRET_KEY, SECURITY_TOKEN, IAM_TOKEN].flatMap((s) => Object.values(echoForms(s))),
  AUTHORIZATION,
  encodeURIComponent(AUTHORIZATION),
].join(' | ');
/** A shorter echo, for fields a service keeps short (codes, ids). */
const SHORT = `${SECRET_KEY} ${encodeURIComponent(SECURITY_TOKEN)} ${IAM_TOKEN.slice(-9)}`;

/** Unknown fields and keys full of canaries, for the answers that succeed. */
const unknownFields = () => ({
  echo: ECHO,
  [`key ${SECRET_KEY}`]: { [IAM_TOKEN]: [ECHO, { deeper: ECHO }] },
  request_id: SHORT,
});

const SQL_FAILED = '5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const SQL_FINISHED = '6d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a';
const CLUSTER = '7e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b';

interface Answer {
  path: string;
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

const json = (value: unknown) => JSON.stringify(value);
const HEADERS = { 'Content-Type': 'application/json', 'X-Request-Id': SHORT, 'X-Echo': ECHO };

/** The emulator's scripted answers, by path, and the node reads that meet each. */
const ANSWERS: Answer[] = [
  // 4xx with the service's error body.
  {
    path: '/streaming/jobs/11001',
    status: 400,
    body: json({ error_code: `DLI.0002 ${SHORT}`, error_msg: ECHO, request_id: SHORT }),
  },
  // The gateway refusing the credentials, echoing them.
  {
    path: '/streaming/jobs/11002',
    status: 401,
    body: json({ error_code: 'APIG.0301', error_msg: `Incorrect IAM authentication information: ${ECHO}` }),
  },
  // 5xx (not retried: 500).
  {
    path: '/streaming/jobs/11003',
    status: 500,
    body: json({ error_code: SHORT, error_msg: ECHO, request_id: SHORT }),
  },
  // DLI 200 with is_success false.
  {
    path: '/streaming/jobs/11004',
    body: json({ is_success: 'false', message: `DLI.0005: ${ECHO}`, request_id: SHORT }),
  },
  // A body that is not JSON.
  {
    path: '/streaming/jobs/11005',
    status: 200,
    headers: { 'Content-Type': 'text/html' },
    body: `<html><body>${ECHO}</body></html>`,
  },
  // A Flink job that failed, its status_desc the echo.
  {
    path: '/streaming/jobs/11006',
    body: json({
      is_success: 'true',
      message: ECHO,
      job_detail: {
        job_id: 11006,
        name: SHORT,
        status: 'job_running_exception',
        status_desc: ECHO,
        ...unknownFields(),
      },
    }),
  },
  // A Flink job that runs, with canaries in unknown fields.
  {
    path: '/streaming/jobs/11007',
    body: json({
      is_success: 'true',
      job_detail: { job_id: 11007, name: 'ok', status: 'job_running', ...unknownFields() },
    }),
  },
  // The Flink job list.
  {
    path: '/streaming/jobs',
    body: json({
      is_success: 'true',
      message: ECHO,
      job_list: {
        total_count: 2,
        jobs: [
          { job_id: 11007, name: SHORT, status: 'job_running', status_desc: ECHO, ...unknownFields() },
          { job_id: 11006, name: 'x', status: 'job_running_exception', status_desc: ECHO },
        ],
      },
    }),
  },
  // A SQL job that failed with the echo as its message, and one that finished.
  {
    path: `/jobs/${SQL_FAILED}/progress`,
    body: json({
      is_success: true,
      message: ECHO,
      job_id: SQL_FAILED,
      status: 'FAILED',
      progress: 0.2,
      ...unknownFields(),
    }),
  },
  {
    path: `/jobs/${SQL_FINISHED}/progress`,
    body: json({
      is_success: true,
      message: '',
      job_id: SQL_FINISHED,
      status: 'FINISHED',
      progress: 1,
      ...unknownFields(),
    }),
  },
  // CDM: a job that failed (error-summary, error-details), and one that succeeded.
  {
    path: '/cdm/job/failed_job/status',
    body: json({
      submissions: [
        {
          'job-name': 'failed_job',
          status: 'FAILED',
          progress: -1,
          'error-summary': ECHO,
          'error-details': ECHO,
          'creation-user': SHORT,
        },
      ],
    }),
  },
  {
    path: '/cdm/job/good_job/status',
    body: json({
      submissions: [{ 'job-name': 'good_job', status: 'SUCCEEDED', progress: 100, ...unknownFields() }],
    }),
  },
  // DataArts: a real-time job in EXCEPTION, its nodes echoing.
  {
    path: '/jobs/rt_canary/status',
    body: json({
      name: 'rt_canary',
      status: 'EXCEPTION',
      nodes: [{ name: SHORT, status: 'EXCEPTION', logPath: ECHO, ...unknownFields() }],
      ...unknownFields(),
    }),
  },
  // Starts: a statement DLI refuses (200, is_success false), a CDM start refused with an error body.
  {
    path: '/jobs/submit-job',
    body: json({ is_success: false, message: `DLI.0005: ${ECHO}`, request_id: SHORT }),
  },
  {
    path: '/cdm/job/start_canary/start',
    status: 400,
    body: json({ error_code: `Cdm.0100 ${SHORT}`, error_msg: ECHO }),
  },
];

/** The reads each config makes: a node type and the msg that starts it. */
const READS: { type: string; msg: Msg; wait?: { kind: string; until: 'finished' | 'running' } }[] = [
  ...['11001', '11002', '11003', '11004', '11005', '11006', '11007'].map((jobId) => ({
    type: 'huaweicloud-dli-flink-job',
    msg: { jobId },
  })),
  { type: 'huaweicloud-dli-flink-jobs', msg: {} },
  { type: 'huaweicloud-dli-sql-progress', msg: { jobId: SQL_FAILED } },
  { type: 'huaweicloud-dli-sql-progress', msg: { jobId: SQL_FINISHED } },
  { type: 'huaweicloud-cdm-job-status', msg: { clusterId: CLUSTER, jobName: 'failed_job' } },
  { type: 'huaweicloud-cdm-job-status', msg: { clusterId: CLUSTER, jobName: 'good_job' } },
  { type: 'huaweicloud-dataarts-job-status', msg: { jobName: 'rt_canary' } },
  ...['11001', '11004', '11006', '11007'].map((jobId) => ({
    type: 'huaweicloud-job-wait',
    msg: { jobId },
    wait: { kind: 'dli-flink', until: 'running' as const },
  })),
  {
    type: 'huaweicloud-job-wait',
    msg: { jobId: SQL_FAILED },
    wait: { kind: 'dli-sql', until: 'finished' as const },
  },
  {
    type: 'huaweicloud-job-wait',
    msg: { jobId: SQL_FINISHED },
    wait: { kind: 'dli-sql', until: 'finished' as const },
  },
  {
    type: 'huaweicloud-job-wait',
    msg: { clusterId: CLUSTER, jobName: 'failed_job' },
    wait: { kind: 'cdm', until: 'finished' as const },
  },
  {
    type: 'huaweicloud-job-wait',
    msg: { jobName: 'rt_canary' },
    wait: { kind: 'dataarts-realtime', until: 'finished' as const },
  },
  // A statement holding the secret, refused by the service, and one refused by its own schema.
  {
    type: 'huaweicloud-job-start',
    msg: { kind: 'dli-sql', sql: `SELECT '${SECRET_KEY}'`, conf: [`spark.password=${SECURITY_TOKEN}`] },
  },
  {
    type: 'huaweicloud-job-start',
    msg: { kind: 'dli-sql', sql: 'SELECT 1', queue: `${SECRET_KEY}${'q'.repeat(120)}` },
  },
  { type: 'huaweicloud-job-start', msg: { kind: 'cdm', clusterId: CLUSTER, jobName: 'start_canary' } },
];

let emulator: Emulator;

beforeAll(async () => {
  const scenario = JSON.parse(
    readFileSync(join(ROOT_DIR, 'packages/emulator/scenarios/default.json'), 'utf8'),
  );
  scenario.credentials = [
    { accessKey: ACCESS_KEY, secretKey: SECRET_KEY, securityToken: SECURITY_TOKEN, projectId: PROJECT },
  ];
  scenario.tokens = [{ token: IAM_TOKEN, projectId: PROJECT }];
  emulator = await startEmulator({ scenario, timeScale: 1, seed: 13 });
  emulator.admin.addFaults(
    ANSWERS.map(({ path, status, headers, body }) => ({
      type: 'respond' as const,
      match: { path: path === '/streaming/jobs' ? `/v1.0/${PROJECT}/streaming/jobs` : path },
      status: status ?? 200,
      headers: headers ? { ...HEADERS, ...headers } : HEADERS,
      body,
    })),
  );
});
afterAll(async () => {
  await helper.unload();
  await emulator?.close();
});

/** Everything a flow of every read, through both configs, lets out. */
async function runFlow() {
  const tab = newId();
  const aksk = newId();
  const token = newId();
  const flow: object[] = [
    { id: tab, type: 'tab', label: 'canaries' },
    { id: aksk, type: 'huaweicloud-config', name: 'aksk', endpoint: emulator.url, projectId: PROJECT },
    { id: token, type: 'huaweicloud-config', name: 'token', endpoint: emulator.url, projectId: PROJECT },
  ];
  const outputs: string[] = [];
  const finals = new Set<string>();
  const starts: { id: string; msg: Msg }[] = [];
  const debugOf = (id: string) => ({
    id,
    z: tab,
    type: 'debug',
    active: true,
    tosidebar: true,
    console: true,
    tostatus: true,
    complete: 'true',
    targetType: 'full',
    wires: [],
  });
  const sink = (final = true) => {
    const out = newId();
    const debug = newId();
    outputs.push(out);
    if (final) finals.add(out);
    flow.push({ id: out, z: tab, type: 'helper' }, debugOf(debug));
    return [out, debug];
  };
  for (const server of [aksk, token])
    for (const read of READS) {
      const id = newId();
      const wires = read.wait ? [sink(), sink(), sink(false)] : [sink()];
      flow.push({
        id,
        z: tab,
        type: read.type,
        server,
        wires,
        ...(read.wait
          ? { ...read.wait, timeout: '5s', interval: '100ms', progressOutput: true, fields: {}, outputs: 3 }
          : {}),
        ...(read.type === 'huaweicloud-dli-flink-jobs' ? { output: 'split' } : {}),
        ...(read.type === 'huaweicloud-job-start' ? { kind: '', fields: {} } : {}),
      });
      starts.push({ id, msg: read.msg });
    }
  const caught = newId();
  const shown = newId();
  const incoming = new Set<string>();
  flow.push(
    { id: newId(), z: tab, type: 'catch', scope: null, uncaught: false, wires: [[caught, 'dbgcaught']] },
    { id: caught, z: tab, type: 'helper' },
    debugOf('dbgcaught'),
    { id: newId(), z: tab, type: 'status', scope: null, wires: [[shown]] },
    { id: shown, z: tab, type: 'helper' },
  );

  // The debug sidebar: what debug nodes publish to the editor.
  const sidebar: unknown[] = [];
  type Red = { comms: { publish(topic: string, data: unknown, retain?: boolean): void } };
  const debugWithSidebar = (RED: Red) =>
    debugNode(
      new Proxy(RED, {
        get: (target, key) =>
          key === 'comms'
            ? {
                publish: (topic: string, data: unknown, retain?: boolean) => {
                  sidebar.push({ topic, data });
                  target.comms.publish(topic, data, retain);
                },
              }
            : Reflect.get(target, key),
      }),
    );

  await helper.load([...ALL_NODES, debugWithSidebar], flow, {
    [aksk]: { accessKey: ACCESS_KEY, secretKey: SECRET_KEY, securityToken: SECURITY_TOKEN },
    [token]: { authToken: IAM_TOKEN },
  });
  const sent = outputs.map((id) => collect(helper.getNode(id)));
  const ids = new Set<string>();
  for (const id of finals) helper.getNode(id).on('input', (m: Msg) => ids.add(String(m._msgid)));
  const errors = collect(helper.getNode(caught));
  const statuses = collect(helper.getNode(shown));
  emulator.admin.clearRequests();
  helper.getNode(caught).on('input', (m: Msg) => ids.add(String(m._msgid)));
  for (const { id, msg } of starts) {
    const _msgid = newId();
    incoming.add(_msgid);
    (helper.getNode(id) as TestNode).receive({ ...msg, _msgid, topic: 'canary' });
  }

  // Every read has ended, on an output or at Catch: 2 configs × every read.
  await eventually(() => expect([...incoming].filter((id) => !ids.has(id))).toEqual([]), 15_000);
  await new Promise((r) => setTimeout(r, 300));
  const log = helper
    .log()
    .getCalls()
    .map((call) => call.args);
  return { sent: sent.flat(), errors, statuses, sidebar, log };
}

describe('secret canaries through every node and both kinds of credentials', () => {
  it('reach no output, Catch msg, status, debug message or log line, in any form', async () => {
    const captured = await runFlow();

    // The flow really ran: every kind of answer arrived, through both configs, on every channel.
    const requests = emulator.admin.requests();
    expect(requests.filter((r) => r.fault === 'respond').length).toBeGreaterThanOrEqual(2 * READS.length);
    expect(new Set(requests.map((r) => r.auth))).toEqual(new Set(['aksk', 'token']));
    const codes = captured.errors.map((m) => m.error.code);
    expect(codes).toEqual(
      expect.arrayContaining(['APIG.0301', 'DLI.REQUEST_FAILED', 'JOBGATE_INVALID_INPUT']),
    );
    expect(requests.some((r) => r.path.endsWith('/jobs/submit-job') && r.fault === 'respond')).toBe(true);
    expect(requests.some((r) => r.path.endsWith('/cdm/job/start_canary/start'))).toBe(true);
    expect(captured.errors.some((m) => m.error.stack)).toBe(true);
    expect(captured.sent.some((m) => m.error?.code === 'JOBGATE_JOB_FAILED')).toBe(true);
    expect(captured.sent.some((m) => m.job?.phase === 'succeeded' || m.job?.phase === 'running')).toBe(true);
    expect(captured.statuses.length).toBeGreaterThan(10);
    expect(captured.sidebar.length).toBeGreaterThan(10);
    expect(captured.log.length).toBeGreaterThan(10);

    const channels = Object.entries(captured).map(([channel, items]) => ({
      channel,
      count: (items as unknown[]).length,
      leaks: findLeaks(JSON.stringify(items), SECRETS),
    }));
    const report = channels.map(({ channel, count, leaks }) => ({
      channel,
      count,
      leaks: leaks.length,
      first: leaks.slice(0, 3),
    }));
    expect(report.filter((c) => c.leaks > 0)).toEqual([]);
    // The echo did arrive: masked, not dropped.
    expect(JSON.stringify(captured.sent)).toContain('***');
  }, 60_000);
});
