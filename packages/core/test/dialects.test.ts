/**
 * The client against both dialects of the emulator, since the real services answer either way: the
 * official SDKs' model shapes and the API pages' shapes. Every API parses in both, and every kind reads
 * the same state from both, over the whole timeline of the default scenario and more.
 */
import { type Dialect, type Emulator, type JobInput, startEmulator } from '@jobgate/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  getJobState,
  HuaweiCloudError,
  type JobGateClient,
  type JobRef,
  type JobState,
} from '../src/index.js';

const DIALECTS: readonly Dialect[] = ['sdk', 'documented'];
const SQL_OK = '3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60';
const SQL_FAILS = '7a1b2c3d-4e5f-4a6b-9c8d-0e1f2a3b4c5d';
const SQL_SCALING = '5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f';
const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';

/** Statuses spelled the ways the SDKs and the docs spell them, and one that no source knows. */
const SPELLINGS: JobInput[] = [
  ...(['STARTTING', 'SCHEDULING', 'PAUSED'] as const).map(
    (status): JobInput => ({ kind: 'dataarts-realtime', jobName: `spelled_${status}`, steps: [{ status }] }),
  ),
  {
    kind: 'dataarts-realtime',
    jobName: 'spelled_unknown',
    steps: [{ status: 'NORMAL', extra: { status: 'HIBERNATING' } }],
  },
  {
    kind: 'dli-sql',
    jobId: SQL_SCALING,
    steps: [{ status: 'SCALING', progress: 0.3, subJobs: [{ id: 0, status: 'RUNNING', num_tasks: 10 }] }],
  },
  {
    kind: 'dli-flink',
    jobId: 30002,
    name: 'edge_job',
    jobType: 'flink_sql_edge_job',
    steps: [{ status: 'job_running' }],
  },
];

const REFS: JobRef[] = [
  { kind: 'dli-flink', jobId: 10001 },
  { kind: 'dli-flink', jobId: 10002 },
  { kind: 'dli-flink', jobId: 30002 },
  { kind: 'dli-sql', jobId: SQL_OK },
  { kind: 'dli-sql', jobId: SQL_FAILS },
  { kind: 'dataarts-realtime', jobName: 'realtime_sms_alerts' },
  { kind: 'cdm', clusterId: CLUSTER, jobName: 'jdbc2hive' },
  { kind: 'cdm', clusterId: CLUSTER, jobName: 'obs2dws' },
];
/** Emulator times (ms from start) inside every step of the default scenario. */
const MOMENTS = [0, 45_000, 100_000, 150_000, 200_000, 230_000, 260_000, 300_000];

interface Side {
  emulator: Emulator;
  client: JobGateClient;
}
const sides = {} as Record<Dialect, Side>;

beforeAll(async () => {
  for (const dialect of DIALECTS) {
    // A clock that all but stands still: both emulators move only when told, so they agree to the ms.
    const emulator = await startEmulator({ dialect, timeScale: 1e-9 });
    emulator.admin.addJobs(SPELLINGS);
    const { accessKey, secretKey, projectId } = emulator.credentials;
    const client = createClient({
      endpoint: emulator.url,
      projectId,
      credentials: { accessKey, secretKey },
      env: {},
    });
    sides[dialect] = { emulator, client };
  }
});
afterAll(async () => {
  for (const { emulator, client } of Object.values(sides)) {
    await client.close();
    await emulator.close();
  }
});

/** The same call on both sides. */
async function both<T>(call: (client: JobGateClient) => Promise<T>): Promise<Record<Dialect, T>> {
  const [sdk, documented] = await Promise.all(DIALECTS.map((d) => call(sides[d].client)));
  return { sdk, documented } as Record<Dialect, T>;
}

/** What a wait decides on; the raw answers differ by dialect, as they should. */
const verdict = ({ phase, status, progress, message }: JobState) => ({ phase, status, progress, message });

describe('every kind, in both dialects', () => {
  it('reads the same state from either over the whole timeline', async () => {
    const phases = new Set<string>();
    let at = 0;
    for (const moment of MOMENTS) {
      for (const { emulator } of Object.values(sides)) emulator.admin.advanceClock(moment - at);
      at = moment;
      const read = await Promise.all(REFS.map((ref) => both((c) => getJobState(c, ref))));
      read.forEach((states, i) => {
        const ref = REFS[i] as JobRef;
        expect(verdict(states.documented), `${JSON.stringify(ref)} at ${moment}`).toEqual(
          verdict(states.sdk),
        );
        phases.add(`${ref.kind}:${states.sdk.phase}`);
      });
    }
    // The timeline went through every phase of every kind it scripts.
    expect([...phases].sort()).toEqual(
      [
        'cdm:failed',
        'cdm:pending',
        'cdm:running',
        'cdm:succeeded',
        'dataarts-realtime:failed',
        'dataarts-realtime:pending',
        'dataarts-realtime:running',
        'dli-flink:failed',
        'dli-flink:pending',
        'dli-flink:running',
        'dli-sql:failed',
        'dli-sql:pending',
        'dli-sql:running',
        'dli-sql:succeeded',
      ].sort(),
    );
  });

  it('maps the spellings the SDKs and docs use to their phases, and keeps an unknown one unknown', async () => {
    const expected: Array<[JobRef, string]> = [
      [{ kind: 'dataarts-realtime', jobName: 'spelled_STARTTING' }, 'pending'],
      [{ kind: 'dataarts-realtime', jobName: 'spelled_SCHEDULING' }, 'pending'],
      [{ kind: 'dataarts-realtime', jobName: 'spelled_PAUSED' }, 'pending'],
      [{ kind: 'dataarts-realtime', jobName: 'spelled_unknown' }, 'unknown'],
      [{ kind: 'dli-sql', jobId: SQL_SCALING }, 'running'],
    ];
    for (const [ref, phase] of expected) {
      const states = await both((c) => getJobState(c, ref));
      for (const dialect of DIALECTS)
        expect(states[dialect].phase, `${dialect} ${JSON.stringify(ref)}`).toBe(phase);
    }
  });

  it('shows the last instance status of DataArts nodes, whichever key it came under', async () => {
    const states = await both((c) =>
      getJobState(c, { kind: 'dataarts-realtime', jobName: 'realtime_sms_alerts' }),
    );
    for (const dialect of DIALECTS) {
      const row = states[dialect].details?.[0]?.rows[0];
      expect(row?.[0], dialect).toBe('MRS_Flink_Job_8635');
      expect(row?.[3], dialect).toMatch(/^(waiting|running|fail)$/);
    }
  });
});

