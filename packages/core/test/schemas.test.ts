import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import {
  CDM_JOB_STATUSES,
  CdmCounters,
  CdmJobStatusResponse,
  CdmSubmission,
  SQOOP_COUNTERS_KEY,
} from '../src/cdm/schemas.js';
import {
  REALTIME_JOB_STATUSES,
  RealtimeJobNode,
  RealtimeJobStatusResponse,
} from '../src/dataarts/schemas.js';
import {
  DliBaseResponse,
  FLINK_JOB_STATUSES,
  FLINK_JOB_TYPES,
  FlinkJobConfig,
  FlinkJobDetail,
  FlinkJobDetailResponse,
  FlinkJobListItem,
  FlinkJobListResponse,
  SQL_JOB_STATUSES,
  SqlJobProgressResponse,
  SqlJobStatusResponse,
  SqlSubJob,
} from '../src/dli/schemas.js';
import {
  CdmErrorBody,
  CodeMessageBody,
  DliFailureBody,
  ErrorCodeMsgBody,
  ErrorCodeMsgCamelBody,
  extractErrorInfo,
  NestedErrorBody,
} from '../src/error-schemas.js';
import { booleanish, epochMillis, numberish } from '../src/schema-helpers.js';

type Json = Record<string, unknown>;

const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Json;

// Parses a fixture, checking that it succeeds and that zod left the input
// untouched (the fixtures are shared by other tests).
function parseFixture<S extends z.ZodType>(schema: S, name: string): z.output<S> {
  const body = fixture(name);
  const before = structuredClone(body);
  const result = schema.safeParse(body);
  if (!result.success) throw new Error(`${name}: ${result.error.message}`);
  expect(result.success).toBe(true);
  expect(body).toEqual(before);
  return result.data;
}

// Adds an unknown field at the top level and checks that it survives.
function expectUnknownFieldKept(schema: z.ZodType, name: string): void {
  const body = { ...fixture(name), x_jobgate_extra: { nested: [1, 'two'] } };
  const result = schema.safeParse(body);
  expect(result.success).toBe(true);
  expect((result.data as Json).x_jobgate_extra).toEqual({ nested: [1, 'two'] });
}

function expectRejected(schema: z.ZodType, body: unknown, path?: (string | number)[]): void {
  const result = schema.safeParse(body);
  expect(result.success).toBe(false);
  if (path !== undefined) expect(result.error?.issues.map((issue) => issue.path)).toContainEqual(path);
}

describe('schema helpers', () => {
  it('booleanish accepts booleans and "true"/"false" in any case', () => {
    expect(booleanish.parse(true)).toBe(true);
    expect(booleanish.parse(false)).toBe(false);
    expect(booleanish.parse('true')).toBe(true);
    expect(booleanish.parse('TRUE')).toBe(true);
    expect(booleanish.parse('False')).toBe(false);
  });

  it('booleanish rejects other values with a clear message', () => {
    const result = booleanish.safeParse('yes');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('"yes"');
    expect(booleanish.safeParse(1).success).toBe(false);
    expect(booleanish.safeParse(null).success).toBe(false);
  });

  it('numberish accepts numbers and decimal strings', () => {
    expect(numberish.parse(42)).toBe(42);
    expect(numberish.parse('1536905778725')).toBe(1536905778725);
    expect(numberish.parse('0.5')).toBe(0.5);
    expect(numberish.parse('-1')).toBe(-1);
  });

  it('numberish rejects other strings with a clear message', () => {
    for (const bad of ['abc', '', '1e3', '0x10', '12abc', 'NaN', 'Infinity']) {
      const result = numberish.safeParse(bad);
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/number/);
    }
    expect(numberish.safeParse(Number.NaN).success).toBe(false);
    expect(numberish.safeParse(Number.POSITIVE_INFINITY).success).toBe(false);
    expect(numberish.safeParse(null).success).toBe(false);
    expect(numberish.safeParse({}).error?.issues[0]?.message).toBe('expected a number or a numeric string');
  });

  it('epochMillis accepts numbers, numeric strings, other strings and null', () => {
    expect(epochMillis.parse(1638433497621)).toBe(1638433497621);
    expect(epochMillis.parse('1536905778725')).toBe(1536905778725);
    expect(epochMillis.parse('2023-09-15T06:20:00Z')).toBe('2023-09-15T06:20:00Z');
    expect(epochMillis.parse('Mon Jul 27 17:24:03 CST 2020')).toBe('Mon Jul 27 17:24:03 CST 2020');
    expect(epochMillis.parse(null)).toBeNull();
  });

  it('epochMillis rejects empty strings and non-scalars', () => {
    expect(epochMillis.safeParse('').success).toBe(false);
    expect(epochMillis.safeParse('  ').success).toBe(false);
    expect(epochMillis.safeParse(true).success).toBe(false);
    expect(epochMillis.safeParse({}).success).toBe(false);
  });
});

