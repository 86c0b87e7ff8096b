/**
 * What a start or a stop sets a job playing. A start plays, first found: the job's own `onStart`, the
 * scenario's first `onStart` rule for its kind (for SQL, the first whose `statement` pattern matches,
 * else the first without one), else a plausible default. A stop moves the job through the documented
 * stopping states to its stopped state.
 */
import type { Job, OnStartRule } from './scenario.js';

type StepsOf<K extends Job['kind']> = Extract<Job, { kind: K }>['steps'];
type Lifecycles = { [K in Job['kind']]: StepsOf<K> };

/** About a minute or two of emulator time per started job. */
export const DEFAULT_ON_START: Lifecycles = {
  'dli-sql': [
    { status: 'LAUNCHING', durationMs: 20_000 },
    { status: 'RUNNING', durationMs: 70_000, progress: 0 },
    { status: 'FINISHED' },
  ],
  'dli-flink': [{ status: 'job_submitting', durationMs: 30_000 }, { status: 'job_running' }],
  'dataarts-realtime': [{ status: 'STARTING', durationMs: 30_000 }, { status: 'NORMAL' }],
  'dataarts-batch': [
    { status: 'waiting', durationMs: 10_000 },
    { status: 'running', durationMs: 60_000 },
    { status: 'success' },
  ],
  cdm: [
    { status: 'BOOTING', durationMs: 20_000 },
    { status: 'RUNNING', durationMs: 70_000, progress: 0 },
    { status: 'SUCCEEDED' },
  ],
};

/** A statement that runs synchronously (DDL, DCL) is over when its submit answers. */
export const SYNC_SQL_STEPS: StepsOf<'dli-sql'> = [{ status: 'FINISHED' }];

export const STOP_STEPS: Lifecycles = {
  'dli-sql': [{ status: 'CANCELLED', message: 'The job was cancelled.' }],
  'dli-flink': [{ status: 'job_canceling', durationMs: 10_000 }, { status: 'job_cancel_success' }],
  'dataarts-realtime': [{ status: 'STOPPING', durationMs: 10_000 }, { status: 'STOPPED' }],
  'dataarts-batch': [{ status: 'manual-stop' }],
  cdm: [{ status: 'STOPPED' }],
};

/** The steps a start of `job` (of its kind) plays; `statement` is a submitted SQL statement. */
export function onStartSteps<K extends Job['kind']>(
  kind: K,
  own: StepsOf<K> | undefined,
  rules: readonly OnStartRule[],
  statement?: string,
): StepsOf<K> {
  if (own) return own;
  const ofKind = rules.filter((r) => r.kind === kind);
  const matching =
    statement === undefined
      ? undefined
      : ofKind.find(
          (r) =>
            'statement' in r && r.statement !== undefined && new RegExp(r.statement, 'i').test(statement),
        );
  const general = ofKind.find((r) => !('statement' in r) || r.statement === undefined);
  return ((matching ?? general)?.steps ?? DEFAULT_ON_START[kind]) as StepsOf<K>;
}

/** DLI's job types from a statement's first word; DDL and DCL run synchronously. */
export function sqlJobType(statement: string): { jobType: string; jobMode: 'sync' | 'async' } {
  const word = /^\s*(?:--[^\n]*\n\s*)*([A-Za-z]+)/.exec(statement)?.[1]?.toUpperCase() ?? '';
  if (['SELECT', 'WITH', 'VALUES'].includes(word)) return { jobType: 'QUERY', jobMode: 'async' };
  if (['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(word)) return { jobType: 'INSERT', jobMode: 'async' };
  if (word === 'LOAD') return { jobType: 'IMPORT', jobMode: 'async' };
  if (word === 'EXPORT') return { jobType: 'EXPORT', jobMode: 'async' };
  if (['GRANT', 'REVOKE'].includes(word)) return { jobType: 'DCL', jobMode: 'sync' };
  return { jobType: 'DDL', jobMode: 'sync' };
}
