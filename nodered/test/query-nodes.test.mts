import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLINK_JOB_STATUSES } from '@jobgate/core';
import { type Emulator, startEmulator, startTestIssuer } from '@jobgate/emulator';
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

const SQL_JOB = '3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60';
const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 1, seed: 7 });
  // Every job of the default scenario to its last step: the answers no longer move.
  emulator.admin.advanceClock(3_600_000);
});
afterAll(async () => {
  await emulator?.close();
});
afterEach(async () => {
  await helper.unload();
  emulator.admin.clearFaults();
  delete process.env.JG_TEST_JOB_ID;
  delete process.env.JG_TEST_SK;
  delete process.env.JG_TEST_ENDPOINT;
});

/** A flow of one node under test, wired to a helper; a catch node catches its errors into a second helper. */
async function load(
  node: Record<string, unknown>,
  options: { config?: Record<string, unknown>; credentials?: object } = {},
) {
  const config = emulatorConfig(emulator, options.config);
  const id = newId();
  const out = newId();
  const caught = newId();
  const tab = newId();
  await helper.load(
    ALL_NODES,
    [
      { id: tab, type: 'tab', label: 'test' },
      config.node,
      { id, z: tab, server: config.id, wires: [[out]], ...node },
      { id: out, z: tab, type: 'helper' },
      { id: newId(), z: tab, type: 'catch', scope: null, uncaught: false, wires: [[caught]] },
      { id: caught, z: tab, type: 'helper' },
    ],
    options.credentials ? { [config.id]: options.credentials } : config.credentials,
  );
  return { node: helper.getNode(id), out: helper.getNode(out), caught: helper.getNode(caught), id };
}

describe('huaweicloud-dli-flink-job', () => {
  it('sends the validated answer in msg.payload and the JobState in msg.job, keeping the rest of the msg', async () => {
    const { node, out } = await load({ type: 'huaweicloud-dli-flink-job', jobId: 'jobId', jobIdType: 'msg' });
    const shown = statuses(node);
    const received = nextMessage(out);
    node.receive({ jobId: 10001, topic: 'orders', extra: { keep: [1, 2] }, payload: 'replaced' });
    const msg = await received;
    expect(msg.payload.job_detail.job_id).toBe(10001);
    expect(msg.payload.job_detail.status).toBe('job_running');
    expect(msg.job).toMatchObject({
      kind: 'dli-flink',
      ref: { jobId: 10001 },
      phase: 'running',
      status: 'job_running',
    });
    expect(msg.job.raw).toEqual(msg.payload);
    expect(msg.topic).toBe('orders');
    expect(msg.extra).toEqual({ keep: [1, 2] });
    expect(msg.jobId).toBe(10001);
    await eventually(() => expect(shown.at(-1)).toEqual({ fill: 'blue', shape: 'dot', text: 'job_running' }));
  });

  it.each([
    ['a string', { jobId: '10002', jobIdType: 'str' }, {}],
    [
      'a nested msg property',
      { jobId: 'request.flink.id', jobIdType: 'msg' },
      { request: { flink: { id: '10002' } } },
    ],
    [
      'a JSONata expression',
      { jobId: 'payload.base + 2', jobIdType: 'jsonata' },
      { payload: { base: 10000 } },
    ],
    ['an environment variable', { jobId: 'JG_TEST_JOB_ID', jobIdType: 'env' }, {}],
    ['flow context', { jobId: 'flinkJob', jobIdType: 'flow' }, {}],
    ['global context', { jobId: 'flinkJob', jobIdType: 'global' }, {}],
  ])('reads the job id from %s', async (_source, typed, incoming) => {
    process.env.JG_TEST_JOB_ID = '10002';
    const { node, out } = await load({ type: 'huaweicloud-dli-flink-job', ...typed });
    node.context().flow.set('flinkJob', 10002);
    node.context().global.set('flinkJob', 10002);
    const received = nextMessage(out);
    node.receive(incoming as Msg);
    const msg = await received;
    expect(msg.job.ref).toEqual({ jobId: 10002 });
    expect(msg.job.phase).toBe('failed');
    expect(msg.job.message).toMatch(/OutOfMemoryError/);
  });

  it('defaults an identity field without a TypedInput to the msg property of its name', async () => {
    const { node, out } = await load({ type: 'huaweicloud-dli-flink-job' });
    const received = nextMessage(out);
    node.receive({ jobId: '10001' });
    expect((await received).job.ref.jobId).toBe(10001);
  });

  it('hands a service error to Catch nodes with the original msg, its code and msg.statusCode', async () => {
    const { node, out, caught, id } = await load({
      type: 'huaweicloud-dli-flink-job',
      jobId: 'jobId',
      jobIdType: 'msg',
    });
    const shown = statuses(node);
    const sent = collect(out);
    const received = nextMessage(caught);
    node.receive({ jobId: 99999, topic: 'missing', payload: 'original' });
    const msg = await received;
    expect(msg.error.code).toBe('DLI.0002');
    expect(msg.error.message).toMatch(/DLI\.0002.*does not exist/);
    expect(msg.error.source.id).toBe(id);
    expect(msg.statusCode).toBe(400);
    expect(msg.topic).toBe('missing');
    expect(msg.payload).toBe('original');
    expect(sent).toEqual([]);
    await eventually(() =>
      expect(shown.at(-1)).toEqual({ fill: 'red', shape: 'ring', text: 'DLI.0002 (HTTP 400)' }),
    );
  });

  it('refuses a job id that is not an integer before any request', async () => {
    const { node, caught } = await load({
      type: 'huaweicloud-dli-flink-job',
      jobId: 'not-a-number',
      jobIdType: 'str',
    });
    emulator.admin.clearRequests();
    const received = nextMessage(caught);
    node.receive({});
    const msg = await received;
    expect(msg.error.code).toBe('JOBGATE_INVALID_INPUT');
    expect(msg.error.message).toMatch(/^InputError: jobId: .*integer/);
    expect(msg.statusCode).toBeUndefined();
    expect(emulator.admin.requests()).toEqual([]);
  });
});

