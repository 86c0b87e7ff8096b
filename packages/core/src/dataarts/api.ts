import { z } from 'zod';
import { type ApiContext, type CallOptions, projectHeaders } from '../api-context.js';
import { InstanceId, JobName, parseInput, WorkspaceId } from '../inputs.js';
import {
  BatchInstanceResponse,
  type BatchInstanceResponse as BatchInstanceResponseType,
  JobParams,
  RealtimeJobStatusResponse,
  type RealtimeJobStatusResponse as RealtimeJobStatusResponseType,
  RunImmediateResponse,
  type RunImmediateResponse as RunImmediateResponseType,
} from './schemas.js';

export interface WorkspaceOptions extends CallOptions {
  /** The DataArts workspace id; required when the account has several workspaces. */
  workspace?: string | undefined;
}

export interface JobParamOptions extends WorkspaceOptions {
  /** The job's parameters for this run: `[{name, value, type?}]` or `{name: value}`. */
  jobParams?: JobParams | undefined;
}

/** A 204 answer: no body. */
const NoContent = z.unknown();

/** DataArts Studio Factory (DLF). */
export class DataArtsApi {
  readonly #ctx: ApiContext;

  constructor(ctx: ApiContext) {
    this.#ctx = ctx;
  }

  #request<S extends z.ZodType>(
    method: 'GET' | 'POST',
    jobName: string,
    tail: readonly string[],
    schema: S,
    options: WorkspaceOptions,
    extra: { json?: unknown; idempotent?: boolean } = {},
  ): Promise<z.output<S>> {
    const name = parseInput(JobName, jobName, 'jobName');
    const headers = projectHeaders(this.#ctx);
    if (options.workspace !== undefined && options.workspace !== '') {
      headers.workspace = parseInput(WorkspaceId, options.workspace, 'workspace');
    }
    return this.#ctx.transport.requestJson(
      {
        service: 'dataarts',
        baseUrl: this.#ctx.baseUrl('dataarts'),
        method,
        segments: ['v1', this.#ctx.projectId, 'jobs', name, ...tail],
        headers,
        signal: options.signal,
        ...extra,
      },
      schema,
    );
  }

  /** `GET /v1/{project_id}/jobs/{job_name}/status`: a real-time job's status and its nodes. */
  async getRealtimeJobStatus(
    jobName: string,
    options: WorkspaceOptions = {},
  ): Promise<RealtimeJobStatusResponseType> {
    return this.#request('GET', jobName, ['status'], RealtimeJobStatusResponse, options);
  }

  /**
   * `POST /v1/{project_id}/jobs/{job_name}/start`: starts a real-time job (204, no body). The pages
   * call a parameter's type `paramType` here; the SDK model calls it `type`: both are sent. Never sent
   * twice.
   */
  async startRealtimeJob(jobName: string, options: JobParamOptions = {}): Promise<void> {
    const params = jobParamsBody(options.jobParams, (p) =>
      p.type === undefined ? p : { ...p, paramType: p.type },
    );
    await this.#request('POST', jobName, ['start'], NoContent, options, { json: params, idempotent: false });
  }

  /** `POST /v1/{project_id}/jobs/{job_name}/stop`: stops a real-time job (204, no body). */
  async stopRealtimeJob(jobName: string, options: WorkspaceOptions = {}): Promise<void> {
    await this.#request('POST', jobName, ['stop'], NoContent, options, { json: {} });
  }

  /**
   * `POST /v1/{project_id}/jobs/{job_name}/run-immediate`: runs a batch job once, now; answers the new
   * instance's id. Never sent twice: a second request is a second run.
   */
  async runBatchJob(jobName: string, options: JobParamOptions = {}): Promise<RunImmediateResponseType> {
    return this.#request('POST', jobName, ['run-immediate'], RunImmediateResponse, options, {
      json: jobParamsBody(options.jobParams, (p) => p),
      idempotent: false,
    });
  }

  /** `GET /v1/{project_id}/jobs/{job_name}/instances/{instance_id}`: one run of a batch job, with its nodes. */
  async getBatchInstance(
    jobName: string,
    instanceId: number | string,
    options: WorkspaceOptions = {},
  ): Promise<BatchInstanceResponseType> {
    const id = parseInput(InstanceId, instanceId, 'instanceId');
    return this.#request('GET', jobName, ['instances', String(id)], BatchInstanceResponse, options);
  }

  /** `POST /v1/{project_id}/jobs/{job_name}/instances/{instance_id}/stop`: stops one run (204, no body). */
  async stopBatchInstance(
    jobName: string,
    instanceId: number | string,
    options: WorkspaceOptions = {},
  ): Promise<void> {
    const id = parseInput(InstanceId, instanceId, 'instanceId');
    await this.#request('POST', jobName, ['instances', String(id), 'stop'], NoContent, options, { json: {} });
  }
}

type JobParam = z.output<typeof JobParams>[number];

function jobParamsBody(
  jobParams: JobParams | undefined,
  spell: (param: JobParam) => Record<string, string | undefined>,
): { jobParams?: Record<string, string | undefined>[] } {
  if (jobParams === undefined) return {};
  return { jobParams: parseInput(JobParams, jobParams, 'jobParams').map(spell) };
}
