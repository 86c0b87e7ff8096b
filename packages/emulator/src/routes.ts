/**
 * The job APIs, told apart by method and path shape so that one base URL serves every service (the shapes
 * never collide: the method, the version prefix and the last segments differ). Routes are data; one
 * handler per route.
 */
import { decodeHeaderValue } from './auth.js';
import type { Answer } from './errors.js';
import {
  cdmBadRequest,
  cdmJobNotFound,
  dataArtsBadRequest,
  dataArtsInstanceNotFound,
  dataArtsJobNotFound,
  dliBadParameter,
  dliJobNotFound,
  dliQueueBusy,
  NO_CONTENT,
} from './errors.js';
import type { JobEntry, JobStore } from './jobs.js';
import { viewJob } from './jobs.js';
import { onStartSteps, STOP_STEPS, SYNC_SQL_STEPS, sqlJobType } from './lifecycle.js';
import {
  batchInstanceResponse,
  cdmStatusResponse,
  dataArtsStatusResponse,
  flinkDetailResponse,
  flinkListResponse,
  sqlProgressResponse,
  sqlStatusResponse,
} from './responses.js';
import type { Dialect, Job, OnStartRule } from './scenario.js';

export type RouteName =
  | 'dli.flink.detail'
  | 'dli.flink.list'
  | 'dli.flink.run'
  | 'dli.flink.stop'
  | 'dli.sql.progress'
  | 'dli.sql.status'
  | 'dli.sql.submit'
  | 'dli.sql.cancel'
  | 'dataarts.realtime.status'
  | 'dataarts.realtime.start'
  | 'dataarts.realtime.stop'
  | 'dataarts.batch.run'
  | 'dataarts.batch.instance'
  | 'dataarts.batch.stop'
  | 'cdm.job.status'
  | 'cdm.job.start'
  | 'cdm.job.stop';

export interface RouteMatch {
  name: RouteName;
  projectId: string;
  /** Decoded path parameters. */
  params: Record<string, string>;
}

interface RouteDef {
  name: RouteName;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `:name` segments are parameters; others must match exactly. */
  pattern: string[];
}

const FLINK_JOBS = ['v1.0', ':project_id', 'streaming', 'jobs'];
const DLF_JOB = ['v1', ':project_id', 'jobs', ':job_name'];
const CDM_JOB = ['v1.1', ':project_id', 'clusters', ':cluster_id', 'cdm', 'job', ':job_name'];

const ROUTES: RouteDef[] = [
  { name: 'dli.flink.list', method: 'GET', pattern: FLINK_JOBS },
  { name: 'dli.flink.detail', method: 'GET', pattern: [...FLINK_JOBS, ':job_id'] },
  { name: 'dli.flink.run', method: 'POST', pattern: [...FLINK_JOBS, 'run'] },
  { name: 'dli.flink.stop', method: 'POST', pattern: [...FLINK_JOBS, 'stop'] },
  { name: 'dli.sql.progress', method: 'GET', pattern: ['v1', ':project_id', 'jobs', ':job_id', 'progress'] },
  { name: 'dli.sql.status', method: 'GET', pattern: ['v1.0', ':project_id', 'jobs', ':job_id', 'status'] },
  { name: 'dli.sql.submit', method: 'POST', pattern: ['v1.0', ':project_id', 'jobs', 'submit-job'] },
  { name: 'dli.sql.cancel', method: 'DELETE', pattern: ['v1.0', ':project_id', 'jobs', ':job_id'] },
  { name: 'dataarts.realtime.status', method: 'GET', pattern: [...DLF_JOB, 'status'] },
  { name: 'dataarts.realtime.start', method: 'POST', pattern: [...DLF_JOB, 'start'] },
  { name: 'dataarts.realtime.stop', method: 'POST', pattern: [...DLF_JOB, 'stop'] },
  { name: 'dataarts.batch.run', method: 'POST', pattern: [...DLF_JOB, 'run-immediate'] },
  { name: 'dataarts.batch.instance', method: 'GET', pattern: [...DLF_JOB, 'instances', ':instance_id'] },
  { name: 'dataarts.batch.stop', method: 'POST', pattern: [...DLF_JOB, 'instances', ':instance_id', 'stop'] },
  { name: 'cdm.job.status', method: 'GET', pattern: [...CDM_JOB, 'status'] },
  { name: 'cdm.job.start', method: 'PUT', pattern: [...CDM_JOB, 'start'] },
  { name: 'cdm.job.stop', method: 'PUT', pattern: [...CDM_JOB, 'stop'] },
];

