import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CdmJobStatusResponse } from '../../core/src/cdm/schemas.js';
import { RealtimeJobStatusResponse } from '../../core/src/dataarts/schemas.js';
import {
  FlinkJobDetailResponse,
  FlinkJobListResponse,
  SqlJobProgressResponse,
  SqlJobStatusResponse,
} from '../../core/src/dli/schemas.js';
import { ErrorCodeMsgBody } from '../../core/src/error-schemas.js';
import type { Emulator } from '../src/index.js';
import { startEmulator } from '../src/index.js';
import {
  CDM_CLUSTER,
  CDM_FAIL,
  CDM_OK,
  DATAARTS_JOB,
  FLINK_EXCEPTION,
  FLINK_RUNNING,
  getJson,
  json,
  MINUTE,
  PROJECT,
  paths,
  SQL_FAIL,
  SQL_OK,
  signedFetch,
} from './helpers.js';

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator({ timeScale: 1, seed: 7 });
});
afterEach(async () => {
  await emulator.close();
});

describe('DLI Flink job details', () => {
  it('plays the running job: job_submitting, then job_running with a start time', async () => {
    const first = await getJson(emulator, paths.flinkDetail(FLINK_RUNNING));
    expect(first.status).toBe(200);
    const submitting = FlinkJobDetailResponse.parse(first.body);
    expect(first.body.is_success).toBe('true');
    expect(submitting.job_detail?.status).toBe('job_submitting');
    expect(first.body.job_detail.start_time).toBeNull();
    expect(submitting.job_detail?.job_id).toBe(FLINK_RUNNING);
    expect(submitting.job_detail?.project_id).toBe(PROJECT);

    emulator.admin.advanceClock(61_000);
    const running = FlinkJobDetailResponse.parse(
      (await getJson(emulator, paths.flinkDetail(FLINK_RUNNING))).body,
    );
    expect(running.job_detail?.status).toBe('job_running');
    expect(running.job_detail?.start_time).toBeGreaterThan(running.job_detail?.create_time as number);
  });

  it('plays the failing job into job_running_exception with its error text', async () => {
    emulator.admin.advanceClock(2 * MINUTE);
    expect((await getJson(emulator, paths.flinkDetail(FLINK_EXCEPTION))).body.job_detail.status).toBe(
      'job_running',
    );
    emulator.admin.advanceClock(MINUTE + 1000);
    const { body } = await getJson(emulator, paths.flinkDetail(FLINK_EXCEPTION));
    const parsed = FlinkJobDetailResponse.parse(body);
    expect(parsed.job_detail?.status).toBe('job_running_exception');
    expect(parsed.job_detail?.status_desc).toMatch(/OutOfMemoryError/);
  });

  it('answers DLI.0002 for an unknown job and DLI.0001 for a non-integer id', async () => {
    const missing = await getJson(emulator, paths.flinkDetail(424242));
    expect(missing.status).toBe(400);
    expect(ErrorCodeMsgBody.parse(missing.body).error_code).toBe('DLI.0002');
    const bad = await getJson(emulator, paths.flinkDetail('abc'));
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('DLI.0001');
  });
});

