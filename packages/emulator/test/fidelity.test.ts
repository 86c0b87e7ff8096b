/**
 * The emulator answers as the real services do, in each dialect: every answer of every API, over the
 * whole timeline of the default scenario and a few more jobs, is checked field by field against the
 * official SDKs' response models (sdk dialect) or the API pages' fields (documented dialect).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dialect, Emulator, JobInput, ScenarioInput } from '../src/index.js';
import { startEmulator } from '../src/index.js';
import {
  AK,
  type Body,
  CDM_CLUSTER,
  CDM_OK,
  DATAARTS_JOB,
  getJson,
  PROJECT,
  paths,
  SK,
  SQL_OK,
  signedFetch,
} from './helpers.js';
import { type ApiModel, type CheckOptions, checkFields, type Fields, loadModels } from './models.js';

const SDK_MODELS = loadModels('official-sdk-models.json');
const DOCUMENTED_MODELS = loadModels('documented-models.json');

type ApiName =
  | 'dli.show_flink_job'
  | 'dli.list_flink_jobs'
  | 'dli.show_sql_job_progress'
  | 'dli.show_sql_job_status'
  | 'dgc.show_job_status'
  | 'cdm.show_job_status';

interface Answer {
  api: ApiName;
  /** What was asked, for messages. */
  request: string;
  /** show_detail=true on the Flink list. */
  detail?: boolean;
  body: Body;
}

const DDL_JOB = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';

/** Jobs beyond the default scenario, for the shapes it does not show. */
const EXTRA_JOBS: JobInput[] = [
  {
    kind: 'dli-flink',
    jobId: 30001,
    name: 'jar_job',
    jobType: 'flink_jar_job',
    steps: [
      { status: 'job_init', durationMs: 40_000 },
      { status: 'job_running', durationMs: 100_000 },
      { status: 'job_cancel_success' },
    ],
  },
  {
    kind: 'dli-flink',
    jobId: 30002,
    name: 'edge_job',
    jobType: 'flink_sql_edge_job',
    runMode: 'edge_node',
    steps: [{ status: 'job_running' }],
  },
  { kind: 'dli-sql', jobId: DDL_JOB, jobType: 'DDL', jobMode: 'sync', steps: [{ status: 'FINISHED' }] },
  {
    kind: 'dataarts-realtime',
    jobName: 'stopping_job',
    workspace: 'ws1',
    // Both spellings of the node fields, which come out in the dialect's.
    nodes: [
      { name: 'n1', type: 'DLI SQL' },
      { name: 'n2', lastInstanceStatus: 'success' },
    ],
    steps: [
      { status: 'NORMAL', durationMs: 100_000 },
      { status: 'STOPPING', durationMs: 50_000 },
      { status: 'STOPPED' },
    ],
  },
];

const FLINK_IDS = [10001, 10002, 30001, 30002];
const SQL_IDS = [SQL_OK, '7a1b2c3d-4e5f-4a6b-9c8d-0e1f2a3b4c5d', DDL_JOB];
const DATAARTS_JOBS: Array<[string, Record<string, string>]> = [
  [DATAARTS_JOB, {}],
  ['stopping_job', { workspace: 'ws1' }],
];
const CDM_JOBS = ['jdbc2hive', 'obs2dws'];
/** Emulator times (ms from start) inside every step of every job above. */
const MOMENTS = [0, 45_000, 100_000, 150_000, 200_000, 230_000, 260_000, 300_000];

async function answersAt(emulator: Emulator): Promise<Answer[]> {
  const answers: Answer[] = [];
  const ask = async (api: ApiName, path: string, headers: Record<string, string> = {}, detail = false) => {
    const { status, body } = await getJson(emulator, path, { headers });
    if (status !== 200) throw new Error(`${path}: ${status} ${JSON.stringify(body)}`);
    answers.push({ api, request: path, body, ...(detail ? { detail } : {}) });
  };
  for (const id of FLINK_IDS) await ask('dli.show_flink_job', paths.flinkDetail(id));
  await ask('dli.list_flink_jobs', paths.flinkList('limit=100'));
  await ask('dli.list_flink_jobs', paths.flinkList('limit=100&show_detail=true'), {}, true);
  for (const id of SQL_IDS) {
    await ask('dli.show_sql_job_progress', paths.sqlProgress(id));
    await ask('dli.show_sql_job_status', paths.sqlStatus(id));
  }
  for (const [name, headers] of DATAARTS_JOBS)
    await ask('dgc.show_job_status', paths.dataArts(name), headers);
  for (const name of CDM_JOBS) await ask('cdm.show_job_status', paths.cdm(CDM_CLUSTER, name));
  return answers;
}