/** Splits a raw path into segments, each percent-decoded exactly once; undefined when malformed. */
export function decodePath(rawPath: string): string[] | undefined {
  if (!rawPath.startsWith('/')) return undefined;
  try {
    return rawPath
      .slice(1)
      .split('/')
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

/**
 * Matches the method and decoded segments against the routes; a trailing slash is a different path (the
 * gateway's canonical trailing slash is never sent), so it does not match.
 */
export function matchRoute(method: string, segments: readonly string[]): RouteMatch | undefined {
  for (const route of ROUTES) {
    if (route.method !== method || route.pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    route.pattern.forEach((part, i) => {
      const segment = segments[i] ?? '';
      if (part.startsWith(':')) {
        if (segment === '') ok = false;
        params[part.slice(1)] = segment;
      } else if (part !== segment) ok = false;
    });
    if (ok) return { name: route.name, projectId: params.project_id ?? '', params };
  }
  return undefined;
}

export interface RouteContext {
  store: JobStore;
  now: number;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The dialect of jobs that name none, and of answers about no job. */
  dialect: Dialect;
  /** The request body parsed as JSON; undefined when empty, INVALID_JSON when it is not JSON. */
  body: unknown;
  /** The scenario's lifecycles of started jobs. */
  onStart: readonly OnStartRule[];
  /** A fresh SQL job id (a UUID), from the seeded stream. */
  newJobId(): string;
}

export const INVALID_JSON = Symbol('invalid JSON');

type JsonObject = Record<string, unknown>;

/** The body as a JSON object (an empty body is an empty object), else undefined. */
function objectBody(ctx: RouteContext): JsonObject | undefined {
  if (ctx.body === undefined) return {};
  if (typeof ctx.body !== 'object' || ctx.body === null || Array.isArray(ctx.body)) return undefined;
  return ctx.body as JsonObject;
}

/** The `workspace` header (UTF-8 bytes read as UTF-8); undefined = the default workspace. */
function workspaceOf(ctx: RouteContext): string | undefined {
  const header = ctx.headers.workspace;
  const raw = Array.isArray(header) ? header[0] : header;
  return (raw === undefined ? undefined : decodeHeaderValue(raw).trim()) || undefined;
}

/** `jobParams` as the DataArts pages have it: a list of `{name, value}` with an optional type. */
function checkJobParams(body: JsonObject): Answer | undefined {
  const params = body.jobParams;
  if (params === undefined) return undefined;
  const valid =
    Array.isArray(params) &&
    params.every(
      (p) =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as JsonObject).name === 'string' &&
        ((p as JsonObject).name as string).length <= 64 &&
        typeof (p as JsonObject).value === 'string' &&
        ((p as JsonObject).value as string).length <= 1024,
    );
  return valid ? undefined : dataArtsBadRequest('The parameter jobParams is invalid.');
}

/** Statuses in which a Flink job runs (or is on its way to): a run is refused, a stop accepted. */
const FLINK_ACTIVE = new Set([
  'job_submitting',
  'job_downloading',
  'job_idle',
  'job_running',
  'job_savepointing',
  'job_arrearage_recovering',
  'job_cancel_fail',
]);
const SQL_ACTIVE = new Set(['LAUNCHING', 'RUNNING', 'SCALING']);
const CDM_ACTIVE = new Set(['BOOTING', 'NEW', 'PENDING', 'RUNNING']);
const BATCH_ACTIVE = new Set(['waiting', 'running', 'pause']);

/** The Flink run and stop APIs' `job_ids`: a non-empty list of integers. */
function flinkJobIds(ctx: RouteContext): number[] | Answer {
  const ids = objectBody(ctx)?.job_ids;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => Number.isSafeInteger(id))) {
    return dliBadParameter('The parameter job_ids is invalid: expected a list of job ids.');
  }
  return ids as number[];
}

