import { z } from 'zod';
import type { CallOptions } from '../api-context.js';
import type { JobGateClient } from '../client.js';
import type { ServiceName } from '../endpoints.js';
import { lazySchema } from '../lazy-schema.js';

/**
 * One state model for every kind of job. `pending` and `running` keep a wait
 * going; `succeeded`, `failed` and `cancelled` end it; `unknown` (a status no
 * document describes) keeps it going and is never read as success.
 */
export const PHASES = ['pending', 'running', 'succeeded', 'failed', 'cancelled', 'unknown'] as const;
export const Phase = lazySchema(() => z.enum(PHASES));
export type Phase = z.infer<typeof Phase>;

export const TERMINAL_PHASES: readonly Phase[] = ['succeeded', 'failed', 'cancelled'];
export const isTerminal = (phase: Phase): boolean => TERMINAL_PHASES.includes(phase);

/** A small table a kind offers for summaries: sub-jobs, counters, nodes. */
export const DetailTable = lazySchema(() =>
  z.object({
    title: z.string(),
    columns: z.array(z.string()),
    rows: z.array(z.array(z.union([z.string(), z.number(), z.null()]))),
    /**
     * ISO time the table was read: a face that shows a table from an earlier read beside a later state
     * (a finished DLI SQL job lists no sub-jobs) can say it is what was last seen, not what is now.
     */
    observedAt: z.string().optional(),
  }),
);
export type DetailTable = z.infer<typeof DetailTable>;

export const JobState = lazySchema(() =>
  z.object({
    kind: z.string(),
    /** The job's identity as its kind names it (e.g. { jobId: 104 }). */
    ref: z.record(z.string(), z.unknown()),
    phase: Phase,
    /** The service's own status word, as sent. */
    status: z.string(),
    /**
     * 0 to 1, where the service reports progress. A job that ended without one (a failed CDM job
     * answers -1) keeps, in a wait, the last progress it reported.
     */
    progress: z.number().min(0).max(1).optional(),
    message: z.string().optional(),
    /** ISO time the state was read. */
    observedAt: z.string(),
    details: z.array(DetailTable).optional(),
    /** The validated response the state was read from. */
    raw: z.unknown(),
  }),
);
export type JobState = z.infer<typeof JobState>;

/** What a kind reads from its service; the phase follows from its status table unless the kind decides it. */
export interface Observation {
  status: string;
  phase?: Phase;
  progress?: number | undefined;
  message?: string | undefined;
  details?: DetailTable[];
  raw: unknown;
}

export interface JobKindField {
  /** The field's key in the job reference (camelCase, e.g. jobId). */
  key: string;
  /** How the Action names this input (snake_case, like Huawei's own actions). */
  input: string;
  label: string;
  description: string;
  required: boolean;
  /** A value that runs to many lines (a SQL statement): a face may offer a text area or a file. */
  multiline: boolean;
}

/** What a start answers: the reference of what was started, and the state when the answer is already final. */
export interface Started<RefValue> {
  ref: RefValue;
  /** A start whose answer is the outcome (a DDL statement runs synchronously): the state it gives. */
  observation?: Observation;
}

/**
 * How a kind starts a job: from a start spec (its fields described and labelled like the reference's,
 * checked before any request) to the reference of what was started. A start is sent once: it is not
 * idempotent, a second one is a second job.
 */
export interface JobKindStart<Spec extends z.ZodObject = z.ZodObject, RefValue = Record<string, unknown>> {
  spec: Spec;
  start(client: JobGateClient, spec: z.output<Spec>, options: CallOptions): Promise<Started<RefValue>>;
}

/**
 * How a kind stops a job, from its reference and the stop's own options (`spec`, such as a savepoint
 * to take first; an empty object when there are none).
 */
export interface JobKindStop<Spec extends z.ZodObject = z.ZodObject, RefValue = Record<string, unknown>> {
  spec: Spec;
  stop(client: JobGateClient, ref: RefValue, spec: z.output<Spec>, options: CallOptions): Promise<void>;
}