/** Every answer of every API at every moment of the timeline, in one dialect. */
async function collect(dialect: Dialect): Promise<Answer[]> {
  const emulator = await startEmulator({ dialect, seed: 3 });
  try {
    emulator.admin.addJobs(EXTRA_JOBS);
    const answers: Answer[] = [];
    let at = 0;
    for (const moment of MOMENTS) {
      emulator.admin.advanceClock(moment - at);
      at = moment;
      answers.push(...(await answersAt(emulator)));
    }
    return answers;
  } finally {
    await emulator.close();
  }
}

/**
 * The fields an answer is held to. A Flink list with show_detail=true holds detail-shaped jobs: in the
 * documented dialect those of the details page (seed 000), whose example sends other fields than the
 * list page's (seed 001).
 */
function modelOf(models: Record<string, ApiModel>, answer: Answer): Fields {
  const model = models[answer.api];
  if (!model) throw new Error(`no model for ${answer.api}`);
  if (!(answer.detail && models === DOCUMENTED_MODELS)) return model.response;
  const jobDetail = DOCUMENTED_MODELS['dli.show_flink_job']?.response.job_detail;
  if (typeof jobDetail !== 'object') throw new Error('no documented job_detail');
  const detail = jobDetail.$fields;
  return {
    ...model.response,
    job_list: {
      $type: 'FlinkJobList',
      $fields: { total_count: 'int!', jobs: { $type: 'list[FlinkJob]', $fields: detail } },
    },
  };
}

function issuesOf(answers: Answer[], models: Record<string, ApiModel>, options: CheckOptions = {}): string[] {
  return answers.flatMap((a) =>
    checkFields(a.body, modelOf(models, a), '$', options).map((issue) => `${a.request}: ${issue}`),
  );
}

const unique = (issues: string[]) => [...new Set(issues.map((i) => i.replace(/^[^ ]+ /, '')))];

let sdk: Answer[];
let documented: Answer[];
beforeAll(async () => {
  [sdk, documented] = await Promise.all([collect('sdk'), collect('documented')]);
});

describe('the sdk dialect', () => {
  it('is the default', async () => {
    const emulator = await startEmulator();
    try {
      expect(emulator.dialect).toBe('sdk');
      const { body } = await getJson(emulator, paths.cdm(CDM_CLUSTER, CDM_OK));
      expect(body.submissions[0]['creation-date']).toBeTypeOf('number');
    } finally {
      await emulator.close();
    }
  });

  it('validates against the official SDK models: no field of a wrong type, none the model does not know', () => {
    expect(sdk.length).toBe(MOMENTS.length * 16);
    expect(issuesOf(sdk, SDK_MODELS)).toEqual([]);
  });
});

describe('the documented dialect', () => {
  it("sends exactly the pages' fields: all the example's, and only those the pages list, typed as the example sends them", () => {
    expect(documented.length).toBe(sdk.length);
    expect(issuesOf(documented, DOCUMENTED_MODELS, { requireMarked: true })).toEqual([]);
  });
});

describe('the checks catch the sources disagreeing', () => {
  it('documented answers fail the SDK models just where the pages and the models differ', () => {
    const issues = unique(issuesOf(documented, SDK_MODELS));
    expect(issues).toEqual(
      expect.arrayContaining([
        '$.startTime: not in the model',
        '$.nodes[0].LastInstanceStatus: not in the model',
        '$.nodes[0].bufferRecords: not in the model',
        '$.nodes[0].totalGetRecords: not in the model',
        '$.submissions[0].last-udpate-user: not in the model',
      ]),
    );
    for (const pattern of [
      /^\$\.submissions\[0\]\.creation-date: expected int, got "\d+"$/,
      /^\$\.lastUpdateTime: expected str, got \d+$/,
      /^\$\.endTime: expected str, got \d+$/,
    ]) {
      expect(
        issues.some((i) => pattern.test(i)),
        String(pattern),
      ).toBe(true);
    }
    // Nothing else: the Flink and SQL answers of the documented dialect are within the models.
    expect(issues.every((i) => /^\$\.(startTime|endTime|lastUpdateTime|nodes|submissions)/.test(i))).toBe(
      true,
    );
  });

  it("SDK answers fail the pages' fields where the models add to them", () => {
    const issues = unique(issuesOf(sdk, DOCUMENTED_MODELS, { requireMarked: true }));
    expect(issues).toEqual(
      expect.arrayContaining([
        '$.starttime: not in the model',
        '$.nodes[0].lastInstanceStatus: not in the model',
        '$.nodes[0].bufferRecords: missing',
        '$.job_detail.user_name: not in the model',
        '$.job_detail.job_config.resource_config: not in the model',
        '$.result_format: not in the model',
        '$.user_conf: not in the model',
      ]),
    );
  });
});

