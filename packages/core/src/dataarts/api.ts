import { type ApiContext, type CallOptions, projectHeaders } from '../api-context.js';
import { JobName, parseInput, WorkspaceId } from '../inputs.js';
import {
  RealtimeJobStatusResponse,
  type RealtimeJobStatusResponse as RealtimeJobStatusResponseType,
} from './schemas.js';

export interface WorkspaceOptions extends CallOptions {
  /** The DataArts workspace id; required when the account has several workspaces. */
  workspace?: string | undefined;
}

/** DataArts Studio Factory (DLF). */
export class DataArtsApi {
  readonly #ctx: ApiContext;

  constructor(ctx: ApiContext) {
    this.#ctx = ctx;
  }

  /** `GET /v1/{project_id}/jobs/{job_name}/status`: a real-time job's status and its nodes. */
  async getRealtimeJobStatus(
    jobName: string,
    options: WorkspaceOptions = {},
  ): Promise<RealtimeJobStatusResponseType> {
    const name = parseInput(JobName, jobName, 'jobName');
    const headers = projectHeaders(this.#ctx);
    if (options.workspace !== undefined && options.workspace !== '') {
      headers.workspace = parseInput(WorkspaceId, options.workspace, 'workspace');
    }
    return this.#ctx.transport.requestJson(
      {
        service: 'dataarts',
        baseUrl: this.#ctx.baseUrl('dataarts'),
        method: 'GET',
        segments: ['v1', this.#ctx.projectId, 'jobs', name, 'status'],
        headers,
        signal: options.signal,
      },
      RealtimeJobStatusResponse,
    );
  }
}
