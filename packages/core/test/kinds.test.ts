import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CDM_JOB_STATUSES } from '../src/cdm/schemas.js';
import { REALTIME_JOB_STATUSES } from '../src/dataarts/schemas.js';
import { FLINK_JOB_STATUSES, SQL_JOB_STATUSES } from '../src/dli/schemas.js';
import {
  fieldsOf,
  getJobState,
  HuaweiCloudError,
  InputError,
  type JobGateClient,
  type JobKind,
  JobRef,
  JobState,
  type Phase,
  parseJobRef,
} from '../src/index.js';
import { cdmKind } from '../src/kinds/cdm.js';
import { dataartsRealtimeKind } from '../src/kinds/dataarts-realtime.js';
import { dliFlinkKind } from '../src/kinds/dli-flink.js';
import { dliSqlKind } from '../src/kinds/dli-sql.js';
import {
  json,
  type RecordedRequest,
  startTestServer,
  TEST_PROJECT,
  type TestServer,
  testClient,
} from './support/server.js';

type Json = Record<string, unknown>;

const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Json;

const FLINK_ID = 104;
const SQL_ID = '85798b38-ae44-48eb-bb90-7cf0dcdafe7b';
const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';
const JOB = 'job_sms';

const P = TEST_PROJECT;
const FLINK_PATH = `/v1.0/${P}/streaming/jobs/${FLINK_ID}`;
const SQL_PROGRESS_PATH = `/v1/${P}/jobs/${SQL_ID}/progress`;
const SQL_STATUS_PATH = `/v1.0/${P}/jobs/${SQL_ID}/status`;
const dataartsPath = (segment: string) => `/v1/${P}/jobs/${segment}/status`;
const cdmPath = (segment: string) => `/v1.1/${P}/clusters/${CLUSTER}/cdm/job/${segment}/status`;

const FLINK_REF: JobRef = { kind: 'dli-flink', jobId: FLINK_ID };
const SQL_REF: JobRef = { kind: 'dli-sql', jobId: SQL_ID };
const DATAARTS_REF: JobRef = { kind: 'dataarts-realtime', jobName: JOB };
const CDM_REF: JobRef = { kind: 'cdm', clusterId: CLUSTER, jobName: JOB };

const DLI_0999 = {
  error_code: 'DLI.0999',
  error_msg: 'The queue backend version is too old or the queue is busy.',
};

// Response templates built from the seed fixtures.
function flinkBody(status: string | undefined, statusDesc = ''): Json {
  const body = fixture('dli-flink-detail-jar.json');
  const detail: Json = { ...(body.job_detail as Json), status_desc: statusDesc };
  if (status === undefined) delete detail.status;
  else detail.status = status;
  return { ...body, job_detail: detail };
}

function sqlProgressBody(status: string, progress: number | null = 0, message = ''): Json {
  return { ...fixture('dli-sql-progress.json'), job_id: SQL_ID, status, progress, message };
}

function sqlStatusBody(status: string, message = ''): Json {
  return { ...fixture('dli-sql-status.json'), job_id: SQL_ID, status, message };
}

function dataartsBody(status: string | null, nodes: Json[] = []): Json {
  return { name: JOB, status, nodes };
}

function submission(status: string, extra: Json = {}): Json {
  return { 'job-name': JOB, 'creation-user': 'cdm', 'creation-date': '1536905778725', status, ...extra };
}

type Reply = [status: number, body: unknown];

let server: TestServer;
let client: JobGateClient;

/** Answers each known path with its reply; anything else is the gateway's 404. */
function serve(routes: Record<string, Reply | ((req: RecordedRequest, res: ServerResponse) => void)>) {
  server.handle((req, res) => {
    const path = req.url.split('?')[0] ?? '';
    const route = routes[path];
    if (typeof route === 'function') return route(req, res);
    if (route) return json(res, route[0], route[1]);
    json(res, 404, { error_code: 'APIG.0101', error_msg: `The API does not exist: ${path}` });
  });
}

beforeAll(async () => {
  server = await startTestServer((_req, res) =>
    json(res, 500, { error_code: 'TEST', error_msg: 'no handler' }),
  );
  client = testClient(server.url);
});