/** The answers to one request path, in a dialect, across the timeline. */
const answersTo = (answers: Answer[], request: string) => answers.filter((a) => a.request === request);
const last = (answers: Answer[], request: string): Body => answersTo(answers, request).at(-1)?.body;

describe('the differences, one by one', () => {
  it('DataArts real-time status: starttime and the other times as strings, the model node keys', () => {
    const path = paths.dataArts('stopping_job');
    const s = last(sdk, path);
    expect(s.starttime).toMatch(/^\d{13}$/);
    expect(s.endTime).toMatch(/^\d{13}$/);
    expect(s.lastUpdateTime).toMatch(/^\d{13}$/);
    expect(s).not.toHaveProperty('startTime');
    for (const node of s.nodes) {
      expect(Object.keys(node).sort()).toEqual(
        [
          'extendCounter',
          'lastInstanceStatus',
          'logPath',
          'name',
          'nodeType',
          'runningData',
          'status',
        ].sort(),
      );
    }
    expect(s.nodes.map((n: Body) => [n.nodeType, n.lastInstanceStatus])).toEqual([
      ['DLI SQL', 'waiting'],
      ['MRSFlinkJob', 'success'],
    ]);

    const d = last(documented, path);
    expect(d.startTime).toBeTypeOf('number');
    expect(d.endTime).toBeTypeOf('number');
    expect(d).not.toHaveProperty('starttime');
    expect(d.nodes[0]).toMatchObject({
      bufferRecords: 0,
      jobInstanceId: 0,
      LastInstanceStatus: 'waiting',
      speed: 0,
      totalGetBytes: 0,
      totalPutRecords: 0,
      type: 'DLI SQL',
    });
    expect(d.nodes[1]).toMatchObject({ LastInstanceStatus: 'success' });
    expect(d.nodes[1]).not.toHaveProperty('lastInstanceStatus');
  });

  it('CDM: creation-date an integer, a numeric string on the page', () => {
    const path = paths.cdm(CDM_CLUSTER, CDM_OK);
    for (const answer of answersTo(sdk, path)) {
      const submission = answer.body.submissions[0];
      for (const key of ['creation-date', 'last-update-date', 'execute-date']) {
        if (key in submission) expect(submission[key], key).toBeTypeOf('number');
      }
    }
    for (const answer of answersTo(documented, path)) {
      expect(answer.body.submissions[0]['creation-date']).toMatch(/^\d{13}$/);
    }
    expect(last(sdk, path).submissions[0]).toHaveProperty('last-update-user');
    expect(last(documented, path).submissions[0]).toHaveProperty('last-udpate-user');
  });

  it("Flink details: the model's job and job_config fields", () => {
    const s = last(sdk, paths.flinkDetail(30001)).job_detail;
    expect(s).toMatchObject({
      user_name: '',
      root_id: -1,
      graph_editor_enabled: false,
      edge_group_ids: null,
    });
    expect(s.duration).toBeGreaterThan(0);
    expect(s.job_config).toMatchObject({
      real_cu_number: 2,
      resource_config_version: 'v1',
      execution_agency_urn: null,
      flink_log_config: null,
      resource_config: { max_slot: 1, parallel_number: 1 },
    });
    const d = last(documented, paths.flinkDetail(30001)).job_detail;
    for (const key of [
      'user_name',
      'duration',
      'root_id',
      'edge_group_ids',
      'restart_times',
      'has_savepoint',
    ]) {
      expect(d, key).not.toHaveProperty(key);
    }
    for (const key of ['real_cu_number', 'resource_config', 'execution_agency_urn', 'flink_log_config']) {
      expect(d.job_config, key).not.toHaveProperty(key);
    }
    expect(last(sdk, paths.flinkDetail(30002)).job_detail.job_type).toBe('flink_sql_edge_job');
  });

  it('Flink list: summary items without show_detail, the model job with it', () => {
    const summary = last(sdk, paths.flinkList('limit=100')).job_list.jobs;
    expect(summary[0]).not.toHaveProperty('job_config');
    expect(summary[0]).toHaveProperty('edge_group_ids');
    const detailed = last(sdk, paths.flinkList('limit=100&show_detail=true')).job_list.jobs;
    expect(detailed[0].job_config).toHaveProperty('resource_config');
    expect(detailed[0]).toHaveProperty('user_name');
    const documentedDetailed = last(documented, paths.flinkList('limit=100&show_detail=true')).job_list.jobs;
    expect(documentedDetailed[0].job_config).not.toHaveProperty('resource_config');
  });

  it("SQL status and progress: the model's fields", () => {
    const status = last(sdk, paths.sqlStatus(SQL_OK));
    expect(status).toMatchObject({ user_conf: '{}', result_format: 'csv', tags: [] });
    expect(status.result_path).toMatch(/^obs:\/\//);
    expect(status.execution_details_path).toMatch(/^obs:\/\//);
    for (const key of ['user_conf', 'result_path', 'execution_details_path', 'result_format', 'tags']) {
      expect(last(documented, paths.sqlStatus(SQL_OK)), key).not.toHaveProperty(key);
    }
    const running = answersTo(sdk, paths.sqlProgress(SQL_OK)).find((a) => a.body.sub_jobs)?.body;
    expect(running.sub_jobs[0]).toMatchObject({ killed_tasks_summary: {} });
    expect(running.sub_jobs[0].description).toMatch(/^INSERT INTO/);
    const documentedRunning = answersTo(documented, paths.sqlProgress(SQL_OK)).find(
      (a) => a.body.sub_jobs,
    )?.body;
    expect(documentedRunning.sub_jobs[0]).not.toHaveProperty('description');
    expect(documentedRunning.sub_jobs[0]).not.toHaveProperty('killed_tasks_summary');
  });
});

describe('choosing the dialect', () => {
  const cdmJob = (jobName: string, dialect?: Dialect): JobInput => ({
    kind: 'cdm',
    clusterId: CDM_CLUSTER,
    jobName,
    ...(dialect ? { dialect } : {}),
    steps: [{ status: 'BOOTING' }],
  });
  const scenario = (dialect?: Dialect): ScenarioInput => ({
    credentials: [{ accessKey: AK, secretKey: SK, projectId: PROJECT }],
    ...(dialect ? { dialect } : {}),
    jobs: [cdmJob('plain'), cdmJob('own_sdk', 'sdk'), cdmJob('own_documented', 'documented')],
  });

  async function creationDateTypes(options: Parameters<typeof startEmulator>[0]) {
    const emulator = await startEmulator(options);
    try {
      const types: Record<string, string> = {};
      for (const name of ['plain', 'own_sdk', 'own_documented']) {
        const { body } = await getJson(emulator, paths.cdm(CDM_CLUSTER, name));
        types[name] = typeof body.submissions[0]['creation-date'];
      }
      const missing = await getJson(emulator, paths.cdm(CDM_CLUSTER, 'missing'));
      return { dialect: emulator.dialect, types, error: Object.keys(missing.body).sort() };
    } finally {
      await emulator.close();
    }
  }

  it("per scenario, per job, and by option; a job's own wins, the option beats the scenario's", async () => {
    const results = await Promise.all([
      creationDateTypes({ scenario: scenario() }),
      creationDateTypes({ scenario: scenario('documented') }),
      creationDateTypes({ scenario: scenario('documented'), dialect: 'sdk' }),
      creationDateTypes({ scenario: scenario(), dialect: 'documented' }),
    ]);
    const own = { own_sdk: 'number', own_documented: 'string' };
    const sdkErrors = ['error_code', 'error_msg'];
    const documentedErrors = ['errCode', 'externalMessage'];
    expect(results).toEqual([
      { dialect: 'sdk', types: { plain: 'number', ...own }, error: sdkErrors },
      { dialect: 'documented', types: { plain: 'string', ...own }, error: documentedErrors },
      { dialect: 'sdk', types: { plain: 'number', ...own }, error: sdkErrors },
      { dialect: 'documented', types: { plain: 'string', ...own }, error: documentedErrors },
    ]);
  });

  it('rejects an unknown dialect in a scenario, naming the field', async () => {
    await expect(
      startEmulator({
        scenario: { ...scenario(), jobs: [{ ...cdmJob('x'), dialect: 'python' as Dialect }] },
      }),
    ).rejects.toThrow(/jobs\[0\]\.dialect/);
  });
});

describe('the start and stop APIs', () => {
  /** A signed request with a JSON body: status and body (undefined when there is none). */
  async function send(emulator: Emulator, method: string, path: string, body?: unknown, headers = {}) {
    const response = await signedFetch(emulator, path, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  it('answer in the official models: every field of the model type, none it lacks, in both dialects', async () => {
    for (const dialect of ['sdk', 'documented'] as const) {
      const emulator = await startEmulator({ dialect, timeScale: 1e-9 });
      try {
        const issues: string[] = [];
        const check = (api: string, answer: { status: number; body: Body }, status = 200) => {
          const model = SDK_MODELS[api];
          if (!model) throw new Error(`no model for ${api}`);
          if (answer.status !== status)
            issues.push(`${api}: status ${answer.status} ${JSON.stringify(answer.body)}`);
          if (status === 204) {
            if (answer.body !== undefined) issues.push(`${api}: a 204 with a body`);
            return;
          }
          // A list answer is the model's `body`.
          const body = Array.isArray(answer.body) ? { body: answer.body } : answer.body;
          issues.push(...checkFields(body, model.response, '$').map((i) => `${api}: ${i}`));
        };
        const p = `/v1.0/${PROJECT}`;
        for (const sql of ['SELECT 1', 'CREATE TABLE t (a INT)']) {
          const submitted = await send(emulator, 'POST', `${p}/jobs/submit-job`, { sql, queue_name: 'q' });
          check('dli.create_sql_job', submitted);
          if (sql.startsWith('SELECT'))
            check('dli.cancel_sql_job', await send(emulator, 'DELETE', `${p}/jobs/${submitted.body.job_id}`));
        }
        check(
          'dli.batch_run_flink_jobs',
          await send(emulator, 'POST', `${p}/streaming/jobs/run`, { job_ids: [10003, 10001] }),
        );
        check(
          'dli.batch_stop_flink_jobs',
          await send(emulator, 'POST', `${p}/streaming/jobs/stop`, { job_ids: [10003] }),
        );
        const dlf = `/v1/${PROJECT}/jobs`;
        const params = { jobParams: [{ name: 'a', value: '1' }] };
        check(
          'dgc.start_job',
          await send(emulator, 'POST', `${dlf}/realtime_fraud_rules/start`, params),
          204,
        );
        check('dgc.stop_job', await send(emulator, 'POST', `${dlf}/realtime_fraud_rules/stop`), 204);
        const run = await send(emulator, 'POST', `${dlf}/daily_sales_report/run-immediate`, params);
        check('dgc.run_once', run);
        for (const id of [1001, run.body.instanceId]) {
          for (const advance of [0, 45_000, 200_000]) {
            emulator.admin.advanceClock(advance);
            check(
              'dgc.show_job_instance',
              await getJson(emulator, `${dlf}/daily_sales_report/instances/${id}`),
            );
          }
        }
        check(
          'dgc.stop_job_instance',
          await send(emulator, 'POST', `${dlf}/daily_sales_report/instances/${run.body.instanceId}/stop`),
          204,
        );
        const cdm = `/v1.1/${PROJECT}/clusters/${CDM_CLUSTER}/cdm/job/mysql2obs`;
        const started = await send(emulator, 'PUT', `${cdm}/start`, { variables: { a: '1' } });
        // The CDM dialect shapes the submission like the status API's: only the sdk one is the model's.
        if (dialect === 'sdk') check('cdm.start_job', started);
        else expect(started.body.submissions[0]['creation-date']).toMatch(/^\d{13}$/);
        check('cdm.stop_job', await send(emulator, 'PUT', `${cdm}/stop`));
        expect(issues, dialect).toEqual([]);
      } finally {
        await emulator.close();
      }
    }
  });

  it("refuse as the services do: the Flink entry's flag, a finished SQL job, a CDM job not running, unknown ones", async () => {
    const emulator = await startEmulator({ timeScale: 1e-9 });
    try {
      const p = `/v1.0/${PROJECT}`;
      const flink = await send(emulator, 'POST', `${p}/streaming/jobs/run`, { job_ids: [10001, 424242] });
      expect(flink.status).toBe(200);
      expect(flink.body.map((e: Body) => e.is_success)).toEqual(['false', 'false']);
      const stopped = await send(emulator, 'POST', `${p}/streaming/jobs/stop`, { job_ids: [10003] });
      expect(stopped.body[0]).toMatchObject({
        is_success: 'false',
        message: expect.stringMatching(/not running/),
      });
      expect(
        (await send(emulator, 'POST', `${p}/streaming/jobs/run`, { job_ids: 'x' })).body.error_code,
      ).toBe('DLI.0001');
      const ddl = await send(emulator, 'POST', `${p}/jobs/submit-job`, { sql: 'DROP TABLE t' });
      const cancel = await send(emulator, 'DELETE', `${p}/jobs/${ddl.body.job_id}`);
      expect(cancel).toMatchObject({ status: 200, body: { is_success: false } });
      expect((await send(emulator, 'POST', `${p}/jobs/submit-job`, { sql: ' ' })).body.error_code).toBe(
        'DLI.0001',
      );
      const cdm = `/v1.1/${PROJECT}/clusters/${CDM_CLUSTER}/cdm/job`;
      expect((await send(emulator, 'PUT', `${cdm}/mysql2obs/stop`)).body['validation-result'][0].status).toBe(
        'ERROR',
      );
      expect((await send(emulator, 'PUT', `${cdm}/nope/start`, {})).body.error_code).toBe('Cdm.0100');
      const dlf = `/v1/${PROJECT}/jobs`;
      expect((await send(emulator, 'POST', `${dlf}/nope/start`, {})).body.error_code).toBe('DLF.0100');
      expect(
        (await send(emulator, 'POST', `${dlf}/daily_sales_report/instances/7/stop`)).body.error_code,
      ).toBe('DLF.0137');
      expect(
        (await send(emulator, 'POST', `${dlf}/daily_sales_report/run-immediate`, { jobParams: 'x' })).body
          .error_code,
      ).toBe('DLF.0001');
    } finally {
      await emulator.close();
    }
  });

  it('a stop moves the job through its stopping states; a start plays its own lifecycle, else the rules, else the default', async () => {
    const emulator = await startEmulator({ timeScale: 1e-9 });
    try {
      const p = `/v1.0/${PROJECT}`;
      const status = async (id: number) =>
        (await getJson(emulator, paths.flinkDetail(id))).body.job_detail.status;
      await send(emulator, 'POST', `${p}/streaming/jobs/stop`, { job_ids: [10001] });
      expect(await status(10001)).toBe('job_canceling');
      emulator.admin.advanceClock(10_000);
      expect(await status(10001)).toBe('job_cancel_success');
      emulator.admin.addJobs({
        kind: 'dli-flink',
        jobId: 77,
        steps: [{ status: 'job_init' }],
        onStart: [{ status: 'job_submit_fail' }],
      });
      emulator.admin.addOnStart({ kind: 'dli-flink', steps: [{ status: 'job_downloading' }] });
      await send(emulator, 'POST', `${p}/streaming/jobs/run`, { job_ids: [77, 10003] });
      expect([await status(77), await status(10003)]).toEqual(['job_submit_fail', 'job_downloading']);
      const submitted = await send(emulator, 'POST', `${p}/jobs/submit-job`, { sql: 'SELECT 1' });
      const progress = async () => (await getJson(emulator, paths.sqlProgress(submitted.body.job_id))).body;
      expect((await progress()).status).toBe('LAUNCHING');
      emulator.admin.advanceClock(50_000);
      expect(await progress()).toMatchObject({ status: 'RUNNING', progress: expect.any(Number) });
      emulator.admin.advanceClock(60_000);
      expect((await progress()).status).toBe('FINISHED');
      expect(emulator.admin.jobs().find((j) => j.identity.jobId === submitted.body.job_id)).toMatchObject({
        kind: 'dli-sql',
        status: 'FINISHED',
      });
      expect(() =>
        emulator.admin.addOnStart({ kind: 'dli-sql', statement: '(', steps: [{ status: 'FAILED' }] }),
      ).toThrow(/onStart\.statement: Not a valid regular expression/);
    } finally {
      await emulator.close();
    }
  });
});
