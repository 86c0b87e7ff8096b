import { z } from 'zod';
import { safeStringify } from '../bounded.js';
import { type CdmSubmission, SQOOP_COUNTERS_KEY } from '../cdm/schemas.js';
import { ClusterId, JobName } from '../inputs.js';
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

/** CDM migration jobs (seed 004). */
export const cdmKind = defineJobKind({
  name: 'cdm',
  title: 'CDM migration job',
  service: 'cdm',
  description: 'A data migration job on a Cloud Data Migration cluster',
  streaming: false,
  ref: z.object({
    clusterId: ClusterId.describe('The CDM cluster id, a UUID').meta({ label: 'Cluster ID' }),
    jobName: JobName.describe('The migration job name').meta({ label: 'Job name' }),
  }),
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
});