function flinkAction(
  match: RouteMatch,
  ctx: RouteContext,
  act: (entry: JobEntry<Extract<Job, { kind: 'dli-flink' }>>, active: boolean) => string | undefined,
): Answer {
  const ids = flinkJobIds(ctx);
  if (!Array.isArray(ids)) return ids;
  // One entry per id, in order; a refusal is that entry's is_success false, under HTTP 200.
  return ok(
    ids.map((id) => {
      const entry = ctx.store.flink(match.projectId, id);
      if (!entry) return { is_success: 'false', message: `The job ${id} does not exist.` };
      const refusal = act(entry, FLINK_ACTIVE.has(viewJob(entry, ctx.now).step.status));
      return refusal
        ? { is_success: 'false', message: refusal }
        : { is_success: 'true', message: 'The request for the job is delivered successfully.' };
    }),
  );
}

function dialectOf(entry: Pick<JobEntry, 'job'>, ctx: RouteContext): Dialect {
  return entry.job.dialect ?? ctx.dialect;
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}

function intParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number | Answer {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    return dliBadParameter(
      `The parameter ${name} is invalid: ${raw} is not an integer from ${min} to ${max}.`,
    );
  }
  return value;
}

function optional(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === '' ? undefined : value;
}

const HANDLERS: Record<RouteName, (match: RouteMatch, ctx: RouteContext) => Answer> = {
  'dli.flink.detail': (match, ctx) => {
    const raw = match.params.job_id ?? '';
    const jobId = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(jobId)) {
      return dliBadParameter(`The parameter job_id is invalid: ${raw} is not an integer.`);
    }
    const entry = ctx.store.flink(match.projectId, jobId);
    if (!entry) return dliJobNotFound(raw);
    return ok(flinkDetailResponse(viewJob(entry, ctx.now), match.projectId, dialectOf(entry, ctx)));
  },

  'dli.flink.list': (match, ctx) => {
    const { query } = ctx;
    const limit = intParam(query, 'limit', 10, 1, 100);
    if (typeof limit !== 'number') return limit;
    const offset = intParam(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    if (typeof offset !== 'number') return offset;
    const order = optional(query, 'order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') {
      return dliBadParameter(`The parameter order is invalid: ${order} is neither asc nor desc.`);
    }
    const showDetail = optional(query, 'show_detail') ?? 'false';
    if (showDetail !== 'true' && showDetail !== 'false') {
      return dliBadParameter(`The parameter show_detail is invalid: ${showDetail} is not a boolean.`);
    }
    const name = optional(query, 'name');
    if (name !== undefined && name.length > 57) {
      return dliBadParameter('The parameter name is invalid: it is longer than 57 characters.');
    }
    // tags, root_job_id (root_id, as older clients send it) and sys_enterprise_project_name are
    // accepted; the scenario has no data to filter them on.
    return ok(
      flinkListResponse(
        ctx.store.flinkJobs(match.projectId),
        ctx.now,
        match.projectId,
        {
          status: optional(query, 'status'),
          name,
          jobType: optional(query, 'job_type'),
          queueName: optional(query, 'queue_name'),
          userName: optional(query, 'user_name'),
          order,
          offset,
          limit,
          showDetail: showDetail === 'true',
        },
        (job) => dialectOf({ job }, ctx),
      ),
    );
  },

  'dli.sql.progress': (match, ctx) => {
    const jobId = match.params.job_id ?? '';
    const entry = ctx.store.sql(match.projectId, jobId);
    if (!entry) return dliJobNotFound(jobId);
    if (entry.job.progressApi === 'unsupported') return dliQueueBusy();
    return ok(sqlProgressResponse(viewJob(entry, ctx.now), dialectOf(entry, ctx)));
  },

  'dli.sql.status': (match, ctx) => {
    const jobId = match.params.job_id ?? '';
    const entry = ctx.store.sql(match.projectId, jobId);
    if (!entry) return dliJobNotFound(jobId);
    return ok(sqlStatusResponse(viewJob(entry, ctx.now), dialectOf(entry, ctx)));
  },

  'dataarts.realtime.status': (match, ctx) => {
    const entry = ctx.store.dataArts(match.projectId, match.params.job_name ?? '', workspaceOf(ctx));
    if (!entry) return dataArtsJobNotFound();
    return ok(dataArtsStatusResponse(viewJob(entry, ctx.now), dialectOf(entry, ctx)));
  },

  'cdm.job.status': (match, ctx) => {
    const jobName = match.params.job_name ?? '';
    const entry = ctx.store.cdm(match.projectId, match.params.cluster_id ?? '', jobName);
    if (!entry) return cdmJobNotFound(jobName, ctx.dialect);
    return ok(cdmStatusResponse(viewJob(entry, ctx.now), dialectOf(entry, ctx)));
  },

  'dli.sql.submit': (match, ctx) => {
    const body = objectBody(ctx);
    const sql = body?.sql;
    if (typeof sql !== 'string' || sql.trim() === '') {
      return dliBadParameter('The parameter sql is invalid: a SQL statement is required.');
    }
    const { jobType, jobMode } = sqlJobType(sql);
    const steps = onStartSteps('dli-sql', undefined, ctx.onStart, sql);
    const jobId = ctx.newJobId();
    const queueName = typeof body?.queue_name === 'string' ? body.queue_name : undefined;
    const databaseName = typeof body?.currentdb === 'string' ? body.currentdb : undefined;
    // A synchronous statement is over when its submit answers: it takes its lifecycle's last state.
    const final = steps.at(-1) ?? SYNC_SQL_STEPS[0];
    const job: Job = {
      kind: 'dli-sql',
      jobId,
      projectId: match.projectId,
      jobType,
      jobMode,
      statement: sql,
      ...(queueName === undefined ? {} : { queueName }),
      ...(databaseName === undefined ? {} : { databaseName }),
      steps: jobMode === 'sync' && final ? [{ ...final, durationMs: undefined }] : steps,
    };
    ctx.store.add([job], ctx.now);
    const failed = jobMode === 'sync' && final?.status !== 'FINISHED';
    return ok({
      is_success: !failed,
      message: failed ? (final?.message ?? 'The statement failed.') : '',
      job_id: jobId,
      job_type: jobType,
      job_mode: jobMode,
      ...(jobMode === 'sync' ? { schema: [], rows: [] } : {}),
    });
  },

  'dli.sql.cancel': (match, ctx) => {
    const jobId = match.params.job_id ?? '';
    const entry = ctx.store.sql(match.projectId, jobId);
    if (!entry) return dliJobNotFound(jobId);
    if (!SQL_ACTIVE.has(viewJob(entry, ctx.now).step.status)) {
      // Only a job that has not finished can be cancelled: DLI says so with is_success false.
      return ok({ is_success: false, message: `The job ${jobId} has finished and cannot be cancelled.` });
    }
    ctx.store.continueWith(entry, STOP_STEPS['dli-sql'], ctx.now);
    return ok({ is_success: true, message: '' });
  },

  'dli.flink.run': (match, ctx) =>
    flinkAction(match, ctx, (entry, active) => {
      if (active) return `The job ${entry.job.jobId} is running and cannot be started again.`;
      ctx.store.restart(entry, onStartSteps('dli-flink', entry.job.onStart, ctx.onStart), ctx.now);
      return undefined;
    }),

  'dli.flink.stop': (match, ctx) =>
    flinkAction(match, ctx, (entry, active) => {
      if (!active) return `The job ${entry.job.jobId} is not running and cannot be stopped.`;
      ctx.store.continueWith(entry, STOP_STEPS['dli-flink'], ctx.now);
      return undefined;
    }),

  'dataarts.realtime.start': (match, ctx) => {
    const body = objectBody(ctx);
    if (!body) return dataArtsBadRequest('The request body is invalid.');
    const bad = checkJobParams(body);
    if (bad) return bad;
    const entry = ctx.store.dataArts(match.projectId, match.params.job_name ?? '', workspaceOf(ctx));
    if (!entry) return dataArtsJobNotFound();
    ctx.store.restart(entry, onStartSteps('dataarts-realtime', entry.job.onStart, ctx.onStart), ctx.now);
    return NO_CONTENT;
  },

  'dataarts.realtime.stop': (match, ctx) => {
    const entry = ctx.store.dataArts(match.projectId, match.params.job_name ?? '', workspaceOf(ctx));
    if (!entry) return dataArtsJobNotFound();
    ctx.store.continueWith(entry, STOP_STEPS['dataarts-realtime'], ctx.now);
    return NO_CONTENT;
  },

  'dataarts.batch.run': (match, ctx) => {
    const body = objectBody(ctx);
    if (!body) return dataArtsBadRequest('The request body is invalid.');
    const bad = checkJobParams(body);
    if (bad) return bad;
    const runs = ctx.store.batchRuns(match.projectId, match.params.job_name ?? '', workspaceOf(ctx));
    const template = runs.at(-1)?.job;
    if (!template) return dataArtsJobNotFound();
    const instanceId =
      1 +
      Math.max(0, ...ctx.store.all().map((e) => (e.job.kind === 'dataarts-batch' ? e.job.instanceId : 0)));
    const { createdAt: _created, description: _description, ...definition } = template;
    ctx.store.add(
      [
        {
          ...definition,
          instanceId,
          // A one-off run, as the instance list names it.
          instanceType: 7,
          steps: onStartSteps('dataarts-batch', template.onStart, ctx.onStart),
        },
      ],
      ctx.now,
    );
    return ok({ instanceId });
  },

  'dataarts.batch.instance': (match, ctx) => {
    const found = batchRun(match, ctx);
    if (!('job' in found)) return found;
    return ok(batchInstanceResponse(viewJob(found, ctx.now)));
  },

  'dataarts.batch.stop': (match, ctx) => {
    const found = batchRun(match, ctx);
    if (!('job' in found)) return found;
    // A run that has ended stays as it ended.
    if (BATCH_ACTIVE.has(viewJob(found, ctx.now).step.status)) {
      ctx.store.continueWith(found, STOP_STEPS['dataarts-batch'], ctx.now);
    }
    return NO_CONTENT;
  },

  'cdm.job.start': (match, ctx) => {
    const body = objectBody(ctx);
    const variables = body?.variables;
    if (
      !body ||
      (variables !== undefined &&
        (typeof variables !== 'object' || variables === null || Array.isArray(variables)))
    ) {
      return cdmBadRequest('The parameter variables is invalid.', ctx.dialect);
    }
    const jobName = match.params.job_name ?? '';
    const entry = ctx.store.cdm(match.projectId, match.params.cluster_id ?? '', jobName);
    if (!entry) return cdmJobNotFound(jobName, ctx.dialect);
    ctx.store.restart(entry, onStartSteps('cdm', entry.job.onStart, ctx.onStart), ctx.now);
    // The answer is the new submission, as the status API shows it.
    return ok(cdmStatusResponse(viewJob(entry, ctx.now), dialectOf(entry, ctx)));
  },

  'cdm.job.stop': (match, ctx) => {
    const jobName = match.params.job_name ?? '';
    const entry = ctx.store.cdm(match.projectId, match.params.cluster_id ?? '', jobName);
    if (!entry) return cdmJobNotFound(jobName, ctx.dialect);
    if (!CDM_ACTIVE.has(viewJob(entry, ctx.now).step.status)) {
      // The stop answers its checks; the refusal is an ERROR among them.
      return ok({ 'validation-result': [{ status: 'ERROR', message: `Job ${jobName} is not running.` }] });
    }
    ctx.store.continueWith(entry, STOP_STEPS.cdm, ctx.now);
    return ok({ 'validation-result': [] });
  },
};

/** The batch run a path names, or the service's error: the job first (DLF.0100), then the run (DLF.0137). */
function batchRun(
  match: RouteMatch,
  ctx: RouteContext,
): JobEntry<Extract<Job, { kind: 'dataarts-batch' }>> | Answer {
  const runs = ctx.store.batchRuns(match.projectId, match.params.job_name ?? '', workspaceOf(ctx));
  if (runs.length === 0) return dataArtsJobNotFound();
  const raw = match.params.instance_id ?? '';
  const id = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  return runs.find((e) => e.job.instanceId === id) ?? dataArtsInstanceNotFound();
}

export function handleRoute(match: RouteMatch, ctx: RouteContext): Answer {
  return HANDLERS[match.name](match, ctx);
}
