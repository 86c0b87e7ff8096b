import { z } from 'zod';
import type { CallOptions } from '../api-context.js';
import type { JobGateClient } from '../client.js';
import { InputError } from '../errors.js';
import { check } from '../inputs.js';
import { lazySchema } from '../lazy-schema.js';
import { observe } from './batch.js';
import { cdmKind } from './cdm.js';
import { dataartsBatchKind } from './dataarts-batch.js';
import { dataartsRealtimeKind } from './dataarts-realtime.js';
import { dliFlinkKind } from './dli-flink.js';
import { dliSqlKind } from './dli-sql.js';
import { type JobKind, type JobState, type Observation, phaseOf } from './types.js';

/** The table of job kinds: the wait loop, the Action and the Node-RED wait node all work from it. */
export const JOB_KINDS = [
  dliFlinkKind,
  dliSqlKind,
  dataartsRealtimeKind,
  dataartsBatchKind,
  cdmKind,
] as const;
export type JobKindName = (typeof JOB_KINDS)[number]['name'];
export const JOB_KIND_NAMES = JOB_KINDS.map((k) => k.name) as readonly string[];

function refSchemaOf<Ref extends z.ZodObject, Name extends string>(kind: JobKind<Ref, Name>) {
  return kind.ref.extend({ kind: z.literal(kind.name) });
}

/** A job's identity: its kind's name plus the kind's reference fields. */
export const JobRef = lazySchema(() =>
  z.discriminatedUnion('kind', [
    refSchemaOf(dliFlinkKind),
    refSchemaOf(dliSqlKind),
    refSchemaOf(dataartsRealtimeKind),
    refSchemaOf(dataartsBatchKind),
    refSchemaOf(cdmKind),
  ]),
);
export type JobRef = z.input<typeof JobRef>;

function startSchemaOf<Spec extends z.ZodObject, Name extends string>(kind: {
  name: Name;
  start?: { spec: Spec } | undefined;
}) {
  if (!kind.start) throw new Error(`${kind.name} declares no start`);
  return kind.start.spec.extend({ kind: z.literal(kind.name) });
}

/** What starts a job: its kind's name plus the kind's start spec fields (see each kind's `start.spec`). */
export const JobStartSpec = lazySchema(() =>
  z.discriminatedUnion('kind', [
    startSchemaOf(dliFlinkKind),
    startSchemaOf(dliSqlKind),
    startSchemaOf(dataartsRealtimeKind),
    startSchemaOf(dataartsBatchKind),
    startSchemaOf(cdmKind),
  ]),
);
export type JobStartSpec = z.input<typeof JobStartSpec>;

/** What stops a job: its reference, plus the kind's stop options where it has any (a Flink savepoint). */
export type JobStopRequest = JobRef & Record<string, unknown>;

export function getJobKind(name: string): JobKind {
  const kind = JOB_KINDS.find((k) => k.name === name);
  if (!kind)
    throw new InputError(
      'kind',
      `unknown job kind ${JSON.stringify(name)}; expected one of ${JOB_KIND_NAMES.join(', ')}`,
    );
  return kind as unknown as JobKind;
}

function kindOf(input: unknown): { kind: JobKind; fields: Record<string, unknown> } {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new InputError('kind', `expected an object naming its kind, one of ${JOB_KIND_NAMES.join(', ')}`);
  const { kind: kindName, ...fields } = input as Record<string, unknown>;
  return { kind: getJobKind(typeof kindName === 'string' ? kindName : String(kindName)), fields };
}

/** Checks fields against one of a kind's schemas; the error names the bad field and what it got. */
function parseFields(
  kind: JobKind,
  schema: z.ZodType,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const result = check(schema, fields);
  if (result.ok) return result.data as Record<string, unknown>;
  const unknownKey = result.issue?.code === 'unrecognized_keys' ? result.issue.keys[0] : undefined;
  if (unknownKey !== undefined) throw new InputError(unknownKey, `not a field of a ${kind.title}`);
  const key = result.path.map(String).join('.') || 'ref';
  throw new InputError(
    key,
    `${result.message} for a ${kind.title}${result.got === undefined ? '' : ` (got ${result.got})`}`,
  );
}

/** Checks a reference against its kind's schema; the error names the bad field. */
export function parseJobRef(input: unknown): { kind: JobKind; ref: Record<string, unknown> } {
  const { kind, fields } = kindOf(input);
  return { kind, ref: parseFields(kind, kind.ref, fields) };
}

/** Checks a start spec against its kind's; the error names the bad field. Kinds that cannot start a job say so. */
export function parseStartSpec(input: unknown): { kind: JobKind; spec: Record<string, unknown> } {
  const { kind, fields } = kindOf(input);
  if (!kind.start) throw new InputError('kind', `a ${kind.title} cannot be started`);
  return { kind, spec: parseFields(kind, kind.start.spec, fields) };
}

/** Checks a kind's stop options (a Flink savepoint); the error names the bad field. */
export function parseStopOptions(kind: JobKind, options: Record<string, unknown>): Record<string, unknown> {
  if (!kind.stop) throw new InputError('kind', `a ${kind.title} cannot be stopped`);
  return parseFields(kind, kind.stop.spec, options);
}

/** Checks a stop request: the kind's reference fields, then its stop options. */
export function parseStopRequest(input: unknown): {
  kind: JobKind;
  ref: Record<string, unknown>;
  options: Record<string, unknown>;
} {
  const { kind, fields } = kindOf(input);
  if (!kind.stop) throw new InputError('kind', `a ${kind.title} cannot be stopped`);
  const optionKeys = new Set(Object.keys(kind.stop.spec.shape));
  const refFields = Object.fromEntries(Object.entries(fields).filter(([k]) => !optionKeys.has(k)));
  const optionFields = Object.fromEntries(Object.entries(fields).filter(([k]) => optionKeys.has(k)));
  return {
    kind,
    ref: parseFields(kind, kind.ref.strict(), refFields),
    options: parseStopOptions(kind, optionFields),
  };
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
  return readJobState(client, kind, ref, options);
}

/** `getJobState` for a reference already checked by `parseJobRef` (a wait reads the same job many times). */
export function readJobState(
  client: JobGateClient,
  kind: JobKind,
  ref: Record<string, unknown>,
  options: CallOptions & { batch?: boolean } = {},
): Promise<JobState> {
  // Not an async function: one suspended frame fewer for each read waiting on its request.
  try {
    return observe(client, kind, ref, options).then((observation) => stateFrom(kind, ref, observation));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** A job's state from what its kind observed: the phase from the kind's status table unless it decided. */
export function stateFrom(kind: JobKind, ref: Record<string, unknown>, observation: Observation): JobState {
  const observedAt = new Date().toISOString();
  return {
    kind: kind.name,
    ref,
    phase: observation.phase ?? phaseOf(kind, observation.status),
    status: observation.status,
    ...(observation.progress !== undefined ? { progress: observation.progress } : {}),
    ...(observation.message !== undefined ? { message: observation.message } : {}),
    observedAt,
    ...(observation.details?.length
      ? { details: observation.details.map((table) => ({ ...table, observedAt })) }
      : {}),
    raw: observation.raw,
  };
}
