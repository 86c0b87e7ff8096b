import { z } from 'zod';
import type { FlinkJobActionResponse } from '../dli/schemas.js';
import { HuaweiCloudError } from '../errors.js';
import { FlinkJobId } from '../inputs.js';
import { lazySchema } from '../lazy-schema.js';
import { booleanish, readSuccessFlag } from '../schema-helpers.js';
import { defineJobKind, type Observation, text } from './types.js';

/** The list API's largest page. */
const PAGE = 100;

/**
 * The run and stop APIs answer one entry per job id sent (one, here): a flag that is not clearly true
 * is this job's failure, with the service's message, though the answer is HTTP 200.
 */
function checkEntry(answer: FlinkJobActionResponse, what: string): void {
  const entry = answer[0];
  if (entry && readSuccessFlag(entry.is_success) === 'success') return;
  throw new HuaweiCloudError({
    status: 200,
    code: text(entry?.error_code ?? undefined) ?? 'DLI.REQUEST_FAILED',
    message: text(entry?.message ?? undefined) ?? `the ${what} was not accepted and no message was given`,
    service: 'dli',
    retryable: false,
  });
}

const ref = lazySchema(() =>
  z.object({
    jobId: FlinkJobId.describe('The Flink job id, an integer such as 104').meta({ label: 'Job ID' }),
  }),
);

/** DLI Flink (streaming) jobs, read through the job-details API (seed 000); run and stopped by id. */
export const dliFlinkKind = defineJobKind({
  name: 'dli-flink',
  title: 'DLI Flink job',
  service: 'dli',
  description: 'A Flink SQL, Flink OpenSource SQL or Flink Jar job on Data Lake Insight',
  streaming: true,
  ref,
  statuses: {
    // A draft never starts by itself; it stays pending until someone submits it.
    job_init: 'pending',
    job_submitting: 'pending',
    job_downloading: 'pending',
    job_idle: 'pending',
    job_arrearage_recovering: 'pending',
    // Being stopped is a transition, not yet a verdict.
    job_canceling: 'pending',
    job_running: 'running',
    // A savepoint is taken while the job keeps running; a failed stop leaves it running.
    job_savepointing: 'running',
    job_cancel_fail: 'running',
    job_finish: 'succeeded',
    job_submit_fail: 'failed',
    job_running_exception: 'failed',
    // Stopped by the platform because the account is in arrears.
    job_arrearage_stopped: 'failed',
    job_cancel_success: 'cancelled',
  },
  batchKey: (ref) => String(ref.jobId),
  /**
   * Many Flink waits in one project: read the job list (newest first, where
   * the jobs just submitted are) rather than one detail request per job, and
   * stop paging once every job is found or paging would cost more than the
   * detail requests it saves.
   */
  async fetchMany(client, refs, options) {
    const wanted = new Set(refs.map((r) => r.jobId));
    const found = new Map<string, Observation>();
    const maxPages = Math.max(1, Math.floor(refs.length / 2));
    let offset = 0;
    for (let page = 0; page < maxPages && found.size < wanted.size; page++) {
      const response = await client.dli.listFlinkJobs({ limit: PAGE, offset, order: 'desc' }, options);
      const jobs = response.job_list?.jobs ?? [];
      for (const job of jobs) {
        if (typeof job.job_id === 'number' && wanted.has(job.job_id)) {
          found.set(String(job.job_id), {
            status: job.status ?? '',
            message: text(job.status_desc),
            raw: job,
          });
        }
      }
      offset += jobs.length;
      if (jobs.length < PAGE) break;
    }
    return found;
  },
  async fetch(client, ref, options) {
    const response = await client.dli.getFlinkJobDetail(ref.jobId, options);
    const detail = response.job_detail;
    return {
      status: detail?.status ?? '',
      // The response's own message says how the query went ("Querying of the job details succeeds."), not the job.
      message: text(detail?.status_desc),
      raw: response,
    };
  },
  start: {
    spec: lazySchema(() =>
      z.strictObject({
        ...ref.shape,
        resumeSavepoint: booleanish
          .optional()
          .describe('Restore the job from its last savepoint')
          .meta({ label: 'Resume from savepoint' }),
      }),
    ),
    async start(client, spec, options) {
      checkEntry(
        await client.dli.runFlinkJobs([spec.jobId], { ...options, resumeSavepoint: spec.resumeSavepoint }),
        'run',
      );
      return { ref: { jobId: spec.jobId } };
    },
  },
  stop: {
    spec: lazySchema(() =>
      z.strictObject({
        triggerSavepoint: booleanish
          .optional()
          .describe('Take a savepoint before the job stops')
          .meta({ label: 'Take a savepoint' }),
      }),
    ),
    async stop(client, ref, spec, options) {
      checkEntry(
        await client.dli.stopFlinkJobs([ref.jobId], { ...options, triggerSavepoint: spec.triggerSavepoint }),
        'stop',
      );
    },
  },
});
