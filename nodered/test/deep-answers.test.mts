/**
 * No answer a server sends can end Node-RED: in a real, headless Node-RED
 * with the packed package installed, the emulator answers status requests
 * with small bodies holding a 2,000-deep array and a 20,000-deep field in
 * unknown fields, on success and on failure, through the query nodes and the
 * wait node, with Catch and debug nodes (sidebar and console, the whole msg)
 * in the flow. The process lives on, each msg arrives with the deep part
 * replaced by a marker, and each failure reaches Catch exactly once.
 */
import { type Emulator, startEmulator } from '@jobgate/emulator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningNodeRed, startNodeRed } from './support/runtime.mjs';

const SQL_JOB = '3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60';
const MARKER = '[omitted: nested too deep]';

/** `levels` nested arrays as JSON text, built as text: no recursion anywhere. */
const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
const DEEP = `"deep":${nested(2_000)},"deeper":{"field":${nested(20_000)}}`;

/** The emulator's answer to each job's status request, by path. */
const ANSWERS: { path: string; status: number; body: string }[] = [
  // A Flink job that runs, read by the query node.
  {
    path: '/streaming/jobs/10001',
    status: 200,
    body: `{"is_success":"true","message":"ok","job_detail":{"job_id":10001,"name":"deep","status":"job_running",${DEEP}}}`,
  },
  // A SQL job that finished, read by the SQL node.
  {
    path: `/jobs/${SQL_JOB}/progress`,
    status: 200,
    body: `{"is_success":true,"message":"","job_id":"${SQL_JOB}","status":"FINISHED","progress":1,${DEEP}}`,
  },
  // A Flink job the wait node waits on until it runs.
  {
    path: '/streaming/jobs/10007',
    status: 200,
    body: `{"is_success":"true","job_detail":{"job_id":10007,"status":"job_running",${DEEP}}}`,
  },
  // Failures: an error body, a DLI answer that is not a success, a job the wait node sees fail.
  {
    path: '/streaming/jobs/10008',
    status: 400,
    body: `{"error_code":"DLI.0002","error_msg":"The job does not exist",${DEEP}}`,
  },
  {
    path: '/streaming/jobs/10009',
    status: 200,
    body: `{"is_success":"false","message":"DLI.0005: refused",${DEEP}}`,
  },
  {
    path: '/streaming/jobs/10010',
    status: 500,
    body: `{"error_code":"DLI.0999","error_msg":"backend",${DEEP}}`,
  },
];

const TAB = 'aa00000000000001';
const CONFIG = 'aa00000000000002';
const CATCH = 'aa00000000000003';

let seq = 0;
const id = () => `bb${(++seq).toString(16).padStart(14, '0')}`;

/** An inject node firing once into `target`, with these msg properties. */
function injectInto(target: string, props: Record<string, string>) {
  return {
    id: id(),
    type: 'inject',
    z: TAB,
    props: Object.entries(props).map(([p, v]) => ({ p, v, vt: 'str' })),
    once: true,
    onceDelay: '0.5',
    repeat: '',
    crontab: '',
    topic: '',
    wires: [[target]],
  };
}

/** A debug node printing one line (a JSONata summary) to the log, and another printing the whole msg. */
function debugPair(name: string) {
  const line = {
    id: id(),
    type: 'debug',
    z: TAB,
    name,
    active: true,
    tosidebar: true,
    console: true,
    tostatus: true,
    complete: `"${name} " & $string(job.status) & " marker=" & $string($contains($string(payload), "${MARKER}")) & " error=" & $string(error.code)`,
    targetType: 'jsonata',
    statusVal: '',
    statusType: 'auto',
    wires: [],
  };
  const whole = {
    id: id(),
    type: 'debug',
    z: TAB,
    name: `${name} msg`,
    active: true,
    tosidebar: true,
    console: true,
    tostatus: false,
    complete: 'true',
    targetType: 'full',
    wires: [],
  };
  return [line, whole];
}