describe('huaweicloud-dli-sql-progress', () => {
  it('reads a SQL job, with progress and its sub-jobs', async () => {
    const { node, out } = await load({
      type: 'huaweicloud-dli-sql-progress',
      jobId: SQL_JOB,
      jobIdType: 'str',
    });
    const shown = statuses(node);
    const received = nextMessage(out);
    node.receive({ topic: 'sql' });
    const msg = await received;
    expect(msg.payload).toMatchObject({ is_success: true, status: 'FINISHED' });
    expect(msg.job).toMatchObject({
      kind: 'dli-sql',
      ref: { jobId: SQL_JOB },
      phase: 'succeeded',
      progress: 1,
    });
    expect(msg.topic).toBe('sql');
    await eventually(() =>
      expect(shown.at(-1)).toEqual({ fill: 'green', shape: 'dot', text: 'FINISHED 100%' }),
    );
    const paths = emulator.admin.requests().map((r) => r.path);
    expect(paths.some((p) => p.endsWith(`/jobs/${SQL_JOB}/progress`))).toBe(true);
  });

  it('falls back to the status API where the progress API answers DLI.0999', async () => {
    emulator.admin.addFaults({ type: 'dli-0999', match: { path: '/progress' } });
    const { node, out } = await load({
      type: 'huaweicloud-dli-sql-progress',
      jobId: 'jobId',
      jobIdType: 'msg',
    });
    const received = nextMessage(out);
    node.receive({ jobId: SQL_JOB });
    const msg = await received;
    expect(msg.job.phase).toBe('succeeded');
    expect(msg.payload.status).toBe('FINISHED');
  });
});

describe('huaweicloud-dataarts-job-status', () => {
  it('reads a real-time job in the default workspace when no workspace is given', async () => {
    const { node, out } = await load({
      type: 'huaweicloud-dataarts-job-status',
      jobName: 'realtime_sms_alerts',
      jobNameType: 'str',
      workspace: 'workspace',
      workspaceType: 'msg',
    });
    const received = nextMessage(out);
    node.receive({ payload: 1 });
    const msg = await received;
    expect(msg.payload).toMatchObject({ name: 'realtime_sms_alerts', status: 'EXCEPTION' });
    expect(msg.job).toMatchObject({
      kind: 'dataarts-realtime',
      ref: { jobName: 'realtime_sms_alerts' },
      phase: 'failed',
    });
    expect(msg.job.ref).not.toHaveProperty('workspace');
    expect(msg.job.details[0].title).toBe('Nodes');
  });

  it('answers DLF.0100 for a job of another workspace, through Catch', async () => {
    const { node, caught } = await load({ type: 'huaweicloud-dataarts-job-status' });
    const received = nextMessage(caught);
    node.receive({ jobName: 'realtime_sms_alerts', workspace: 'ws-elsewhere' });
    const msg = await received;
    expect(msg.error.code).toBe('DLF.0100');
    expect(msg.statusCode).toBe(400);
  });
});