describe('documented status lists', () => {
  it('have the documented members', () => {
    expect(FLINK_JOB_STATUSES).toHaveLength(14);
    expect(FLINK_JOB_STATUSES).toContain('job_arrearage_recovering');
    expect(SQL_JOB_STATUSES).toEqual(['LAUNCHING', 'RUNNING', 'SCALING', 'FINISHED', 'FAILED', 'CANCELLED']);
    expect(FLINK_JOB_TYPES).toEqual([
      'flink_sql_job',
      'flink_opensource_sql_job',
      'flink_jar_job',
      'flink_sql_edge_job',
    ]);
    expect(REALTIME_JOB_STATUSES).toHaveLength(13);
    expect(REALTIME_JOB_STATUSES).toEqual(expect.arrayContaining(['STARTTING', 'SCHEDULING', 'PAUSED']));
    expect(CDM_JOB_STATUSES).toHaveLength(10);
    expect(CDM_JOB_STATUSES).toContain('NEVER_EXECUTED');
  });

  it('do not constrain the status fields', () => {
    const detail = fixture('dli-flink-detail-jar.json');
    const body = { ...detail, job_detail: { ...(detail.job_detail as Json), status: 'job_brand_new' } };
    expect(FlinkJobDetailResponse.parse(body).job_detail?.status).toBe('job_brand_new');
    expect(SqlJobProgressResponse.parse({ is_success: true, message: '', status: 'QUEUED' }).status).toBe(
      'QUEUED',
    );
    expect(RealtimeJobStatusResponse.parse({ name: 'j', status: 'SLEEPING' }).status).toBe('SLEEPING');
    expect(CdmSubmission.parse({ 'job-name': 'j', status: 'WAITING' }).status).toBe('WAITING');
  });
});

