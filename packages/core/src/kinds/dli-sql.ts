import { z } from 'zod';
import { SqlJobSubmission } from '../dli/api.js';
import { HuaweiCloudError } from '../errors.js';
import { SqlJobId } from '../inputs.js';
import { lazySchema } from '../lazy-schema.js';
import { type DetailTable, defineJobKind, fraction, text } from './types.js';

const SUB_JOB_COLUMNS = ['id', 'name', 'status', 'tasks done', 'tasks', 'failed tasks'];

/**
 * DLI SQL jobs: the progress API (seed 002), and the status API where progress answers DLI.0999.
 * Started by submitting a statement, stopped by cancelling it.
 */
export const dliSqlKind = defineJobKind({
  name: 'dli-sql',
  title: 'DLI SQL job',
  service: 'dli',
  description: 'A SQL job on Data Lake Insight',
  streaming: false,
  ref: lazySchema(() =>
    z.object({
      jobId: SqlJobId.describe('The SQL job id, a UUID such as 85798b38-ae44-48eb-bb90-7cf0dcdafe7b').meta({
        label: 'Job ID',
      }),
    }),
  ),
  statuses: {
    LAUNCHING: 'pending',
    RUNNING: 'running',
    SCALING: 'running',
    FINISHED: 'succeeded',
    FAILED: 'failed',
    CANCELLED: 'cancelled',
  },
  async fetch(client, ref, options) {
    try {
      const response = await client.dli.getSqlJobProgress(ref.jobId, options);
      const details: DetailTable[] = [];
      if (response.sub_jobs?.length) {
        details.push({
          title: 'Sub-jobs',
          columns: SUB_JOB_COLUMNS,
          rows: response.sub_jobs.map((s) => [
            s.id ?? null,
            s.name ?? null,
            s.status ?? null,
            s.num_completed_tasks ?? null,
            s.num_tasks ?? null,
            s.num_failed_tasks ?? null,
          ]),
        });
      }
      return {
        status: response.status,
        progress: response.status === 'FINISHED' ? 1 : fraction(response.progress),
        message: text(response.message),
        details,
        raw: response,
      };
    } catch (error) {
      // "The queue backend version is too old or the queue is busy": the status API still answers.
      if (!(error instanceof HuaweiCloudError && error.code === 'DLI.0999')) throw error;
      const response = await client.dli.getSqlJobStatus(ref.jobId, options);
      return {
        status: response.status,
        progress: response.status === 'FINISHED' ? 1 : undefined,
        // Its message can read like an error even when the job FINISHED: shown, never decided on.
        message: text(response.message),
        raw: response,
      };
    }
  },
  start: {
    spec: SqlJobSubmission,
    async start(client, spec, options) {
      const answer = await client.dli.submitSqlJob(spec, options);
      const ref = { jobId: answer.job_id };
      // DDL and DCL run synchronously: the answer is the outcome (a failure answers is_success false,
      // which the transport turns into an error), and the job may never be seen RUNNING.
      if (answer.job_mode !== 'sync') return { ref };
      return {
        ref,
        observation: { status: 'FINISHED', progress: 1, message: text(answer.message), raw: answer },
      };
    },
  },
  stop: {
    spec: lazySchema(() => z.strictObject({})),
    async stop(client, ref, _spec, options) {
      await client.dli.cancelSqlJob(ref.jobId, options);
    },
  },
});
