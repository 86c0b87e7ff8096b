import { type ApiContext, type CallOptions, projectHeaders } from '../api-context.js';
import { ClusterId, JobName, parseInput } from '../inputs.js';
import { CdmJobStatusResponse, type CdmJobStatusResponse as CdmJobStatusResponseType } from './schemas.js';

/** CDM (Cloud Data Migration). */
export class CdmApi {
  readonly #ctx: ApiContext;

  constructor(ctx: ApiContext) {
    this.#ctx = ctx;
  }

  /** `GET /v1.1/{project_id}/clusters/{cluster_id}/cdm/job/{job_name}/status`: a migration job's submissions. */
  async getJobStatus(
    clusterId: string,
    jobName: string,
    options: CallOptions = {},
  ): Promise<CdmJobStatusResponseType> {
    const cluster = parseInput(ClusterId, clusterId, 'clusterId');
    const name = parseInput(JobName, jobName, 'jobName');
    return this.#ctx.transport.requestJson(
      {
        service: 'cdm',
        baseUrl: this.#ctx.baseUrl('cdm'),
        method: 'GET',
        segments: ['v1.1', this.#ctx.projectId, 'clusters', cluster, 'cdm', 'job', name, 'status'],
        headers: projectHeaders(this.#ctx),
        signal: options.signal,
      },
      CdmJobStatusResponse,
    );
  }
}