describe('DLI Flink job list', () => {
  beforeEach(() => {
    emulator.admin.addJobs(
      [3, 4, 5, 6, 7].map((n) => ({
        kind: 'dli-flink' as const,
        jobId: 20000 + n,
        name: `batch_${n}`,
        createdAt: 1_700_000_000_000 + n * 1000,
        queueName: n % 2 ? 'odd_queue' : 'even_queue',
        steps: [{ status: n % 2 ? ('job_running' as const) : ('job_cancel_success' as const) }],
      })),
    );
  });

  it('lists every job newest first by default, total_count before paging', async () => {
    const { status, body } = await getJson(emulator, paths.flinkList());
    expect(status).toBe(200);
    const list = FlinkJobListResponse.parse(body);
    expect(list.job_list?.total_count).toBe(8);
    const jobs = list.job_list?.jobs ?? [];
    expect(jobs).toHaveLength(8);
    const times = jobs.map((j) => j.create_time as number);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(jobs[0]).toHaveProperty('duration');
    expect(jobs[0]).not.toHaveProperty('job_config');
  });

  it('filters by status, name and queue, pages with offset and limit, orders asc', async () => {
    const running = FlinkJobListResponse.parse(
      (await getJson(emulator, paths.flinkList('status=job_running'))).body,
    );
    // 20003, 20005, 20007 run at once; 10001 and 10002 are still submitting.
    expect(running.job_list?.jobs?.map((j) => j.job_id).sort()).toEqual([20003, 20005, 20007]);

    const named = FlinkJobListResponse.parse((await getJson(emulator, paths.flinkList('name=batch_4'))).body);
    expect(named.job_list?.jobs?.map((j) => j.job_id)).toEqual([20004]);

    const queue = FlinkJobListResponse.parse(
      (await getJson(emulator, paths.flinkList('queue_name=even_queue'))).body,
    );
    expect(queue.job_list?.total_count).toBe(2);

    const page = FlinkJobListResponse.parse(
      (await getJson(emulator, paths.flinkList('order=asc&offset=1&limit=2&name=batch'))).body,
    );
    expect(page.job_list?.total_count).toBe(5);
    expect(page.job_list?.jobs?.map((j) => j.job_id)).toEqual([20004, 20005]);
  });

  it('returns detail-shaped items with show_detail=true', async () => {
    const { body } = await getJson(
      emulator,
      paths.flinkList('show_detail=true&limit=1&order=asc&name=batch'),
    );
    const list = FlinkJobListResponse.parse(body);
    expect(list.job_list?.jobs?.[0]?.job_config).toBeTruthy();
    expect(list.job_list?.jobs?.[0]?.project_id).toBe(PROJECT);
  });

  it('rejects a limit over 100 and a bad order with DLI.0001', async () => {
    for (const query of ['limit=101', 'limit=x', 'order=sideways', 'offset=-1']) {
      const { status, body } = await getJson(emulator, paths.flinkList(query));
      expect(status, query).toBe(400);
      expect(body.error_code, query).toBe('DLI.0001');
    }
    expect((await getJson(emulator, paths.flinkList('limit=100'))).status).toBe(200);
  });
});

describe('DLI SQL progress and status', () => {
  it('shows LAUNCHING at 0, then rising progress with sub-jobs, then FINISHED at 1', async () => {
    const launching = SqlJobProgressResponse.parse((await getJson(emulator, paths.sqlProgress(SQL_OK))).body);
    expect(launching.status).toBe('LAUNCHING');
    expect(launching.progress).toBe(0);
    expect(launching.is_success).toBe(true);

    const seen: number[] = [];
    for (const step of [40_000, 40_000, 40_000, 40_000]) {
      emulator.admin.advanceClock(step);
      const { body } = await getJson(emulator, paths.sqlProgress(SQL_OK));
      const parsed = SqlJobProgressResponse.parse(body);
      expect(parsed.status).toBe('RUNNING');
      expect(parsed.sub_jobs?.length).toBeGreaterThan(0);
      expect(parsed.sub_job_id).toBeTypeOf('number');
      seen.push(parsed.progress as number);
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1] as number);
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen.at(-1)).toBeLessThan(1);

    emulator.admin.advanceClock(60_000);
    const done = SqlJobProgressResponse.parse((await getJson(emulator, paths.sqlProgress(SQL_OK))).body);
    expect(done.status).toBe('FINISHED');
    expect(done.progress).toBe(1);
    expect(done.sub_job_id).toBeUndefined();

    const status = SqlJobStatusResponse.parse((await getJson(emulator, paths.sqlStatus(SQL_OK))).body);
    expect(status.status).toBe('FINISHED');
    expect(status.job_id).toBe(SQL_OK);
    expect(status.duration).toBeGreaterThanOrEqual(210_000);
  });

  it('counts sub-job tasks from the progress, as the seed defines it', async () => {
    emulator.admin.advanceClock(165_000);
    const { body } = await getJson(emulator, paths.sqlProgress(SQL_OK));
    const parsed = SqlJobProgressResponse.parse(body);
    const [first, second] = parsed.sub_jobs ?? [];
    expect(first?.status).toBe('SUCCEEDED');
    expect(first?.num_completed_tasks).toBe(20);
    expect(second?.status).toBe('RUNNING');
    expect(second?.num_tasks).toBe(40);
    expect(second?.num_completed_tasks).toBe(Math.floor((parsed.progress as number) * 40));
    expect(parsed.sub_job_id).toBe(1);
  });

  it('plays the failing SQL job into FAILED with its message on both APIs', async () => {
    emulator.admin.advanceClock(91_000);
    const progress = SqlJobProgressResponse.parse(
      (await getJson(emulator, paths.sqlProgress(SQL_FAIL))).body,
    );
    expect(progress.status).toBe('FAILED');
    const status = SqlJobStatusResponse.parse((await getJson(emulator, paths.sqlStatus(SQL_FAIL))).body);
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/Table or view not found/);
  });

  it('answers DLI.0999 from the progress API of a job scripted as unsupported, while status works', async () => {
    const jobId = '11111111-2222-4333-8444-555555555555';
    emulator.admin.addJobs({
      kind: 'dli-sql',
      jobId,
      progressApi: 'unsupported',
      steps: [{ status: 'RUNNING' }],
    });
    const progress = await getJson(emulator, paths.sqlProgress(jobId));
    expect(progress.status).toBe(400);
    expect(progress.body).toEqual({
      error_code: 'DLI.0999',
      error_msg: 'The queue backend version is too old or the queue is busy.',
    });
    expect(SqlJobStatusResponse.parse((await getJson(emulator, paths.sqlStatus(jobId))).body).status).toBe(
      'RUNNING',
    );
  });

  it('answers DLI.0002 for an unknown SQL job on both APIs', async () => {
    for (const path of [paths.sqlProgress('00000000-0000-4000-8000-000000000000'), paths.sqlStatus('nope')]) {
      const { status, body } = await getJson(emulator, path);
      expect(status).toBe(400);
      expect(body.error_code).toBe('DLI.0002');
    }
  });
});