describe('DLI Flink job detail (seed 000)', () => {
  it('parses the flink_jar_job example', () => {
    const data = parseFixture(FlinkJobDetailResponse, 'dli-flink-detail-jar.json');
    expect(data.is_success).toBe(true);
    expect(data.message).toBe('Querying of the job details succeeds.');
    const detail = data.job_detail;
    expect(detail?.job_id).toBe(104);
    expect(detail?.job_type).toBe('flink_jar_job');
    expect(detail?.status).toBe('job_init');
    expect(detail?.start_time).toBeNull();
    expect(detail?.create_time).toBe(1578466221525);
    expect(detail?.main_class).toBeNull();
    expect(detail?.job_config?.checkpoint_enabled).toBe(false);
    expect(detail?.job_config?.root_id).toBe(-1);
    expect(detail?.job_config?.obs_bucket).toBeNull();
    expect(detail?.job_config?.dependency_jars).toEqual(['FemaleInfoCollection.jar', 'ObsBatchTest.jar']);
  });

  it('parses the flink_opensource_sql_job example', () => {
    const data = parseFixture(FlinkJobDetailResponse, 'dli-flink-detail-opensource-sql.json');
    expect(data.is_success).toBe(true);
    const detail = data.job_detail;
    expect(detail?.job_id).toBe(90634);
    expect(detail?.job_type).toBe('flink_opensource_sql_job');
    expect(detail?.status).toBe('job_cancel_success');
    expect(detail?.start_time).toBe(1638433497621);
    expect(detail?.savepoint_path).toBeNull();
    expect(detail?.job_config?.resume_max_num).toBe(-1);
    expect(detail?.job_config?.dirty_data_strategy).toBe('0');
    // image, feature and flink_version are not in seed 000's table 4.
    expect(detail?.job_config?.image).toBeNull();
    expect(detail?.job_config?.flink_version).toBeNull();
  });

  it('accepts is_success as a boolean too, and the reference-only fields', () => {
    const detail = fixture('dli-flink-detail-jar.json');
    const data = FlinkJobDetailResponse.parse({
      ...detail,
      is_success: true,
      job_detail: {
        ...(detail.job_detail as Json),
        restart_times: 2,
        has_savepoint: 'false',
        real_cu_number: 4,
        resource_config: { max_slot: 2, jobmanager_resource_spec: { cpu: 1, memory: '4G' } },
      },
    });
    expect(data.is_success).toBe(true);
    expect(data.job_detail?.restart_times).toBe(2);
    expect(data.job_detail?.has_savepoint).toBe(false);
    expect(data.job_detail?.real_cu_number).toBe(4);
    expect(data.job_detail?.resource_config).toEqual({
      max_slot: 2,
      jobmanager_resource_spec: { cpu: 1, memory: '4G' },
    });
  });

  it('reads real_cu_number and resource_config under job_config too, as the SDK model places them', () => {
    const detail = fixture('dli-flink-detail-jar.json');
    const jobDetail = detail.job_detail as Json;
    const data = FlinkJobDetailResponse.parse({
      ...detail,
      job_detail: {
        ...jobDetail,
        user_name: 'alice',
        duration: '60000',
        root_id: -1,
        graph_editor_enabled: 'false',
        edge_group_ids: ['g1'],
        job_config: {
          ...(jobDetail.job_config as Json),
          real_cu_number: '3',
          resource_config: { max_slot: 2, parallel_number: 2 },
          resource_config_version: 'v1',
          execution_agency_urn: null,
          flink_log_config: null,
        },
      },
    });
    const config = data.job_detail?.job_config;
    expect(config?.real_cu_number).toBe(3);
    expect(config?.resource_config).toEqual({ max_slot: 2, parallel_number: 2 });
    expect(config?.resource_config_version).toBe('v1');
    expect(data.job_detail).toMatchObject({
      duration: 60000,
      graph_editor_enabled: false,
      edge_group_ids: ['g1'],
    });
    expectTypeOf(config?.real_cu_number).toEqualTypeOf<number | null | undefined>();
    expect(
      FlinkJobDetailResponse.safeParse({
        ...detail,
        job_detail: { ...jobDetail, job_config: { real_cu_number: 'x' } },
      }).success,
    ).toBe(false);
  });

  it('keeps unknown fields at every level', () => {
    expectUnknownFieldKept(FlinkJobDetailResponse, 'dli-flink-detail-jar.json');
    const detail = fixture('dli-flink-detail-opensource-sql.json');
    const jobDetail = detail.job_detail as Json;
    const data = FlinkJobDetailResponse.parse({
      ...detail,
      job_detail: { ...jobDetail, tags: ['a'], job_config: { ...(jobDetail.job_config as Json), extra: 1 } },
    });
    expect(data.job_detail?.tags).toEqual(['a']);
    expect(data.job_detail?.job_config?.extra).toBe(1);
  });

  it('rejects malformed bodies', () => {
    const detail = fixture('dli-flink-detail-jar.json');
    const jobDetail = detail.job_detail as Json;
    // A flag that is not clearly true reads as failure, never as a malformed (or passing) answer.
    expect(FlinkJobDetailResponse.parse({ ...detail, is_success: 'yes' }).is_success).toBe(false);
    expectRejected(FlinkJobDetailResponse, { ...detail, job_detail: 'none' }, ['job_detail']);
    expectRejected(FlinkJobDetail, { ...jobDetail, job_id: 'abc' }, ['job_id']);
    expectRejected(FlinkJobDetail, { ...jobDetail, status: 7 }, ['status']);
    expectRejected(FlinkJobConfig, { checkpoint_interval: 'ten' }, ['checkpoint_interval']);
    expectRejected(FlinkJobConfig, { dependency_jars: 'a.jar' }, ['dependency_jars']);
  });

  it('infers output types from the schemas', () => {
    expectTypeOf<FlinkJobDetailResponse['is_success']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<FlinkJobDetail['start_time']>().toEqualTypeOf<number | null | undefined>();
    expectTypeOf<FlinkJobConfig['dirty_data_strategy']>().toEqualTypeOf<string | null | undefined>();
  });
});