afterAll(async () => {
  await client.close();
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
});

// ---------------------------------------------------------------------------
// Expected phases: my own reading of the reference (sections 3 and 6), written
// out here rather than taken from the kinds' tables, so that the two can
// disagree. pending/running/unknown keep a wait going; succeeded ends it well;
// failed/cancelled end it badly.

const FLINK_EXPECTED: Record<string, Phase> = {
  // "draft: never starts by itself" — but a CI step may have just submitted it: not yet running.
  job_init: 'pending',
  job_submitting: 'pending',
  job_downloading: 'pending',
  job_idle: 'pending',
  // Recovering from arrears: on its way back, not yet running.
  job_arrearage_recovering: 'pending',
  // Being stopped: no verdict yet, and certainly not "running" for until=running.
  job_canceling: 'pending',
  job_running: 'running',
  // A savepoint is taken from a running job.
  job_savepointing: 'running',
  // The stop failed, so the job goes on running.
  job_cancel_fail: 'running',
  job_finish: 'succeeded',
  job_submit_fail: 'failed',
  job_running_exception: 'failed',
  // Stopped by the platform (account in arrears), not by the user: a failure.
  job_arrearage_stopped: 'failed',
  job_cancel_success: 'cancelled',
};

const SQL_EXPECTED: Record<string, Phase> = {
  LAUNCHING: 'pending',
  RUNNING: 'running',
  SCALING: 'running',
  FINISHED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
};

const DATAARTS_EXPECTED: Record<string, Phase> = {
  STARTING: 'pending',
  // The Go SDK's spelling of STARTING.
  STARTTING: 'pending',
  INIT: 'pending',
  // Paused: not running now, may be resumed; no verdict.
  PAUSE: 'pending',
  PAUSED: 'pending',
  // Waiting for its turn to start.
  SCHEDULING: 'pending',
  // On its way to STOPPED; no verdict yet, and not "running" either.
  STOPPING: 'pending',
  NORMAL: 'running',
  // Overloaded, but running.
  OVERLOAD: 'running',
  EXCEPTION: 'failed',
  ABNORMAL: 'failed',
  // Section 6: "wait until STOPPED or EXCEPTION"; a clean stop is the good end.
  STOPPED: 'succeeded',
  // Disabled: it will not run; an end, and not a success.
  DISABLE: 'cancelled',
};

const CDM_EXPECTED: Record<string, Phase> = {
  NEW: 'pending',
  PENDING: 'pending',
  BOOTING: 'pending',
  // Section 6: keep waiting.
  NEVER_EXECUTED: 'pending',
  RUNNING: 'running',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  FAILURE_ON_SUBMIT: 'failed',
  // Section 6's Airflow provider calls STOPPED "done"; a stopped migration did
  // not copy everything, so I read it as cancelled (a non-success end).
  STOPPED: 'cancelled',
  // Documented, but says nothing: keep waiting (section 6), never a verdict.
  UNKNOWN: 'unknown',
};

// The status lists of the reference, section 3, typed out from the text.
const REFERENCE_LISTS = {
  'dli-flink': [
    'job_init',
    'job_submitting',
    'job_submit_fail',
    'job_running',
    'job_running_exception',
    'job_downloading',
    'job_idle',
    'job_canceling',
    'job_cancel_success',
    'job_cancel_fail',
    'job_savepointing',
    'job_arrearage_stopped',
    'job_arrearage_recovering',
    'job_finish',
  ],
  'dli-sql': ['RUNNING', 'SCALING', 'LAUNCHING', 'FINISHED', 'FAILED', 'CANCELLED'],
  'dataarts-realtime': [
    'STARTING',
    'NORMAL',
    'EXCEPTION',
    'STOPPING',
    'STOPPED',
    'STARTTING',
    'PAUSE',
    'ABNORMAL',
    'DISABLE',
    'OVERLOAD',
    'INIT',
    // The spellings the SDKs and other DataArts pages use.
    'SCHEDULING',
    'PAUSED',
  ],
  cdm: [
    'BOOTING',
    'FAILURE_ON_SUBMIT',
    'RUNNING',
    'SUCCEEDED',
    'FAILED',
    'UNKNOWN',
    'NEVER_EXECUTED',
    'NEW',
    'PENDING',
    'STOPPED',
  ],
};