describe('DataArts Factory real-time job status', () => {
  it("goes STARTING, NORMAL, EXCEPTION with the SDK model's node fields and times as strings", async () => {
    const statuses: string[] = [];
    for (const advance of [0, 61_000, 180_000]) {
      emulator.admin.advanceClock(advance);
      const { status, body } = await getJson(emulator, paths.dataArts(DATAARTS_JOB));
      expect(status).toBe(200);
      const parsed = RealtimeJobStatusResponse.parse(body);
      expect(parsed.name).toBe(DATAARTS_JOB);
      expect(body.starttime).toMatch(/^\d{13}$/);
      expect(body.lastUpdateTime).toMatch(/^\d{13}$/);
      expect(body.nodes[0]).toMatchObject({ name: 'MRS_Flink_Job_8635', nodeType: 'MRSFlinkJob' });
      expect(body.nodes[0]).not.toHaveProperty('bufferRecords');
      statuses.push(parsed.status as string);
    }
    expect(statuses).toEqual(['STARTING', 'NORMAL', 'EXCEPTION']);
  });

  it('selects the workspace from the header; absent = the default workspace', async () => {
    emulator.admin.addJobs({
      kind: 'dataarts-realtime',
      jobName: 'ws_job',
      workspace: 'a1b2c3',
      steps: [{ status: 'STOPPED' }],
    });
    const withHeader = await getJson(emulator, paths.dataArts('ws_job'), {
      headers: { workspace: 'a1b2c3' },
    });
    expect(withHeader.status).toBe(200);
    expect(RealtimeJobStatusResponse.parse(withHeader.body).status).toBe('STOPPED');
    expect(withHeader.body.endTime).toBeTypeOf('string');

    const withoutHeader = await getJson(emulator, paths.dataArts('ws_job'));
    expect(withoutHeader.status).toBe(400);
    expect(withoutHeader.body).toEqual({ error_code: 'DLF.0100', error_msg: 'The job does not exists.' });
    const otherWorkspace = await getJson(emulator, paths.dataArts(DATAARTS_JOB), {
      headers: { workspace: 'a1b2c3' },
    });
    expect(otherWorkspace.body.error_code).toBe('DLF.0100');
  });
});

