/**
 * The six job APIs, told apart by path shape so that one base URL serves every service (the shapes never
 * collide: the version prefix and the last segment differ). Routes are data; one handler per route.
 */
import { decodeHeaderValue } from './auth.js';
import type { Answer } from './errors.js';
import {
  cdmJobNotFound,
  dataArtsJobNotFound,
  dliBadParameter,
  dliJobNotFound,
  dliQueueBusy,
} from './errors.js';
import type { JobEntry, JobStore } from './jobs.js';
import { viewJob } from './jobs.js';
import {
  cdmStatusResponse,
  dataArtsStatusResponse,
  flinkDetailResponse,
  flinkListResponse,
  sqlProgressResponse,
  sqlStatusResponse,
} from './responses.js';
import type { Dialect } from './scenario.js';

export type RouteName =
  | 'dli.flink.detail'
  | 'dli.flink.list'
  | 'dli.sql.progress'
  | 'dli.sql.status'
  | 'dataarts.realtime.status'
  | 'cdm.job.status';

export interface RouteMatch {
  name: RouteName;
  projectId: string;
  /** Decoded path parameters. */
  params: Record<string, string>;
}

interface RouteDef {
  name: RouteName;
  /** `:name` segments are parameters; others must match exactly. */
  pattern: string[];
}

const ROUTES: RouteDef[] = [
  { name: 'dli.flink.list', pattern: ['v1.0', ':project_id', 'streaming', 'jobs'] },
  { name: 'dli.flink.detail', pattern: ['v1.0', ':project_id', 'streaming', 'jobs', ':job_id'] },
  { name: 'dli.sql.progress', pattern: ['v1', ':project_id', 'jobs', ':job_id', 'progress'] },
  { name: 'dli.sql.status', pattern: ['v1.0', ':project_id', 'jobs', ':job_id', 'status'] },
  { name: 'dataarts.realtime.status', pattern: ['v1', ':project_id', 'jobs', ':job_name', 'status'] },
  {
    name: 'cdm.job.status',
    pattern: ['v1.1', ':project_id', 'clusters', ':cluster_id', 'cdm', 'job', ':job_name', 'status'],
  },
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
 * Matches decoded segments against the routes. Only GET is defined; a trailing slash is a different path
 * (the gateway's canonical trailing slash is never sent), so it does not match.
 */
export function matchRoute(method: string, segments: readonly string[]): RouteMatch | undefined {
  if (method !== 'GET') return undefined;
  for (const route of ROUTES) {
    if (route.pattern.length !== segments.length) continue;
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
    const header = ctx.headers.workspace;
    const raw = Array.isArray(header) ? header[0] : header;
    const workspace = (raw === undefined ? undefined : decodeHeaderValue(raw).trim()) || undefined;
    const entry = ctx.store.dataArts(match.projectId, match.params.job_name ?? '', workspace);
    if (!entry) return dataArtsJobNotFound();
    return ok(dataArtsStatusResponse(viewJob(entry, ctx.now), dialectOf(entry, ctx)));
  },

  'cdm.job.status': (match, ctx) => {
    const jobName = match.params.job_name ?? '';
    const entry = ctx.store.cdm(match.projectId, match.params.cluster_id ?? '', jobName);
    if (!entry) return cdmJobNotFound(jobName, ctx.dialect);
    return ok(cdmStatusResponse(viewJob(entry, ctx.now), dialectOf(entry, ctx)));
  },
};

export function handleRoute(match: RouteMatch, ctx: RouteContext): Answer {
  return HANDLERS[match.name](match, ctx);
}
