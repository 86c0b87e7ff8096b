import { z } from 'zod';
import { type ApiContext, type CallOptions, projectHeaders } from '../api-context.js';
import { FlinkJobId, parseInput, SqlJobId } from '../inputs.js';
import {
  FLINK_JOB_STATUSES,
  FLINK_JOB_TYPES,
  FlinkJobDetailResponse,
  type FlinkJobDetailResponse as FlinkJobDetailResponseType,
  type FlinkJobListItem,
  FlinkJobListResponse,
  type FlinkJobListResponse as FlinkJobListResponseType,
  SqlJobProgressResponse,
  type SqlJobProgressResponse as SqlJobProgressResponseType,
  SqlJobStatusResponse,
  type SqlJobStatusResponse as SqlJobStatusResponseType,
} from './schemas.js';

/** Pages `listAllFlinkJobs` reads at most by default: 100,000 jobs at 100 a page. */
export const MAX_LIST_PAGES = 1_000;
const MaxPages = z
  .number()
  .int('expected a whole number of pages from 1 to 100000')
  .min(1, 'expected a whole number of pages from 1 to 100000')
  .max(100_000, 'expected a whole number of pages from 1 to 100000');

/** The list API's filters, with the limits DLI documents, checked before any request. */
export const FlinkJobListFilter = z.strictObject({
  jobType: z.enum(FLINK_JOB_TYPES).optional(),
  status: z.enum(FLINK_JOB_STATUSES).optional(),
  queueName: z.string().min(1).max(128).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: z
    .number()
    .int('expected an integer')
    .min(1, 'expected at least 1')
    .max(100, 'expected at most 100 (the API maximum)')
    .optional(),
  name: z.string().max(57, 'expected a job name of at most 57 characters').optional(),
  offset: z.number().int('expected an integer').min(0, 'expected 0 or more').optional(),
  showDetail: z.boolean().optional(),
  userName: z.string().optional(),
  tags: z.string().optional(),
  /** The parent job's id; sent as `root_job_id`, the query parameter the API reads. */
  rootId: z.number().int().optional(),
  sysEnterpriseProjectName: z.string().optional(),
});
export type FlinkJobListFilter = z.input<typeof FlinkJobListFilter>;

function listQuery(filter: z.output<typeof FlinkJobListFilter>) {
  return {
    job_type: filter.jobType,
    status: filter.status,
    queue_name: filter.queueName,
    order: filter.order,
    limit: filter.limit,
    name: filter.name,
    offset: filter.offset,
    show_detail: filter.showDetail,
    user_name: filter.userName,
    tags: filter.tags,
    root_job_id: filter.rootId,
    sys_enterprise_project_name: filter.sysEnterpriseProjectName,
  };
}

/** DLI (Data Lake Insight): Flink streaming jobs and SQL jobs. */
export class DliApi {
  readonly #ctx: ApiContext;

  constructor(ctx: ApiContext) {
    this.#ctx = ctx;
  }

  #get<S extends z.ZodType>(
    segments: string[],
    schema: S,
    options: CallOptions,
    query?: Record<string, string | number | boolean | undefined>,
  ) {
    return this.#ctx.transport.requestJson(
      {
        service: 'dli',
        baseUrl: this.#ctx.baseUrl('dli'),
        method: 'GET',
        segments,
        query,
        headers: projectHeaders(this.#ctx),
        signal: options.signal,
      },
      schema,
    );
  }

  /** `GET /v1.0/{project_id}/streaming/jobs/{job_id}`: one Flink job's details and status. */
  async getFlinkJobDetail(
    jobId: number | string,
    options: CallOptions = {},
  ): Promise<FlinkJobDetailResponseType> {
    const id = parseInput(FlinkJobId, jobId, 'jobId');
    return this.#get(
      ['v1.0', this.#ctx.projectId, 'streaming', 'jobs', String(id)],
      FlinkJobDetailResponse,
      options,
    );
  }

  /** `GET /v1.0/{project_id}/streaming/jobs`: one page of Flink jobs. */
  async listFlinkJobs(
    filter: FlinkJobListFilter = {},
    options: CallOptions = {},
  ): Promise<FlinkJobListResponseType> {
    const valid = parseInput(FlinkJobListFilter, filter, 'filter');
    return this.#get(
      ['v1.0', this.#ctx.projectId, 'streaming', 'jobs'],
      FlinkJobListResponse,
      options,
      listQuery(valid),
    );
  }

  /**
   * Every Flink job matching the filter, page after page (offset/limit, 100 a
   * page unless `limit` says otherwise). Ends on a short or empty page, at
   * `total_count`, on a page that brings no job not already seen (a server
   * that ignores `offset`), and after `maxPages` pages at most.
   */
  async *listAllFlinkJobs(
    filter: Omit<FlinkJobListFilter, 'offset'> = {},
    options: CallOptions & { maxPages?: number } = {},
  ): AsyncGenerator<FlinkJobListItem> {
    const limit = filter.limit ?? 100;
    const maxPages = parseInput(MaxPages, options.maxPages ?? MAX_LIST_PAGES, 'maxPages');
    const seen = new Set<string>();
    let offset = 0;
    for (let page = 0; page < maxPages; page++) {
      const response = await this.listFlinkJobs({ ...filter, limit, offset }, options);
      const jobs = response.job_list?.jobs ?? [];
      const fresh = jobs.filter((job) => {
        const key = job.job_id === undefined ? JSON.stringify(job) : String(job.job_id);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      yield* fresh;
      offset += jobs.length;
      const total = response.job_list?.total_count;
      if (
        fresh.length === 0 ||
        jobs.length < limit ||
        (total !== undefined && total !== null && offset >= total)
      )
        return;
    }
  }

  /** `GET /v1/{project_id}/jobs/{job_id}/progress`: a SQL job's status, progress and sub-jobs. */
  async getSqlJobProgress(jobId: string, options: CallOptions = {}): Promise<SqlJobProgressResponseType> {
    const id = parseInput(SqlJobId, jobId, 'jobId');
    return this.#get(['v1', this.#ctx.projectId, 'jobs', id, 'progress'], SqlJobProgressResponse, options);
  }

  /** `GET /v1.0/{project_id}/jobs/{job_id}/status`: a SQL job's status; answers where progress gives DLI.0999. */
  async getSqlJobStatus(jobId: string, options: CallOptions = {}): Promise<SqlJobStatusResponseType> {
    const id = parseInput(SqlJobId, jobId, 'jobId');
    return this.#get(['v1.0', this.#ctx.projectId, 'jobs', id, 'status'], SqlJobStatusResponse, options);
  }
}
