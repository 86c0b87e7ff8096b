import type { z } from 'zod';
import { type ApiContext, type CallOptions, projectHeaders } from '../api-context.js';
import { ClusterId, JobName, parseInput } from '../inputs.js';
import {
  CdmJobStatusResponse,
  type CdmJobStatusResponse as CdmJobStatusResponseType,
  CdmStartJobResponse,
  type CdmStartJobResponse as CdmStartJobResponseType,
  CdmStopJobResponse,
  type CdmStopJobResponse as CdmStopJobResponseType,
  CdmVariables,
} from './schemas.js';

/** CDM (Cloud Data Migration). */
export class CdmApi {
  readonly #ctx: ApiContext;

  constructor(ctx: ApiContext) {
    this.#ctx = ctx;
  }

  #job<S extends z.ZodType>(
    method: 'GET' | 'PUT',
    clusterId: string,
    jobName: string,
    action: string,
    schema: S,
    options: CallOptions,
    extra: { json?: unknown; idempotent?: boolean } = {},
  ): Promise<z.output<S>> {
    const cluster = parseInput(ClusterId, clusterId, 'clusterId');
    const name = parseInput(JobName, jobName, 'jobName');
    return this.#ctx.transport.requestJson(
      {
        service: 'cdm',
        baseUrl: this.#ctx.baseUrl('cdm'),
        method,
        segments: ['v1.1', this.#ctx.projectId, 'clusters', cluster, 'cdm', 'job', name, action],
        headers: projectHeaders(this.#ctx),
        signal: options.signal,
        ...extra,
      },
      schema,
    );
  }

  /** `GET /v1.1/{project_id}/clusters/{cluster_id}/cdm/job/{job_name}/status`: a migration job's submissions. */
  async getJobStatus(
    clusterId: string,
    jobName: string,
    options: CallOptions = {},
  ): Promise<CdmJobStatusResponseType> {
    return this.#job('GET', clusterId, jobName, 'status', CdmJobStatusResponse, options);
  }

  /**
   * `PUT /v1.1/{project_id}/clusters/{cluster_id}/cdm/job/{job_name}/start`: runs a migration job;
   * answers the new submission. Never sent twice: a second start is a second run.
   */
  async startJob(
    clusterId: string,
    jobName: string,
    options: CallOptions & { variables?: CdmVariables | undefined } = {},
  ): Promise<CdmStartJobResponseType> {
    const variables = parseInput(CdmVariables, options.variables ?? {}, 'variables');
    return this.#job('PUT', clusterId, jobName, 'start', CdmStartJobResponse, options, {
      json: { variables },
      idempotent: false,
    });
  }

  /** `PUT /v1.1/{project_id}/clusters/{cluster_id}/cdm/job/{job_name}/stop`: stops a running migration job. */
  async stopJob(
    clusterId: string,
    jobName: string,
    options: CallOptions = {},
  ): Promise<CdmStopJobResponseType> {
    return this.#job('PUT', clusterId, jobName, 'stop', CdmStopJobResponse, options);
  }
}