describe('huaweicloud-cdm-job-status', () => {
  it('reads a migration job with its counters', async () => {
    const { node, out } = await load({
      type: 'huaweicloud-cdm-job-status',
      clusterId: 'clusterId',
      clusterIdType: 'msg',
      jobName: '"jdbc" & "2hive"',
      jobNameType: 'jsonata',
    });
    const received = nextMessage(out);
    node.receive({ clusterId: CLUSTER });
    const msg = await received;
    expect(msg.payload.submissions[0]).toMatchObject({ 'job-name': 'jdbc2hive', status: 'SUCCEEDED' });
    expect(msg.job).toMatchObject({
      kind: 'cdm',
      ref: { clusterId: CLUSTER, jobName: 'jdbc2hive' },
      phase: 'succeeded',
    });
    expect(msg.job.details[0].rows).toContainEqual(['ROWS_WRITTEN', 18]);
    expect(msg.clusterId).toBe(CLUSTER);
  });

  it('answers Cdm.0100 for a job that does not exist, through Catch', async () => {
    const { node, caught } = await load({ type: 'huaweicloud-cdm-job-status' });
    const received = nextMessage(caught);
    node.receive({ clusterId: CLUSTER, jobName: 'no_such_job', topic: 't' });
    const msg = await received;
    expect(msg.error.code).toBe('Cdm.0100');
    expect(msg.statusCode).toBe(400);
    expect(msg.topic).toBe('t');
  });
});

describe('huaweicloud-dli-flink-jobs', () => {
  it('sends the whole list as one array, with the total count', async () => {
    const { node, out } = await load({ type: 'huaweicloud-dli-flink-jobs', output: 'array' });
    const received = nextMessage(out);
    node.receive({ topic: 'all' });
    const msg = await received;
    expect(msg.payload.map((j: { job_id: number }) => j.job_id).sort()).toEqual([10001, 10002, 10003]);
    expect(msg.totalCount).toBe(3);
    expect(msg.topic).toBe('all');
  });

  it('sends one message per job, each with its JobState and msg.parts', async () => {
    const { node, out } = await load({ type: 'huaweicloud-dli-flink-jobs', output: 'split', order: 'asc' });
    const seen = collect(out);
    node.receive({ _msgid: 'm1', topic: 'each' });
    await eventually(() => expect(seen).toHaveLength(3));
    const byId = Object.fromEntries(seen.map((m) => [m.payload.job_id, m]));
    expect(byId[10001].job).toMatchObject({ kind: 'dli-flink', ref: { jobId: 10001 }, phase: 'running' });
    expect(byId[10002].job).toMatchObject({ phase: 'failed', status: 'job_running_exception' });
    expect(byId[10003].job).toMatchObject({ phase: 'cancelled', status: 'job_cancel_success' });
    expect(seen.map((m) => m.parts)).toEqual([
      { id: 'm1', index: 0, count: 3, type: 'array', len: 1 },
      { id: 'm1', index: 1, count: 3, type: 'array', len: 1 },
      { id: 'm1', index: 2, count: 3, type: 'array', len: 1 },
    ]);
    expect(seen.every((m) => m.topic === 'each')).toBe(true);
  });

  it('sends every filter of the node', async () => {
    const { node, out } = await load({
      type: 'huaweicloud-dli-flink-jobs',
      jobType: 'flink_opensource_sql_job',
      statusFilter: 'job_running',
      queueName: 'jobgate_queue',
      jobName: 'clickstream_agg',
      userName: 'someone',
      tags: 'team=data',
      order: 'desc',
      limit: '20',
      offset: '0',
      rootId: '7',
      sysEnterpriseProjectName: 'default',
      showDetail: true,
    });
    emulator.admin.clearRequests();
    const received = nextMessage(out);
    node.receive({});
    await received;
    const query = new URLSearchParams(emulator.admin.requests()[0]?.query ?? '');
    expect(Object.fromEntries(query)).toEqual({
      job_type: 'flink_opensource_sql_job',
      status: 'job_running',
      queue_name: 'jobgate_queue',
      name: 'clickstream_agg',
      user_name: 'someone',
      tags: 'team=data',
      order: 'desc',
      limit: '20',
      offset: '0',
      root_job_id: '7',
      show_detail: 'true',
      sys_enterprise_project_name: 'default',
    });
  });

  it('reads every page', async () => {
    const { node, out } = await load({ type: 'huaweicloud-dli-flink-jobs', limit: '1', allPages: true });
    emulator.admin.clearRequests();
    const received = nextMessage(out);
    node.receive({});
    const msg = await received;
    expect(msg.payload).toHaveLength(3);
    expect(emulator.admin.requests().length).toBeGreaterThanOrEqual(3);
  });

  it('refuses a bad filter before any request, through Catch', async () => {
    const { node, caught } = await load({ type: 'huaweicloud-dli-flink-jobs' });
    emulator.admin.clearRequests();
    const received = nextMessage(caught);
    node.receive({ filter: { limit: 500 } });
    const msg = await received;
    expect(msg.error.code).toBe('JOBGATE_INVALID_INPUT');
    expect(msg.error.message).toMatch(/limit.*at most 100/);
    expect(emulator.admin.requests()).toEqual([]);
  });

  it('keeps the status filter list of the editor in step with the API', async () => {
    const { readFileSync } = await import('node:fs');
    const html = readFileSync(new URL('../src/huaweicloud-dli-flink-jobs.html', import.meta.url), 'utf8');
    const options = [...html.matchAll(/<option value="(job_[a-z_]+)">/g)].map((m) => m[1]);
    expect(options).toEqual([...FLINK_JOB_STATUSES]);
  });
});