describe('DLI Flink job list (seed 001)', () => {
  it('parses the example', () => {
    const data = parseFixture(FlinkJobListResponse, 'dli-flink-list.json');
    expect(data.is_success).toBe(true);
    expect(data.job_list?.total_count).toBe(26);
    expect(data.job_list?.jobs).toHaveLength(1);
    const job = data.job_list?.jobs?.[0];
    expect(job?.job_id).toBe(146);
    expect(job?.job_type).toBe('flink_sql_job');
    expect(job?.status).toBe('job_init');
    expect(job?.duration).toBe(0);
    expect(job?.root_id).toBe(-1);
    expect(job?.has_savepoint).toBe(false);
    expect(job?.user_name).toBe('');
  });

  it('parses show_detail items with a job_config', () => {
    const item = FlinkJobListItem.parse({
      job_id: '7',
      status: 'job_running',
      start_time: 0,
      job_config: { checkpoint_enabled: true, real_cu_number: 0, feature: 'basic' },
    });
    expect(item.job_id).toBe(7);
    expect(item.job_config?.real_cu_number).toBe(0);
  });

  it('keeps unknown fields', () => {
    expectUnknownFieldKept(FlinkJobListResponse, 'dli-flink-list.json');
    const list = fixture('dli-flink-list.json');
    const jobList = list.job_list as { total_count: number; jobs: Json[] };
    const data = FlinkJobListResponse.parse({
      ...list,
      job_list: { ...jobList, jobs: [{ ...jobList.jobs[0], tags: 'x' }] },
    });
    expect(data.job_list?.jobs?.[0]?.tags).toBe('x');
  });

  it('rejects malformed bodies', () => {
    const list = fixture('dli-flink-list.json');
    const jobList = list.job_list as Json;
    expectRejected(FlinkJobListResponse, { ...list, job_list: { ...jobList, jobs: {} } }, [
      'job_list',
      'jobs',
    ]);
    expectRejected(FlinkJobListResponse, { ...list, job_list: { ...jobList, total_count: 'many' } }, [
      'job_list',
      'total_count',
    ]);
    expectRejected(FlinkJobListItem, { job_id: 146, graph_editor_enabled: 'sometimes' }, [
      'graph_editor_enabled',
    ]);
  });
});