const sorted = (values: Iterable<string>) => [...values].sort();

interface KindCase {
  kind: JobKind;
  schemaList: readonly string[];
  expected: Record<string, Phase>;
  ref: JobRef;
  /** Serves one answer carrying `status`. */
  serveStatus(status: string): void;
}

const KIND_CASES: KindCase[] = [
  {
    kind: dliFlinkKind as unknown as JobKind,
    schemaList: FLINK_JOB_STATUSES,
    expected: FLINK_EXPECTED,
    ref: FLINK_REF,
    serveStatus: (status) => serve({ [FLINK_PATH]: [200, flinkBody(status)] }),
  },
  {
    kind: dliSqlKind as unknown as JobKind,
    schemaList: SQL_JOB_STATUSES,
    expected: SQL_EXPECTED,
    ref: SQL_REF,
    serveStatus: (status) => serve({ [SQL_PROGRESS_PATH]: [200, sqlProgressBody(status, 0.25)] }),
  },
  {
    kind: dataartsRealtimeKind as unknown as JobKind,
    schemaList: REALTIME_JOB_STATUSES,
    expected: DATAARTS_EXPECTED,
    ref: DATAARTS_REF,
    serveStatus: (status) => serve({ [dataartsPath(JOB)]: [200, dataartsBody(status)] }),
  },
  {
    kind: cdmKind as unknown as JobKind,
    schemaList: CDM_JOB_STATUSES,
    expected: CDM_EXPECTED,
    ref: CDM_REF,
    serveStatus: (status) => serve({ [cdmPath(JOB)]: [200, { submissions: [submission(status)] }] }),
  },
];

describe.each(KIND_CASES)('$kind.name statuses', ({ kind, schemaList, expected, ref, serveStatus }) => {
  const reference = REFERENCE_LISTS[kind.name as keyof typeof REFERENCE_LISTS];

  it('the expected table covers every status of the reference', () => {
    expect(sorted(Object.keys(expected))).toEqual(sorted(reference));
  });

  it("the kind's table holds exactly the reference's statuses (none missing, none invented)", () => {
    expect(sorted(Object.keys(kind.statuses))).toEqual(sorted(reference));
  });

  it("the schema's exported list holds exactly the reference's statuses", () => {
    expect(sorted(schemaList)).toEqual(sorted(reference));
  });

  // Every status of the expected table, the kind's table and the schema list,
  // so that a status missing from any of them still gets its row.
  const all = sorted(new Set([...Object.keys(expected), ...Object.keys(kind.statuses), ...schemaList]));
  it.each(all)('%s over HTTP gives the expected phase', async (status) => {
    serveStatus(status);
    const state = await getJobState(client, ref);
    expect(server.requests).toHaveLength(1);
    expect(state.status).toBe(status);
    expect(state.kind).toBe(kind.name);
    expect(state.phase).toBe(expected[status]);
  });

  // Undocumented words, prototype keys and near-misses of the success word.
  const unknown = [
    'job_mystery',
    '',
    'RUNNING_LATE',
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
  ];
  const successWord = Object.entries(expected).find(([, phase]) => phase === 'succeeded')?.[0] ?? '';
  const otherCase =
    successWord === successWord.toLowerCase() ? successWord.toUpperCase() : successWord.toLowerCase();
  unknown.push(otherCase, `${successWord}_WITH_ERRORS`);
  it.each(unknown)('undocumented status %j is unknown, never succeeded', async (status) => {
    serveStatus(status);
    const state = await getJobState(client, ref);
    expect(server.requests).toHaveLength(1);
    expect(state.phase).toBe('unknown');
    expect(state.status).toBe(status);
  });
});

describe('missing status fields', () => {
  it('a Flink detail without a status is unknown', async () => {
    serve({ [FLINK_PATH]: [200, flinkBody(undefined)] });
    const state = await getJobState(client, FLINK_REF);
    expect(state.phase).toBe('unknown');
    expect(state.status).toBe('');
  });

  it('a Flink answer without job_detail is unknown', async () => {
    serve({ [FLINK_PATH]: [200, { is_success: 'true', message: 'ok' }] });
    expect((await getJobState(client, FLINK_REF)).phase).toBe('unknown');
  });

  it('a DataArts answer with status null is unknown', async () => {
    serve({ [dataartsPath(JOB)]: [200, dataartsBody(null)] });
    const state = await getJobState(client, DATAARTS_REF);
    expect(state.phase).toBe('unknown');
  });
});