describe('huaweicloud-config', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Node-RED's own ${NAME} syntax
  it('reads ${NAME} settings and credentials from the environment', async () => {
    process.env.JG_TEST_SK = emulator.credentials.secretKey;
    process.env.JG_TEST_ENDPOINT = emulator.url;
    const { node, out } = await load(
      { type: 'huaweicloud-dli-flink-job' },
      {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Node-RED's own ${NAME} syntax
        config: { endpoint: '', region: 'cn-north-4', endpointDli: '${JG_TEST_ENDPOINT}' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Node-RED's own ${NAME} syntax
        credentials: { accessKey: emulator.credentials.accessKey, secretKey: '${JG_TEST_SK}' },
      },
    );
    const received = nextMessage(out);
    node.receive({ jobId: 10001 });
    expect((await received).job.status).toBe('job_running');
  });

  it('takes the credentials and project id from HUAWEICLOUD_SDK_* when it has none', async () => {
    process.env.HUAWEICLOUD_SDK_AK = emulator.credentials.accessKey;
    process.env.HUAWEICLOUD_SDK_SK = emulator.credentials.secretKey;
    process.env.HUAWEICLOUD_SDK_PROJECT_ID = emulator.credentials.projectId;
    try {
      const { node, out } = await load(
        { type: 'huaweicloud-dli-flink-job' },
        { config: { projectId: '' }, credentials: {} },
      );
      const received = nextMessage(out);
      node.receive({ jobId: 10001 });
      expect((await received).job.status).toBe('job_running');
    } finally {
      delete process.env.HUAWEICLOUD_SDK_AK;
      delete process.env.HUAWEICLOUD_SDK_SK;
      delete process.env.HUAWEICLOUD_SDK_PROJECT_ID;
    }
  });

  it('exchanges an id token read from a file at an IAM identity provider, no key in the flow', async () => {
    const issuer = await startTestIssuer();
    const { projectId } = emulator.credentials;
    const federated = await startEmulator({
      timeScale: 1,
      scenario: {
        credentials: [emulator.credentials],
        identityProviders: [issuer.identityProvider({ id: 'k8s', clientId: 'node-red', projectId })],
        jobs: [{ kind: 'dli-flink', jobId: 10001, steps: [{ status: 'job_running' }] }],
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'jobgate-nodered-'));
    try {
      const idToken = issuer.sign(issuer.claimsFor('node-red'));
      writeFileSync(join(dir, 'token'), idToken);
      const { node, out } = await load(
        { type: 'huaweicloud-dli-flink-job' },
        {
          config: { endpoint: federated.url, identityProvider: 'k8s', idTokenFile: join(dir, 'token') },
          credentials: {},
        },
      );
      const received = nextMessage(out);
      node.receive({ jobId: 10001 });
      const msg = await received;
      expect(msg.job.status).toBe('job_running');
      const routes = federated.admin.requests().map((r) => `${r.route} ${r.status}`);
      expect(routes).toEqual(['iam.id-token 201', 'iam.security-token 201', 'dli.flink.detail 200']);
      expect(federated.admin.requests()[2]?.accessKey).not.toBe(emulator.credentials.accessKey);
      expect(JSON.stringify([msg, statuses(node), loggedText()])).not.toContain(idToken.slice(-16));
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await federated.close();
      await issuer.close();
    }
  });

  it('asks for an id token when an identity provider is set without one', async () => {
    const { node, caught } = await load(
      { type: 'huaweicloud-dli-flink-job' },
      { config: { identityProvider: 'k8s' }, credentials: {} },
    );
    const received = nextMessage(caught);
    node.receive({ jobId: 10001 });
    expect((await received).error.message).toMatch(/idToken: expected an id token or an id token file/);
  });

  it('says which credentials are missing when it has none at all', async () => {
    const { node, caught } = await load({ type: 'huaweicloud-dli-flink-job' }, { credentials: {} });
    const received = nextMessage(caught);
    node.receive({ jobId: 10001 });
    const msg = await received;
    expect(msg.error.code).toBe('JOBGATE_INVALID_INPUT');
    expect(msg.error.message).toMatch(/credentials: expected an access key and secret key/);
  });

  it('names an environment variable that is not set', async () => {
    const { node, caught } = await load(
      { type: 'huaweicloud-dli-flink-job' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Node-RED's own ${NAME} syntax
      { credentials: { accessKey: emulator.credentials.accessKey, secretKey: '${JG_NOT_SET_ANYWHERE}' } },
    );
    const received = nextMessage(caught);
    node.receive({ jobId: 10001 });
    const msg = await received;
    expect(msg.error.code).toBe('JOBGATE_INVALID_INPUT');
    expect(msg.error.message).toMatch(/secretKey: the environment variable JG_NOT_SET_ANYWHERE is not set/);
  });

  it('reports a bad region through the nodes that use it', async () => {
    const { node, caught } = await load(
      { type: 'huaweicloud-dli-flink-job' },
      { config: { endpoint: '', region: 'mars-1' } },
    );
    const received = nextMessage(caught);
    node.receive({ jobId: 10001 });
    expect((await received).error.message).toMatch(/region: unknown region "mars-1"/);
  });

  it('keeps a rejected secret out of every msg, status and log line', async () => {
    const secret = 'wrong-secret-key-that-must-never-be-shown';
    const { node, caught } = await load(
      { type: 'huaweicloud-dli-flink-job' },
      {
        credentials: {
          accessKey: emulator.credentials.accessKey,
          secretKey: secret,
          securityToken: 'token-that-must-stay-hidden',
        },
      },
    );
    const shown = statuses(node);
    const received = nextMessage(caught);
    node.receive({ jobId: 10001 });
    const msg = await received;
    expect(msg.statusCode).toBe(401);
    expect(msg.error.code).toMatch(/^APIG/);
    const everything = JSON.stringify([msg, shown, loggedText()]);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('token-that-must-stay-hidden');
    expect(everything).not.toContain(emulator.credentials.secretKey);
  });

  it('sends every request through its proxy, with the proxy password out of sight', async () => {
    const proxy = await startConnectProxy();
    try {
      const { node, out } = await load(
        { type: 'huaweicloud-dli-flink-job' },
        { config: { proxy: `http://jobgate:proxy-pass@127.0.0.1:${proxy.port}` } },
      );
      const received = nextMessage(out);
      node.receive({ jobId: 10001 });
      expect((await received).job.status).toBe('job_running');
      expect(proxy.tunnels).toEqual([new URL(emulator.url).host]);
      expect(proxy.authorizations).toEqual([`Basic ${Buffer.from('jobgate:proxy-pass').toString('base64')}`]);
    } finally {
      await proxy.close();
    }
  });
});

describe('closing', () => {
  it('aborts a request in flight at once, reporting nothing', async () => {
    emulator.admin.addFaults({
      type: 'latency',
      latencyMs: 20_000,
      match: { path: '/streaming/jobs/10001' },
    });
    const { node, out, caught } = await load({ type: 'huaweicloud-dli-flink-job' });
    const sent = collect(out);
    const errors = collect(caught);
    node.receive({ jobId: 10001 });
    // The emulator holds the request for 20 s: it is in flight now.
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    await helper.unload();
    expect(Date.now() - started).toBeLessThan(3_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(sent).toEqual([]);
    expect(errors).toEqual([]);
  });
});

interface ConnectProxy {
  port: number;
  tunnels: string[];
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/** A forward proxy that tunnels CONNECT requests, as corporate proxies do, and notes each one. */
async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const sockets = new Set<{ destroy(): void }>();
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client, head) => {
    sockets.add(client);
    tunnels.push(req.url ?? '');
    authorizations.push(req.headers['proxy-authorization']);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      sockets.add(upstream);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    tunnels,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        // Tunnels leave the server's hands once open: end them here, or close waits for keep-alive.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