describe('DLI SQL job progress (seed 002)', () => {
  it('parses the example', () => {
    const data = parseFixture(SqlJobProgressResponse, 'dli-sql-progress.json');
    expect(data.is_success).toBe(true);
    expect(data.message).toBe('');
    expect(data.job_id).toBe('85798b38-ae44-48eb-bb90-7cf0dcdafe7b');
    expect(data.status).toBe('RUNNING');
    expect(data.sub_job_id).toBe(0);
    expect(data.progress).toBe(0);
    const sub = data.sub_jobs?.[0];
    expect(sub?.id).toBe(0);
    expect(sub?.submission_time).toBe('Mon Jul 27 17:24:03 CST 2020');
    expect(sub?.stage_ids).toEqual([0]);
    expect(sub?.num_active_tasks).toBe(1);
  });

  it('accepts a string progress and killed_tasks_summary', () => {
    const data = SqlJobProgressResponse.parse({
      is_success: 'true',
      message: '',
      status: 'RUNNING',
      progress: '0.5',
      sub_jobs: [{ id: 1, killed_tasks_summary: { 'stage cancelled': 3 } }],
    });
    expect(data.progress).toBe(0.5);
    expect(data.sub_jobs?.[0]?.killed_tasks_summary).toEqual({ 'stage cancelled': 3 });
  });

  it('keeps unknown fields', () => {
    expectUnknownFieldKept(SqlJobProgressResponse, 'dli-sql-progress.json');
    expect(SqlSubJob.parse({ id: 0, scheduling_pool: 'default' }).scheduling_pool).toBe('default');
  });

  it('rejects malformed bodies', () => {
    const progress = fixture('dli-sql-progress.json');
    expectRejected(SqlJobProgressResponse, { ...progress, progress: 'abc' }, ['progress']);
    expectRejected(SqlJobProgressResponse, { ...progress, status: undefined }, ['status']);
    expectRejected(SqlJobProgressResponse, { ...progress, sub_jobs: {} }, ['sub_jobs']);
    expectRejected(SqlSubJob, { id: 0, stage_ids: ['first'] }, ['stage_ids', 0]);
  });
});

describe('DLI SQL job status (built from the reference, not a seed)', () => {
  it('parses a FINISHED body', () => {
    const data = parseFixture(SqlJobStatusResponse, 'dli-sql-status.json');
    expect(data.is_success).toBe(true);
    expect(data.status).toBe('FINISHED');
    expect(data.job_id).toBe('208b08d4-0dc2-4dd7-8879-ddd4c020d7aa');
    expect(data.start_time).toBe(1509335108918);
    expect(data.duration).toBe(2523);
    expect(data.result_count).toBe(1);
    expect(data.input_size).toBe(22);
  });

  it("parses the SDK model's fields: user_conf, the result paths and format, tags", () => {
    const data = SqlJobStatusResponse.parse({
      ...fixture('dli-sql-status.json'),
      user_conf: '{}',
      result_path: 'obs://bucket/results',
      execution_details_path: 'obs://bucket/details',
      result_format: 'csv',
      tags: [{ key: 'team', value: 'data' }],
    });
    expect(data).toMatchObject({ result_format: 'csv', tags: [{ key: 'team', value: 'data' }] });
    expect(
      SqlJobStatusResponse.safeParse({ ...fixture('dli-sql-status.json'), tags: [{ value: 'no key' }] })
        .success,
    ).toBe(false);
  });

  it('keeps unknown fields', () => {
    expectUnknownFieldKept(SqlJobStatusResponse, 'dli-sql-status.json');
  });

  it('rejects malformed bodies', () => {
    const status = fixture('dli-sql-status.json');
    expectRejected(SqlJobStatusResponse, { ...status, status: undefined }, ['status']);
    expectRejected(SqlJobStatusResponse, { ...status, duration: '2.5s' }, ['duration']);
  });
});