describe('dli-flink', () => {
  it('reads the seed job-detail answer (job_init) and accepts is_success as a boolean', async () => {
    serve({ [FLINK_PATH]: [200, { ...fixture('dli-flink-detail-jar.json'), is_success: true }] });
    const state = await getJobState(client, { kind: 'dli-flink', jobId: '104' });
    expect(state).toMatchObject({
      kind: 'dli-flink',
      ref: { jobId: 104 },
      phase: 'pending',
      status: 'job_init',
    });
    expect(server.requests[0]?.url).toBe(FLINK_PATH);
    expect(server.requests[0]?.method).toBe('GET');
  });

  it('takes the message from status_desc', async () => {
    serve({ [FLINK_PATH]: [200, flinkBody('job_running_exception', 'TaskManager lost: out of memory')] });
    const state = await getJobState(client, FLINK_REF);
    expect(state.phase).toBe('failed');
    expect(state.message).toBe('TaskManager lost: out of memory');
  });

  it('has no progress', async () => {
    serve({ [FLINK_PATH]: [200, flinkBody('job_running')] });
    expect(await getJobState(client, FLINK_REF)).not.toHaveProperty('progress');
  });
});

describe('dli-sql', () => {
  it('FINISHED is succeeded with progress 1, whatever progress says', async () => {
    serve({ [SQL_PROGRESS_PATH]: [200, sqlProgressBody('FINISHED', 0)] });
    const state = await getJobState(client, SQL_REF);
    expect(state.phase).toBe('succeeded');
    expect(state.progress).toBe(1);
  });

  it.each([
    [0.37, 0.37],
    [0, 0],
    [1.4, 1],
    [null, undefined],
    [-0.5, undefined],
  ])('RUNNING with progress %j reads as %j', async (progress, expected) => {
    serve({ [SQL_PROGRESS_PATH]: [200, sqlProgressBody('RUNNING', progress)] });
    const state = await getJobState(client, SQL_REF);
    expect(state.phase).toBe('running');
    expect(state.progress).toBe(expected);
  });

  it('puts sub-jobs in details', async () => {
    serve({ [SQL_PROGRESS_PATH]: [200, sqlProgressBody('RUNNING', 0)] });
    const state = await getJobState(client, SQL_REF);
    expect(state.details).toEqual([
      {
        title: 'Sub-jobs',
        columns: expect.any(Array),
        rows: [[0, 'runJob at FileFormatWriter.scala:266', 'RUNNING', 0, 1, 0]],
        // When it was read: a face showing it beside a later state says it was last seen then.
        observedAt: state.observedAt,
      },
    ]);
  });

  it('falls back to the status API when progress answers DLI.0999', async () => {
    serve({
      [SQL_PROGRESS_PATH]: [400, DLI_0999],
      [SQL_STATUS_PATH]: [200, sqlStatusBody('FINISHED')],
    });
    const state = await getJobState(client, SQL_REF);
    expect(server.requests.map((r) => r.url)).toEqual([SQL_PROGRESS_PATH, SQL_STATUS_PATH]);
    expect(state.phase).toBe('succeeded');
    expect(state.status).toBe('FINISHED');
    expect(state.progress).toBe(1);
    // The state comes from the status body (which the progress API never sends).
    expect(state.raw).toMatchObject({ job_type: 'QUERY', statement: 'select * from t1' });
  });

  it.each([
    ['LAUNCHING', 'pending'],
    ['RUNNING', 'running'],
    ['FAILED', 'failed'],
    ['CANCELLED', 'cancelled'],
    ['job_mystery', 'unknown'],
  ] as const)('the status-API fallback classifies %s as %s, without progress', async (status, phase) => {
    serve({
      [SQL_PROGRESS_PATH]: [400, DLI_0999],
      [SQL_STATUS_PATH]: [200, sqlStatusBody(status, status === 'FAILED' ? 'Table t1 not found' : '')],
    });
    const state = await getJobState(client, SQL_REF);
    expect(server.requests).toHaveLength(2);
    expect(state.status).toBe(status);
    expect(state.phase).toBe(phase);
    expect(state).not.toHaveProperty('progress');
    if (status === 'FAILED') expect(state.message).toBe('Table t1 not found');
  });

  it('an error-looking message with status FINISHED is still succeeded, and is shown', async () => {
    const message = 'Error: failed to read 3 rows; job failed over to retry (DLI.0001)';
    serve({
      [SQL_PROGRESS_PATH]: [400, DLI_0999],
      [SQL_STATUS_PATH]: [200, sqlStatusBody('FINISHED', message)],
    });
    const state = await getJobState(client, SQL_REF);
    expect(state.phase).toBe('succeeded');
    expect(state.message).toBe(message);
  });

  it('other progress errors do not fall back', async () => {
    serve({
      [SQL_PROGRESS_PATH]: [400, { error_code: 'DLI.0001', error_msg: 'Parameter error' }],
      [SQL_STATUS_PATH]: [200, sqlStatusBody('FINISHED')],
    });
    const error = await getJobState(client, SQL_REF).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HuaweiCloudError);
    expect((error as HuaweiCloudError).code).toBe('DLI.0001');
    expect(server.requests.map((r) => r.url)).toEqual([SQL_PROGRESS_PATH]);
  });
});

