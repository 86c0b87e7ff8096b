import { z } from 'zod';
import type { CallOptions } from '../api-context.js';
import type { JobGateClient } from '../client.js';
import { InputError } from '../errors.js';
import { observe } from './batch.js';
import { cdmKind } from './cdm.js';
import { dataartsRealtimeKind } from './dataarts-realtime.js';
import { dliFlinkKind } from './dli-flink.js';
import { dliSqlKind } from './dli-sql.js';
import { type JobKind, type JobState, phaseOf } from './types.js';

/** The table of job kinds: the wait loop, the Action and the Node-RED wait node all work from it. */
export const JOB_KINDS = [dliFlinkKind, dliSqlKind, dataartsRealtimeKind, cdmKind] as const;
export type JobKindName = (typeof JOB_KINDS)[number]['name'];
export const JOB_KIND_NAMES = JOB_KINDS.map((k) => k.name) as readonly string[];

function refSchemaOf<Ref extends z.ZodObject, Name extends string>(kind: JobKind<Ref, Name>) {
  return kind.ref.extend({ kind: z.literal(kind.name) });
}

/** A job's identity: its kind's name plus the kind's reference fields. */
export const JobRef = z.discriminatedUnion('kind', [
  refSchemaOf(dliFlinkKind),
  refSchemaOf(dliSqlKind),
  refSchemaOf(dataartsRealtimeKind),
  refSchemaOf(cdmKind),
]);
export type JobRef = z.input<typeof JobRef>;

export function getJobKind(name: string): JobKind {
  const kind = JOB_KINDS.find((k) => k.name === name);
  if (!kind)
    throw new InputError(
      'kind',
      `unknown job kind ${JSON.stringify(name)}; expected one of ${JOB_KIND_NAMES.join(', ')}`,
    );
  return kind as unknown as JobKind;
}

/** Checks a reference against its kind's schema; the error names the bad field. */
export function parseJobRef(input: unknown): { kind: JobKind; ref: Record<string, unknown> } {
  const kindName = (input as { kind?: unknown } | null)?.kind;
  const kind = getJobKind(typeof kindName === 'string' ? kindName : String(kindName));
  const { kind: _omit, ...fields } = input as Record<string, unknown>;
  const result = kind.ref.safeParse(fields);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? 'ref');
    const got = fields[key];
    throw new InputError(
      key,
      `${issue?.message ?? 'invalid'} for a ${kind.title} (got ${got === undefined ? 'nothing' : JSON.stringify(got)})`,
    );
  }
  return { kind, ref: result.data as Record<string, unknown> };
}

/**
 * Reads a job's state once: its kind fetches, its status table classifies.
 * With `batch`, reads of the same kind on the same client that come together
 * share one request where the kind can read many jobs at once.
 */
export async function getJobState(
  client: JobGateClient,
  input: JobRef,
  options: CallOptions & { batch?: boolean } = {},
): Promise<JobState> {
  const { kind, ref } = parseJobRef(input);
  const observation = await observe(client, kind, ref, options);
  return {
    kind: kind.name,
    ref,
    phase: observation.phase ?? phaseOf(kind, observation.status),
    status: observation.status,
    ...(observation.progress !== undefined ? { progress: observation.progress } : {}),
    ...(observation.message !== undefined ? { message: observation.message } : {}),
    observedAt: new Date().toISOString(),
    ...(observation.details?.length ? { details: observation.details } : {}),
    raw: observation.raw,
  };
}