describe('DLI base response', () => {
  it('reads is_success from every DLI fixture', () => {
    for (const name of [
      'dli-flink-detail-jar.json',
      'dli-flink-detail-opensource-sql.json',
      'dli-flink-list.json',
      'dli-sql-progress.json',
      'dli-sql-status.json',
    ]) {
      expect(parseFixture(DliBaseResponse, name).is_success, name).toBe(true);
    }
  });

  it('detects HTTP 200 failures and keeps the rest of the body', () => {
    const data = DliBaseResponse.parse({
      is_success: 'false',
      message: 'Queue busy',
      error_code: 'DLI.0999',
    });
    expect(data.is_success).toBe(false);
    expect(data.message).toBe('Queue busy');
    expect(data.error_code).toBe('DLI.0999');
  });

  it('rejects bodies without a usable is_success', () => {
    expectRejected(DliBaseResponse, { message: 'x' }, ['is_success']);
    expectRejected(DliBaseResponse, { is_success: null }, ['is_success']);
    expect(DliBaseResponse.parse({ is_success: 'maybe' }).is_success).toBe(false);
  });
});

describe('DataArts real-time job status (seed 003)', () => {
  it('parses the success example', () => {
    const data = parseFixture(RealtimeJobStatusResponse, 'dataarts-realtime-status.json');
    expect(data.name).toBe('job_sms');
    expect(data.status).toBe('NORMAL');
    expect(data.startTime).toBeUndefined();
    const node = data.nodes?.[0];
    expect(node?.name).toBe('MRS_Flink_Job_8635');
    expect(node?.LastInstanceStatus).toBe('waiting');
    expect(node?.lastInstanceStatus).toBe('waiting');
    expect(node?.jobInstanceId).toBe(0);
    expect(node?.totalPutRecords).toBe(0);
    expect(node?.type).toBeUndefined();
  });

  it('parses camelCase startTime and nodeType (built from the reference)', () => {
    const data = parseFixture(RealtimeJobStatusResponse, 'dataarts-realtime-status-startTime.json');
    expect(data.status).toBe('STOPPED');
    expect(data.startTime).toBe(1694756400000);
    expect(data.endTime).toBe(1694760000000);
    expect(data.lastUpdateTime).toBe(1694760000123);
    const node = data.nodes?.[0];
    expect(node?.nodeType).toBe('MRS Flink Job');
    expect(node?.type).toBe('MRS Flink Job');
    expect(node?.lastInstanceStatus).toBe('success');
    expect(node?.totalGetBytes).toBe(52428800);
  });

  it('copies the SDK spelling starttime to startTime and keeps both', () => {
    const data = RealtimeJobStatusResponse.parse({ name: 'j', status: 'NORMAL', starttime: '1694756400000' });
    expect(data.starttime).toBe(1694756400000);
    expect(data.startTime).toBe(1694756400000);
    const text = RealtimeJobStatusResponse.parse({ name: 'j', starttime: '2023-09-15 14:20:00' });
    expect(text.startTime).toBe('2023-09-15 14:20:00');
    const both = RealtimeJobStatusResponse.parse({ name: 'j', startTime: 1, starttime: 2 });
    expect(both.startTime).toBe(1);
    expect(both.starttime).toBe(2);
  });

  it('accepts a body without nodes, and null times', () => {
    const data = RealtimeJobStatusResponse.parse({ name: 'j', status: 'STOPPED', endTime: null });
    expect(data.nodes).toBeUndefined();
    expect(data.endTime).toBeNull();
  });

  it('keeps unknown fields', () => {
    expectUnknownFieldKept(RealtimeJobStatusResponse, 'dataarts-realtime-status.json');
    expect(RealtimeJobNode.parse({ name: 'n', queueName: 'q' }).queueName).toBe('q');
  });

  it('rejects malformed bodies', () => {
    const status = fixture('dataarts-realtime-status.json');
    expectRejected(RealtimeJobStatusResponse, { ...status, nodes: {} }, ['nodes']);
    expectRejected(RealtimeJobStatusResponse, { ...status, startTime: '' }, ['startTime']);
    expectRejected(RealtimeJobStatusResponse, { status: 'NORMAL' }, ['name']);
    expectRejected(RealtimeJobNode, { name: 'n', speed: 'fast' }, ['speed']);
    expectRejected(RealtimeJobNode, { status: 'NORMAL' }, ['name']);
  });

  it('does not mistake the failure body for a status', () => {
    expect(RealtimeJobStatusResponse.safeParse(fixture('dataarts-error.json')).success).toBe(false);
  });
});