describe('dataarts-realtime', () => {
  it('sends the workspace header when the ref has one', async () => {
    serve({ [dataartsPath(JOB)]: [200, fixture('dataarts-realtime-status.json')] });
    await getJobState(client, { ...DATAARTS_REF, workspace: 'a1b2c3d4e5f6' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers.workspace).toBe('a1b2c3d4e5f6');
  });

  it('sends no workspace header when the ref has none', async () => {
    serve({ [dataartsPath(JOB)]: [200, fixture('dataarts-realtime-status.json')] });
    const state = await getJobState(client, DATAARTS_REF);
    expect(state.phase).toBe('running');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers).not.toHaveProperty('workspace');
  });

  it('puts nodes in details (both seed spellings)', async () => {
    serve({ [dataartsPath(JOB)]: [200, fixture('dataarts-realtime-status-startTime.json')] });
    const stopped = await getJobState(client, DATAARTS_REF);
    expect(stopped.phase).toBe('succeeded');
    expect(stopped.details).toEqual([
      {
        title: 'Nodes',
        columns: expect.any(Array),
        rows: [['MRS_Flink_Job_8635', 'MRS Flink Job', 'STOPPED', 'success', 100000, 100000]],
        observedAt: stopped.observedAt,
      },
    ]);

    serve({ [dataartsPath(JOB)]: [200, fixture('dataarts-realtime-status.json')] });
    const normal = await getJobState(client, DATAARTS_REF);
    expect(normal.details?.[0]?.rows).toEqual([['MRS_Flink_Job_8635', null, null, 'waiting', 0, 0]]);
  });

  it('names nodes in trouble in the message', async () => {
    serve({
      [dataartsPath(JOB)]: [
        200,
        dataartsBody('EXCEPTION', [
          { name: 'source', status: 'NORMAL' },
          { name: 'sink', status: 'EXCEPTION' },
        ]),
      ],
    });
    const state = await getJobState(client, DATAARTS_REF);
    expect(state.phase).toBe('failed');
    expect(state.message).toContain('sink');
    expect(state.message).not.toContain('source');
    expect(state.details?.[0]?.rows).toHaveLength(2);
  });

  it('no nodes, no details', async () => {
    serve({ [dataartsPath(JOB)]: [200, dataartsBody('NORMAL')] });
    expect(await getJobState(client, DATAARTS_REF)).not.toHaveProperty('details');
  });
});