describe('CDM job status', () => {
  it('starts like the seed (creation fields only), then succeeds with counters', async () => {
    const booting = await getJson(emulator, paths.cdm(CDM_CLUSTER, CDM_OK));
    const parsedBooting = CdmJobStatusResponse.parse(booting.body);
    expect(Object.keys(booting.body.submissions[0]).sort()).toEqual(
      ['creation-date', 'creation-user', 'job-name', 'progress', 'status'].sort(),
    );
    expect(booting.body.submissions[0]['creation-date']).toBeTypeOf('number');
    expect(parsedBooting.submissions[0]?.status).toBe('BOOTING');

    emulator.admin.advanceClock(90_000);
    const early = CdmJobStatusResponse.parse((await getJson(emulator, paths.cdm(CDM_CLUSTER, CDM_OK))).body);
    emulator.admin.advanceClock(120_000);
    const later = CdmJobStatusResponse.parse((await getJson(emulator, paths.cdm(CDM_CLUSTER, CDM_OK))).body);
    expect(early.submissions[0]?.status).toBe('RUNNING');
    expect(later.submissions[0]?.progress).toBeGreaterThan(early.submissions[0]?.progress as number);
    expect(early.submissions[0]?.counters).toBeUndefined();

    emulator.admin.advanceClock(61_000);
    const { body } = await getJson(emulator, paths.cdm(CDM_CLUSTER, CDM_OK));
    const done = CdmJobStatusResponse.parse(body).submissions[0];
    expect(done?.status).toBe('SUCCEEDED');
    expect(done?.progress).toBe(100);
    expect(done?.counters?.['org.apache.sqoop.submission.counter.SqoopCounters']?.ROWS_WRITTEN).toBe(18);
    expect(done?.write_rows).toBe(18);
    expect(done?.['error-details']).toBeUndefined();
  });

  it('fails with progress -1 and error details', async () => {
    emulator.admin.advanceClock(211_000);
    const { body } = await getJson(emulator, paths.cdm(CDM_CLUSTER, CDM_FAIL));
    const failed = CdmJobStatusResponse.parse(body).submissions[0];
    expect(failed?.status).toBe('FAILED');
    expect(failed?.progress).toBe(-1);
    expect(failed?.['error-summary']).toMatch(/GENERIC_JDBC_CONNECTOR_0001/);
    expect(failed?.['error-details']).toMatch(/SqoopException/);
    expect(failed?.counters).toBeUndefined();
  });

  it('answers Cdm.0100 for an unknown job or cluster', async () => {
    for (const path of [paths.cdm(CDM_CLUSTER, 'nope'), paths.cdm('other-cluster', CDM_OK)]) {
      const { status, body } = await getJson(emulator, path);
      expect(status).toBe(400);
      expect(ErrorCodeMsgBody.parse(body).error_code).toBe('Cdm.0100');
    }
  });
});

describe('routing', () => {
  it('answers APIG.0101 for unknown paths, methods and a trailing slash, with the request id in body and header', async () => {
    for (const [method, path] of [
      ['GET', `/v2/${PROJECT}/unknown`],
      ['POST', paths.flinkDetail(FLINK_RUNNING)],
      ['GET', `${paths.sqlStatus(SQL_OK)}/`],
      ['GET', '/'],
    ] as const) {
      const response = await signedFetch(emulator, path, { method });
      const body = await json(response);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(body).toMatchObject({
        error_code: 'APIG.0101',
        error_msg: 'The API does not exist or has not been published in the environment',
      });
      expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
      expect(response.headers.get('x-request-id')).toBe(body.request_id);
    }
  });

  it('puts an X-Request-Id on every answer, errors and successes alike', async () => {
    const ok = await signedFetch(emulator, paths.flinkDetail(FLINK_RUNNING));
    const notFound = await signedFetch(emulator, paths.flinkDetail(1));
    const ids = [ok.headers.get('x-request-id'), notFound.headers.get('x-request-id')];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('finds jobs by their exact decoded names, never reading an encoded slash as a path', async () => {
    emulator.admin.addJobs([
      { kind: 'dataarts-realtime', jobName: 'my job/../x', steps: [{ status: 'NORMAL' }] },
      { kind: 'dataarts-realtime', jobName: 'x', steps: [{ status: 'STOPPED' }] },
      { kind: 'cdm', clusterId: 'c 1', jobName: 'données→hive', steps: [{ status: 'RUNNING' }] },
    ]);
    const tricky = await getJson(emulator, `/v1/${PROJECT}/jobs/my%20job%2F..%2Fx/status`);
    expect(tricky.status).toBe(200);
    expect(tricky.body.name).toBe('my job/../x');
    expect(tricky.body.status).toBe('NORMAL');

    const unicode = await getJson(emulator, paths.cdm('c 1', 'données→hive'));
    expect(unicode.status).toBe(200);
    expect(unicode.body.submissions[0]['job-name']).toBe('données→hive');
  });
});