/**
 * Everything the wait loop, the Action and the Node-RED wait node need to
 * know about one kind of job. Adding a kind means adding one such file.
 */
export interface JobKind<
  Ref extends z.ZodObject = z.ZodObject,
  Name extends string = string,
  StartSpec extends z.ZodObject = z.ZodObject,
  StopSpec extends z.ZodObject = z.ZodObject,
> {
  name: Name;
  title: string;
  service: ServiceName;
  description: string;
  /** Streaming jobs never finish: waiting on one usually means "until running". */
  streaming: boolean;
  /** The job's identity; its fields have descriptions. */
  ref: Ref;
  /** Every documented raw status and its phase. Anything else is `unknown`. */
  statuses: Readonly<Record<string, Phase>>;
  fetch(client: JobGateClient, ref: z.output<Ref>, options: CallOptions): Promise<Observation>;
  /**
   * Reads many jobs of this kind at once (a list API), for waits that run
   * side by side. Returns what it found, keyed by `batchKey`; whatever it did
   * not find is read one by one with `fetch`.
   */
  fetchMany?(
    client: JobGateClient,
    refs: readonly z.output<Ref>[],
    options: CallOptions,
  ): Promise<Map<string, Observation>>;
  /** The key of a reference in `fetchMany`'s answer. */
  batchKey?(ref: z.output<Ref>): string;
  /** How a job of this kind is started; absent when the service cannot start one. */
  start?: JobKindStart<StartSpec, z.output<Ref>>;
  /** How a job of this kind is stopped; absent when the service cannot stop one. */
  stop?: JobKindStop<StopSpec, z.output<Ref>>;
}

export function defineJobKind<
  Ref extends z.ZodObject,
  const Name extends string,
  StartSpec extends z.ZodObject = z.ZodObject,
  StopSpec extends z.ZodObject = z.ZodObject,
>(kind: JobKind<Ref, Name, StartSpec, StopSpec>): JobKind<Ref, Name, StartSpec, StopSpec> {
  return kind;
}

export function phaseOf(kind: Pick<JobKind, 'statuses'>, status: string | null | undefined): Phase {
  if (!status) return 'unknown';
  return Object.hasOwn(kind.statuses, status) ? (kind.statuses[status] as Phase) : 'unknown';
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The identity fields of a kind, for forms and input lists. */
export function fieldsOf(kind: Pick<JobKind, 'ref'>): JobKindField[] {
  return schemaFields(kind.ref);
}

/** The fields of a kind's start spec (none when it cannot start a job), for forms and input lists. */
export function startFieldsOf(kind: Pick<JobKind, 'start'>): JobKindField[] {
  return kind.start ? schemaFields(kind.start.spec) : [];
}

/** The fields of a kind's stop options beyond its reference (none when it cannot stop a job or takes none). */
export function stopFieldsOf(kind: Pick<JobKind, 'stop'>): JobKindField[] {
  return kind.stop ? schemaFields(kind.stop.spec) : [];
}

function schemaFields(schema: z.ZodObject): JobKindField[] {
  return Object.entries(schema.shape).map(([key, schema]) => {
    const s = schema as z.ZodType;
    const meta = (s.meta?.() ?? {}) as { label?: string; multiline?: boolean };
    return {
      key,
      input: snake(key),
      label: meta.label ?? key,
      description: s.description ?? '',
      required: !s.safeParse(undefined).success,
      multiline: meta.multiline === true,
    };
  });
}

/**
 * Clamps a reported progress into 0..1, to four decimals (75.1 of 100 is 0.751, not
 * 0.7509999999999999); anything unreadable is no progress.
 */
export function fraction(value: number | null | undefined, scale = 1): number | undefined {
  if (value === null || value === undefined || !Number.isFinite(value) || value < 0) return undefined;
  return Math.min(1, Math.round((value / scale) * 10_000) / 10_000);
}

export const text = (value: string | null | undefined): string | undefined =>
  value?.trim() ? value.trim() : undefined;