describe('CDM job status (seed 004)', () => {
  it('parses the example', () => {
    const data = parseFixture(CdmJobStatusResponse, 'cdm-job-status.json');
    expect(data.submissions).toHaveLength(1);
    const sub = data.submissions[0];
    expect(sub?.['job-name']).toBe('jdbc2hive');
    expect(sub?.['creation-user']).toBe('cdm');
    expect(sub?.['creation-date']).toBe(1536905778725);
    expect(sub?.progress).toBe(1);
    expect(sub?.status).toBe('BOOTING');
  });

  it('parses a SUCCEEDED submission with counters (built from the reference)', () => {
    const data = parseFixture(CdmJobStatusResponse, 'cdm-job-status-succeeded.json');
    const sub = data.submissions[0];
    expect(sub?.status).toBe('SUCCEEDED');
    expect(sub?.progress).toBe(100);
    expect(sub?.isIncrementing).toBe(false);
    expect(sub?.isStopingIncrement).toBe('');
    expect(sub?.['last-update-user']).toBe('cdm');
    expect(sub?.['execute-date']).toBe(1635909048924);
    expect(sub?.['submission-id']).toBe(5);
    const counters = sub?.counters?.[SQOOP_COUNTERS_KEY];
    expect(counters?.ROWS_READ).toBe(1024);
    expect(counters?.ROWS_WRITTEN).toBe(1024);
    expect(counters?.BYTES_WRITTEN).toBe(-1);
    expect(counters?.ROWS_WRITTEN_SKIPPED).toBe(0);
  });

  it('parses a FAILED submission (built from the reference)', () => {
    const data = parseFixture(CdmJobStatusResponse, 'cdm-job-status-failed.json');
    const sub = data.submissions[0];
    expect(sub?.status).toBe('FAILED');
    expect(sub?.progress).toBe(-1);
    expect(sub?.['last-udpate-user']).toBe('cdm');
    expect(sub?.['error-summary']).toBe('Cdm.0517:Table does not exist.');
    expect(sub?.['error-details']).toMatch(/^org\.apache\.sqoop\.common\.SqoopException/);
  });

  it('accepts counters sent as strings', () => {
    expect(CdmCounters.parse({ ROWS_READ: '12', BYTES_READ: 3 })).toEqual({ ROWS_READ: 12, BYTES_READ: 3 });
  });

  it('keeps unknown fields', () => {
    expectUnknownFieldKept(CdmJobStatusResponse, 'cdm-job-status.json');
    const sub = CdmSubmission.parse({ 'job-name': 'j', status: 'RUNNING', 'new-field': true });
    expect(sub['new-field']).toBe(true);
    expect(CdmCounters.parse({ NEW_COUNTER: 5 }).NEW_COUNTER).toBe(5);
  });

  it('rejects malformed bodies', () => {
    expectRejected(CdmJobStatusResponse, { submissions: {} }, ['submissions']);
    expectRejected(CdmJobStatusResponse, {}, ['submissions']);
    expectRejected(CdmSubmission, { 'job-name': 'j' }, ['status']);
    expectRejected(CdmSubmission, { 'job-name': 'j', status: 'RUNNING', 'creation-date': 'yesterday' }, [
      'creation-date',
    ]);
    expectRejected(CdmCounters, { ROWS_READ: 'many' }, ['ROWS_READ']);
  });
});