describe('every API, in both dialects', () => {
  it('DLI Flink details and list (with and without show_detail)', async () => {
    const detail = await both((c) => c.dli.getFlinkJobDetail(10001));
    for (const dialect of DIALECTS) {
      expect(detail[dialect].job_detail, dialect).toMatchObject({ job_id: 10001, name: 'orders_enrich' });
    }
    expect(detail.sdk.job_detail?.job_config?.real_cu_number).toBe(2);
    expect(detail.sdk.job_detail?.job_config?.resource_config).toMatchObject({ parallel_number: 3 });
    expect(detail.documented.job_detail?.job_config?.real_cu_number).toBeUndefined();

    for (const showDetail of [false, true]) {
      const list = await both((c) => c.dli.listFlinkJobs({ showDetail, order: 'asc', limit: 100 }));
      const ids = (d: Dialect) => list[d].job_list?.jobs?.map((j) => [j.job_id, j.status]);
      expect(ids('documented')).toEqual(ids('sdk'));
      expect(list.sdk.job_list?.jobs?.some((j) => j.job_type === 'flink_sql_edge_job')).toBe(true);
    }
    const edge = await both((c) => c.dli.listFlinkJobs({ jobType: 'flink_sql_edge_job' }));
    for (const dialect of DIALECTS)
      expect(edge[dialect].job_list?.jobs?.map((j) => j.job_id)).toEqual([30002]);
  });

  it('DLI SQL progress and status', async () => {
    const progress = await both((c) => c.dli.getSqlJobProgress(SQL_SCALING));
    const status = await both((c) => c.dli.getSqlJobStatus(SQL_SCALING));
    for (const dialect of DIALECTS) {
      expect(progress[dialect]).toMatchObject({ status: 'SCALING', progress: 0.3 });
      expect(progress[dialect].sub_jobs?.[0]).toMatchObject({ id: 0, num_tasks: 10, num_completed_tasks: 3 });
      expect(status[dialect]).toMatchObject({ is_success: true, status: 'SCALING' });
    }
    expect(status.sdk).toMatchObject({ result_format: 'csv', tags: [] });
    expect(progress.sdk.sub_jobs?.[0]?.killed_tasks_summary).toEqual({});
  });

  it('DataArts real-time status: times as numbers, node keys normalized, from either shape', async () => {
    const answers = await both((c) => c.dataarts.getRealtimeJobStatus('realtime_sms_alerts'));
    for (const dialect of DIALECTS) {
      const answer = answers[dialect];
      const now = sides[dialect].emulator.admin.now();
      expect(answer.startTime, dialect).toBeTypeOf('number');
      expect(answer.lastUpdateTime, dialect).toBeTypeOf('number');
      expect(answer.startTime as number, dialect).toBeLessThanOrEqual(now);
      expect(answer.nodes?.[0]?.lastInstanceStatus, dialect).toBe('fail');
    }
    expect(answers.sdk.starttime).toBe(answers.sdk.startTime);
    expect(answers.sdk.nodes?.[0]?.type).toBe('MRSFlinkJob');
    expect(answers.documented.nodes?.[0]?.totalGetRecords).toBe(0);
  });

  it('CDM status: dates as numbers from either shape', async () => {
    const answers = await both((c) => c.cdm.getJobStatus(CLUSTER, 'jdbc2hive'));
    for (const dialect of DIALECTS) {
      const submission = answers[dialect].submissions[0];
      expect(submission?.status, dialect).toBe('SUCCEEDED');
      expect(submission?.['creation-date'], dialect).toBeTypeOf('number');
      expect(submission?.['execute-date'], dialect).toBeTypeOf('number');
    }
  });

  it('CDM errors in either shape: errCode/externalMessage or error_code/error_msg', async () => {
    const errors = await both((c) =>
      c.cdm.getJobStatus(CLUSTER, 'no_such_job').catch((error: unknown) => error),
    );
    for (const dialect of DIALECTS) {
      const error = errors[dialect];
      expect(error, dialect).toBeInstanceOf(HuaweiCloudError);
      expect(error, dialect).toMatchObject({ code: 'Cdm.0100', status: 400 });
      expect((error as Error).message, dialect).toContain('Job no_such_job does not exist.');
    }
  });
});