describe('cdm', () => {
  const serveSubmissions = (submissions: Json[]) => serve({ [cdmPath(JOB)]: [200, { submissions }] });

  it('reads the seed answer (BOOTING, progress 1 of 100)', async () => {
    serve({ [cdmPath(JOB)]: [200, fixture('cdm-job-status.json')] });
    const state = await getJobState(client, CDM_REF);
    expect(state).toMatchObject({ phase: 'pending', status: 'BOOTING', progress: 0.01 });
  });

  it.each([
    ['RUNNING', 45, 0.45],
    ['RUNNING', 0, 0],
    ['RUNNING', 100, 1],
    ['RUNNING', '30', 0.3],
    ['RUNNING', -1, undefined],
    ['RUNNING', undefined, undefined],
    ['FAILED', -1, undefined],
    ['SUCCEEDED', 100, 1],
    ['SUCCEEDED', undefined, 1],
  ] as const)('%s with progress %j reads as %j', async (status, progress, expected) => {
    serveSubmissions([submission(status, progress === undefined ? {} : { progress })]);
    const state = await getJobState(client, CDM_REF);
    expect(state.progress).toBe(expected);
    if (expected === undefined) expect(state).not.toHaveProperty('progress');
  });

  it.each([
    [['SUCCEEDED', 'FAILED'], 'failed', 'FAILED'],
    [['RUNNING', 'FAILED', 'SUCCEEDED'], 'failed', 'FAILED'],
    [['FAILURE_ON_SUBMIT', 'RUNNING'], 'failed', 'FAILURE_ON_SUBMIT'],
    [['SUCCEEDED', 'RUNNING'], 'running', 'RUNNING'],
    [['RUNNING', 'SUCCEEDED', 'SUCCEEDED'], 'running', 'RUNNING'],
    [['STOPPED', 'RUNNING'], 'running', 'RUNNING'],
    [['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'], 'succeeded', 'SUCCEEDED'],
    [['SUCCEEDED', 'BOOTING'], 'pending', 'BOOTING'],
    [['SUCCEEDED', 'UNKNOWN'], 'unknown', 'UNKNOWN'],
    [['SUCCEEDED', 'job_mystery'], 'unknown', 'job_mystery'],
    [['SUCCEEDED', 'STOPPED'], 'cancelled', 'STOPPED'],
  ] as const)('submissions %j are %s (status %s)', async (statuses, phase, status) => {
    serveSubmissions(statuses.map((s) => submission(s)));
    const state = await getJobState(client, CDM_REF);
    expect(state.phase).toBe(phase);
    expect(state.status).toBe(status);
  });

  it('no submissions: never run, so pending, with no progress and no details', async () => {
    serveSubmissions([]);
    const state = await getJobState(client, CDM_REF);
    expect(state.phase).toBe('pending');
    expect(state.status).toBe('NEVER_EXECUTED');
    expect(state).not.toHaveProperty('progress');
    expect(state).not.toHaveProperty('details');
    expect(state).not.toHaveProperty('message');
  });

  it('takes the message from error-summary (seed failure)', async () => {
    serve({ [cdmPath(JOB)]: [200, fixture('cdm-job-status-failed.json')] });
    const state = await getJobState(client, CDM_REF);
    expect(state.phase).toBe('failed');
    expect(state.message).toBe('Cdm.0517:Table does not exist.');
    expect(state).not.toHaveProperty('progress');
  });

  it('falls back to error-details when there is no summary', async () => {
    serveSubmissions([submission('FAILED', { 'error-details': 'java.io.IOException: broken pipe' })]);
    expect((await getJobState(client, CDM_REF)).message).toBe('java.io.IOException: broken pipe');
  });

  it('shows the message of the failed submission among several', async () => {
    serveSubmissions([
      submission('SUCCEEDED', { progress: 100 }),
      submission('FAILED', { progress: -1, 'error-summary': 'Cdm.0517:Table does not exist.' }),
      submission('RUNNING', { progress: 20 }),
    ]);
    const state = await getJobState(client, CDM_REF);
    expect(state.phase).toBe('failed');
    expect(state.message).toBe('Cdm.0517:Table does not exist.');
    expect(state).not.toHaveProperty('progress');
  });

  it('puts counters in details', async () => {
    serve({ [cdmPath(JOB)]: [200, fixture('cdm-job-status-succeeded.json')] });
    const state = await getJobState(client, CDM_REF);
    expect(state.phase).toBe('succeeded');
    expect(state.progress).toBe(1);
    const table = state.details?.find((d) => d.title === 'Counters');
    expect(table?.columns).toEqual(['counter', 'value']);
    expect(table?.rows).toEqual(
      expect.arrayContaining([
        ['ROWS_READ', 1024],
        ['ROWS_WRITTEN', 1024],
        ['ROWS_WRITTEN_SKIPPED', 0],
      ]),
    );
    expect(table?.rows).toHaveLength(10);
  });
});