describe('error bodies', () => {
  it('parse with their own schemas', () => {
    expect(ErrorCodeMsgBody.safeParse(fixture('dataarts-error.json')).success).toBe(true);
    expect(CdmErrorBody.safeParse({ errCode: 'Cdm.0100', externalMessage: 'x' }).success).toBe(true);
    expect(ErrorCodeMsgCamelBody.safeParse({ errorCode: 'DLF.0137', errorMsg: 'x' }).success).toBe(true);
    expect(CodeMessageBody.safeParse({ code: 404, message: 'x' }).success).toBe(true);
    expect(NestedErrorBody.safeParse({ error: { code: 'E1', message: 'x' } }).success).toBe(true);
    expect(DliFailureBody.safeParse({ is_success: false, message: 'x' }).success).toBe(true);
    expect(DliFailureBody.safeParse({ is_success: 'true', message: 'x' }).success).toBe(false);
    expect(ErrorCodeMsgBody.safeParse({ error_code: 'APIGW.0301' }).success).toBe(false);
  });

  it('extractErrorInfo reads the API gateway shape', () => {
    expect(
      extractErrorInfo({
        error_code: 'APIGW.0308',
        error_msg:
          'The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second',
        request_id: 'a1b2c3',
      }),
    ).toEqual({
      code: 'APIGW.0308',
      message: 'The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second',
      requestId: 'a1b2c3',
    });
  });

  it('extractErrorInfo reads the DataArts seed failure body', () => {
    expect(extractErrorInfo(fixture('dataarts-error.json'))).toEqual({
      code: 'DLF.0100',
      message: 'The job does not exists.',
    });
  });

  it('extractErrorInfo reads the CDM shape, preferring externalMessage', () => {
    expect(
      extractErrorInfo({ errCode: 'Cdm.0100', externalMessage: 'Job jdbc2hive does not exist.' }),
    ).toEqual({
      code: 'Cdm.0100',
      message: 'Job jdbc2hive does not exist.',
    });
    expect(
      extractErrorInfo({
        code: 'Cdm.0100',
        message: 'Job does not exist.',
        errCode: 'Cdm.0100',
        externalMessage: 'Job jdbc2hive does not exist.',
      }),
    ).toEqual({ code: 'Cdm.0100', message: 'Job jdbc2hive does not exist.' });
  });

  it('extractErrorInfo reads the camelCase DLF shape', () => {
    expect(extractErrorInfo({ errorCode: 'DLF.0137', errorMsg: 'The instance does not exist.' })).toEqual({
      code: 'DLF.0137',
      message: 'The instance does not exist.',
    });
  });

  it('extractErrorInfo reads the generic {code, message} shape', () => {
    expect(extractErrorInfo({ code: 500, message: 'Internal error', request_id: 'r-1' })).toEqual({
      code: '500',
      message: 'Internal error',
      requestId: 'r-1',
    });
  });

  it('extractErrorInfo reads the nested {error: {code, message}} shape', () => {
    expect(extractErrorInfo({ error: { code: 'APIGW.0101', message: 'The API does not exist.' } })).toEqual({
      code: 'APIGW.0101',
      message: 'The API does not exist.',
    });
  });

  it('extractErrorInfo reads DLI HTTP 200 failures, boolean or string', () => {
    expect(
      extractErrorInfo({ is_success: false, message: 'The queue is busy.', error_code: 'DLI.0999' }),
    ).toEqual({ code: 'DLI.0999', message: 'The queue is busy.' });
    expect(extractErrorInfo({ is_success: 'false', message: 'Job does not exist.' })).toEqual({
      message: 'Job does not exist.',
    });
  });

  it('extractErrorInfo returns undefined for success and non-error bodies', () => {
    for (const name of [
      'dli-flink-detail-jar.json',
      'dli-flink-list.json',
      'dli-sql-progress.json',
      'dli-sql-status.json',
      'dataarts-realtime-status.json',
      'cdm-job-status.json',
    ]) {
      expect(extractErrorInfo(fixture(name)), name).toBeUndefined();
    }
    for (const body of [undefined, null, 'Bad Gateway', 42, [], {}, { error: 'x' }]) {
      expect(extractErrorInfo(body)).toBeUndefined();
    }
  });
});