function flows(emulatorUrl: string, projectId: string) {
  const nodes: object[] = [
    { id: TAB, type: 'tab', label: 'deep answers' },
    { id: CONFIG, type: 'huaweicloud-config', name: 'emulator', endpoint: emulatorUrl, projectId },
  ];
  const query = (type: string, name: string, props: Record<string, string>) => {
    const debug = debugPair(name);
    const node = {
      id: id(),
      type,
      z: TAB,
      name,
      server: CONFIG,
      wires: [debug.map((d) => d.id)],
    };
    nodes.push(injectInto(node.id, props), node, ...debug);
  };
  query('huaweicloud-dli-flink-job', 'flink ok', { jobId: '10001' });
  query('huaweicloud-dli-sql-progress', 'sql ok', { jobId: SQL_JOB });
  query('huaweicloud-dli-flink-job', 'flink 400', { jobId: '10008' });
  query('huaweicloud-dli-flink-job', 'flink not a success', { jobId: '10009' });

  const succeeded = debugPair('wait succeeded');
  const failed = debugPair('wait failed');
  const progress = debugPair('wait progress');
  const wait = (name: string) => ({
    id: id(),
    type: 'huaweicloud-job-wait',
    z: TAB,
    name,
    server: CONFIG,
    kind: 'dli-flink',
    fields: {},
    until: 'running',
    timeout: '10s',
    interval: '200ms',
    progressOutput: true,
    outputs: 3,
    wires: [succeeded.map((d) => d.id), failed.map((d) => d.id), progress.map((d) => d.id)],
  });
  const waitOk = wait('wait ok');
  const waitFails = wait('wait 500');
  nodes.push(
    injectInto(waitOk.id, { jobId: '10007' }),
    waitOk,
    injectInto(waitFails.id, { jobId: '10010' }),
    waitFails,
    ...succeeded,
    ...failed,
    ...progress,
  );

  const caught = debugPair('caught');
  nodes.push(
    {
      id: CATCH,
      type: 'catch',
      z: TAB,
      name: 'errors',
      scope: null,
      uncaught: false,
      wires: [caught.map((d) => d.id)],
    },
    ...caught,
  );
  return nodes;
}

let emulator: Emulator;
let nodeRed: RunningNodeRed | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 1, seed: 5 });
  emulator.admin.addFaults(
    ANSWERS.map(({ path, status, body }) => ({
      type: 'respond' as const,
      match: { path },
      status,
      headers: { 'Content-Type': 'application/json' },
      body,
    })),
  );
});
afterAll(async () => {
  await nodeRed?.stop();
  await emulator?.close();
});

describe('answers nested deeper than any bound, in a real Node-RED', () => {
  it('reach the flow with the deep part replaced by a marker, each failure reaches Catch once, and Node-RED lives on', async () => {
    // Every body is small: the depth alone is the attack.
    for (const { body } of ANSWERS) expect(body.length).toBeLessThan(48_000);
    nodeRed = await startNodeRed({
      tarball: inject('packageTarball'),
      flows: flows(emulator.url, emulator.credentials.projectId),
      credentials: {
        [CONFIG]: { accessKey: emulator.credentials.accessKey, secretKey: emulator.credentials.secretKey },
      },
    });
    const expectLine = (line: string) =>
      nodeRed?.waitFor(new RegExp(`\\[info\\] \\[debug:[^\\]]+\\] ${escapeRegExp(line)}$`, 'm'), 20_000);
    await expectLine('flink ok job_running marker=true error=');
    await expectLine('sql ok FINISHED marker=true error=');
    await expectLine('wait succeeded job_running marker=true error=');
    await expectLine('wait progress job_running marker=true error=');
    // Failures: to Catch, with the code of the service (or JobGate's), once each.
    await expectLine('caught  marker= error=DLI.0002');
    await expectLine('caught  marker= error=DLI.REQUEST_FAILED');
    await expectLine('caught  marker= error=DLI.0999');
    // Give a second report of the same failure time to show up, were there one.
    await new Promise((r) => setTimeout(r, 1_000));

    const output = nodeRed.output();
    const caughtLines = output.split('\n').filter((l) => /\[debug:caught\] caught /.test(l));
    expect(caughtLines).toHaveLength(3);
    expect(output).not.toMatch(/Maximum call stack|RangeError|Uncaught Exception|\[error\]/);
    // Still alive and answering its editor.
    const health = await fetch(`${nodeRed.url}/flows`, { headers: { 'Node-RED-API-Version': 'v2' } });
    expect(health.status).toBe(200);
    const stopped = await nodeRed.stop();
    nodeRed = undefined;
    expect(stopped.signal === 'SIGINT' || stopped.code === 0).toBe(true);
  }, 120_000);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