describe('bad references', () => {
  const cases: Array<[string, unknown, string]> = [
    ['non-numeric Flink jobId', { kind: 'dli-flink', jobId: '12a' }, 'jobId'],
    ['zero Flink jobId', { kind: 'dli-flink', jobId: 0 }, 'jobId'],
    ['fractional Flink jobId', { kind: 'dli-flink', jobId: 1.5 }, 'jobId'],
    ['missing Flink jobId', { kind: 'dli-flink' }, 'jobId'],
    ['SQL jobId not a UUID', { kind: 'dli-sql', jobId: '85798b38-ae44-48eb-bb90' }, 'jobId'],
    ['CDM without jobName', { kind: 'cdm', clusterId: CLUSTER }, 'jobName'],
    ['CDM without clusterId', { kind: 'cdm', jobName: JOB }, 'clusterId'],
    ['CDM clusterId with a slash', { kind: 'cdm', clusterId: 'a/b', jobName: JOB }, 'clusterId'],
    ['DataArts empty jobName', { kind: 'dataarts-realtime', jobName: '' }, 'jobName'],
    ['DataArts jobName with a newline', { kind: 'dataarts-realtime', jobName: 'a\nb' }, 'jobName'],
    ['unknown kind', { kind: 'dli-spark', jobId: 1 }, 'kind'],
    ['no kind', { jobId: 1 }, 'kind'],
  ];

  it.each(cases)('parseJobRef: %s throws InputError naming the field', (_name, ref, field) => {
    let caught: unknown;
    try {
      parseJobRef(ref);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).field).toBe(field);
    expect((caught as InputError).message).toMatch(new RegExp(`^${field}: `));
  });

  it.each(cases)(
    'getJobState: %s rejects with InputError and makes no request',
    async (_name, ref, field) => {
      serve({});
      const before = client.transport.requestCount;
      const error = await getJobState(client, ref as JobRef).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).field).toBe(field);
      expect(server.requests).toHaveLength(0);
      expect(client.transport.requestCount).toBe(before);
    },
  );

  it('the bad value is quoted in the message', () => {
    expect(() => parseJobRef({ kind: 'dli-flink', jobId: '12a' })).toThrow(/"12a"/);
  });

  it.each([
    ['CR LF', 'ws\r\nX-Injected: 1'],
    ['NUL', 'w\u0000s'],
  ])('a workspace with %s is an InputError naming workspace, with no attempt', async (_name, workspace) => {
    serve({ [dataartsPath(JOB)]: [200, dataartsBody('NORMAL')] });
    const before = client.transport.requestCount;
    const error = await getJobState(client, { ...DATAARTS_REF, workspace }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).toBe('workspace');
    expect(client.transport.requestCount).toBe(before);
  });
});

