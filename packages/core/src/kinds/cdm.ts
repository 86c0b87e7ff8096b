import { z } from 'zod';
import { safeStringify } from '../bounded.js';
import { type CdmSubmission, CdmVariables, SQOOP_COUNTERS_KEY } from '../cdm/schemas.js';
import { HuaweiCloudError } from '../errors.js';
import { ClusterId, JobName } from '../inputs.js';
import { lazySchema } from '../lazy-schema.js';
import {
  type DetailTable,
  defineJobKind,
  fraction,
  type Observation,
  type Phase,
  phaseOf,
  text,
} from './types.js';

const statuses: Record<string, Phase> = {
  NEW: 'pending',
  PENDING: 'pending',
  BOOTING: 'pending',
  NEVER_EXECUTED: 'pending',
  RUNNING: 'running',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  FAILURE_ON_SUBMIT: 'failed',
  STOPPED: 'cancelled',
  // Documented, but it says nothing: keep waiting, never a verdict.
  UNKNOWN: 'unknown',
};

/**
 * Several submissions: failed if any failed, running while any runs, and
 * succeeded only when every one did. The submission that decided is the one
 * whose status and message are shown.
 */
export function aggregateSubmissions(submissions: readonly CdmSubmission[]): {
  phase: Phase;
  decisive: CdmSubmission | undefined;
} {
  const phased = submissions.map((s) => ({ s, phase: phaseOf({ statuses }, s.status) }));
  const first = (...phases: Phase[]) => phased.find((p) => phases.includes(p.phase));
  const decided =
    first('failed') ??
    first('running') ??
    first('pending') ??
    first('unknown') ??
    first('cancelled') ??
    first('succeeded');
  // No submission at all: the job exists but has not been run.
  return { phase: decided?.phase ?? 'pending', decisive: decided?.s };
}

function counterTable(submissions: readonly CdmSubmission[]): DetailTable[] {
  const rows = submissions.flatMap((s) => {
    const counters = s.counters?.[SQOOP_COUNTERS_KEY];
    return counters
      ? Object.entries(counters).map(([name, value]) => [
          name,
          typeof value === 'number'
            ? value
            : typeof value === 'string'
              ? value
              : safeStringify(value, { maxLength: 200 }),
        ])
      : [];
  });
  return rows.length ? [{ title: 'Counters', columns: ['counter', 'value'], rows }] : [];
}

const ref = lazySchema(() =>
  z.object({
    clusterId: ClusterId.describe('The CDM cluster id, a UUID').meta({ label: 'Cluster ID' }),
    jobName: JobName.describe('The migration job name').meta({ label: 'Job name' }),
  }),
);

/** CDM migration jobs (seed 004): started (a new submission) and stopped by cluster and name. */
export const cdmKind = defineJobKind({
  name: 'cdm',
  title: 'CDM migration job',
  service: 'cdm',
  description: 'A data migration job on a Cloud Data Migration cluster',
  streaming: false,
  ref,
  statuses,
  async fetch(client, ref, options): Promise<Observation> {
    const response = await client.cdm.getJobStatus(ref.clusterId, ref.jobName, options);
    const { phase, decisive } = aggregateSubmissions(response.submissions);
    return {
      status: decisive?.status ?? 'NEVER_EXECUTED',
      phase,
      // CDM reports 0..100, and -1 on failure.
      progress: phase === 'succeeded' ? 1 : fraction(decisive?.progress, 100),
      message: text(decisive?.['error-summary']) ?? text(decisive?.['error-details']),
      details: counterTable(response.submissions),
      raw: response,
    };
  },
  start: {
    spec: lazySchema(() =>
      z.strictObject({
        ...ref.shape,
        variables: CdmVariables.optional()
          .describe('Variables of this run, as name=value pairs')
          .meta({ label: 'Variables' }),
      }),
    ),
    async start(client, spec, options) {
      await client.cdm.startJob(spec.clusterId, spec.jobName, { ...options, variables: spec.variables });
      return { ref: { clusterId: spec.clusterId, jobName: spec.jobName } };
    },
  },
  stop: {
    spec: lazySchema(() => z.strictObject({})),
    async stop(client, ref, _spec, options) {
      const answer = await client.cdm.stopJob(ref.clusterId, ref.jobName, options);
      // The stop answers its checks; an ERROR among them is a refusal.
      const refused = (answer['validation-result'] ?? []).find((r) => r.status?.toUpperCase() === 'ERROR');
      if (refused) {
        throw new HuaweiCloudError({
          status: 200,
          code: 'Cdm.STOP_REFUSED',
          message: text(refused.message ?? undefined) ?? 'the stop was refused and no message was given',
          service: 'cdm',
          retryable: false,
        });
      }
    },
  },
});