describe('path encoding of job names', () => {
  const names: Array<[string, string]> = [
    ['../x', '..%2Fx'],
    ['a b', 'a%20b'],
    ['q?x#y', 'q%3Fx%23y'],
    ['作业', '%E4%BD%9C%E4%B8%9A'],
    ['a/../../b', 'a%2F..%2F..%2Fb'],
    ['%2e%2e', '%252e%252e'],
    ['50%', '50%25'],
    ["it's (new)*", 'it%27s%20%28new%29%2A'],
  ];

  const targets = [
    {
      kind: 'dataarts-realtime',
      path: dataartsPath,
      ref: (jobName: string): JobRef => ({ kind: 'dataarts-realtime', jobName }),
      body: dataartsBody('NORMAL'),
      index: 4,
    },
    {
      kind: 'cdm',
      path: cdmPath,
      ref: (jobName: string): JobRef => ({ kind: 'cdm', clusterId: CLUSTER, jobName }),
      body: { submissions: [submission('RUNNING')] },
      index: 7,
    },
  ];

  describe.each(targets)('$kind', ({ path, ref, body, index }) => {
    it.each(names)('%j arrives as the one segment %s', async (name, segment) => {
      let decoded: string | undefined;
      serve({
        [path(segment)]: (req, res) => {
          const segments = req.url.split('/');
          decoded = decodeURIComponent(segments[index] ?? '');
          json(res, 200, body);
        },
      });
      const state = await getJobState(client, ref(name));
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.url).toBe(path(segment));
      expect(decoded).toBe(name);
      expect(state.ref.jobName).toBe(name);
    });

    it.each(['..', '.'])('the name %j is refused or arrives intact', async (name) => {
      serve({});
      const error = await getJobState(client, ref(name)).catch((e: unknown) => e);
      const request = server.requests[0];
      if (request === undefined) {
        expect(error).toBeInstanceOf(InputError);
        expect((error as InputError).field).toBe('jobName');
      } else {
        const segments = request.url.split('/');
        expect(segments).toHaveLength(path('x').split('/').length);
        expect(decodeURIComponent(segments[index] ?? '')).toBe(name);
      }
    });
  });
});

describe('fieldsOf', () => {
  const expected: Record<string, Array<{ input: string; required: boolean }>> = {
    'dli-flink': [{ input: 'job_id', required: true }],
    'dli-sql': [{ input: 'job_id', required: true }],
    'dataarts-realtime': [
      { input: 'job_name', required: true },
      { input: 'workspace', required: false },
    ],
    cdm: [
      { input: 'cluster_id', required: true },
      { input: 'job_name', required: true },
    ],
  };

  it.each(KIND_CASES.map((c) => [c.kind.name, c.kind] as const))(
    '%s: snake_case inputs, descriptions, labels and required',
    (name, kind) => {
      const fields = fieldsOf(kind);
      expect(fields.map(({ input, required }) => ({ input, required }))).toEqual(expected[name]);
      for (const field of fields) {
        expect(field.input).toMatch(/^[a-z]+(_[a-z]+)*$/);
        expect(field.description.length).toBeGreaterThan(10);
        expect(field.label).not.toBe('');
        // The label is a human one, not the camelCase key.
        expect(field.label).toMatch(/^[A-Z]/);
      }
    },
  );
});

describe('JobState shape', () => {
  it('every state read validates against the JobState schema and carries the ref and a time', async () => {
    serve({ [SQL_PROGRESS_PATH]: [200, sqlProgressBody('RUNNING', 0.5)] });
    const state: JobState = await getJobState(client, SQL_REF);
    expect(JobState.safeParse(state).success).toBe(true);
    expect(state.ref).toEqual({ jobId: SQL_ID });
    expect(Number.isNaN(Date.parse(state.observedAt))).toBe(false);
  });

  it('JobRef schema accepts each kind and rejects a mismatched one', () => {
    expect(JobRef.safeParse(CDM_REF).success).toBe(true);
    expect(JobRef.safeParse({ kind: 'cdm', jobId: 1 }).success).toBe(false);
  });
});

describe('dataarts-batch statuses', () => {
  const INSTANCE = 132343;
  const path = `/v1/${P}/jobs/daily/instances/${INSTANCE}`;
  const ref: JobRef = { kind: 'dataarts-batch', jobName: 'daily', instanceId: INSTANCE };

  it.each([
    ['waiting', 'pending'],
    ['pause', 'pending'],
    // The v2 pages' spellings: a frozen run has no verdict yet; one skipped by a dependency did not run.
    ['freeze', 'pending'],
    ['running', 'running'],
    ['success', 'succeeded'],
    ['fail', 'failed'],
    ['running-exception', 'failed'],
    ['manual-stop', 'cancelled'],
    ['skip-by-depend', 'cancelled'],
    ['SUCCESS', 'unknown'],
    ['skipped', 'unknown'],
  ])('%s reads %s', async (status, phase) => {
    serve({ [path]: [200, { jobName: 'daily', instanceId: INSTANCE, status, nodes: [] }] });
    const state = await getJobState(client, ref);
    expect(state.phase).toBe(phase);
  });
});
