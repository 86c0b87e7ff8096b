import { z } from 'zod';
import { type ApiContext, type CallOptions, projectHeaders } from '../api-context.js';
import { FlinkJobId, isWellFormed, parseInput, SqlJobId } from '../inputs.js';
import { lazySchema } from '../lazy-schema.js';
import {
  FLINK_JOB_STATUSES,
  FLINK_JOB_TYPES,
  FlinkJobActionResponse,
  type FlinkJobActionResponse as FlinkJobActionResponseType,
  FlinkJobDetailResponse,
  type FlinkJobDetailResponse as FlinkJobDetailResponseType,
  type FlinkJobListItem,
  FlinkJobListResponse,
  type FlinkJobListResponse as FlinkJobListResponseType,
  SqlJobCancelResponse,
  type SqlJobCancelResponse as SqlJobCancelResponseType,
  SqlJobProgressResponse,
  type SqlJobProgressResponse as SqlJobProgressResponseType,
  SqlJobStatusResponse,
  type SqlJobStatusResponse as SqlJobStatusResponseType,
  SqlJobSubmitResponse,
  type SqlJobSubmitResponse as SqlJobSubmitResponseType,
} from './schemas.js';

/** Pages `listAllFlinkJobs` reads at most by default: 100,000 jobs at 100 a page. */
export const MAX_LIST_PAGES = 1_000;
const MaxPages = lazySchema(() =>
  z
    .number()
    .int('expected a whole number of pages from 1 to 100000')
    .min(1, 'expected a whole number of pages from 1 to 100000')
    .max(100_000, 'expected a whole number of pages from 1 to 100000'),
);

/** The list API's filters, with the limits DLI documents, checked before any request. */
export const FlinkJobListFilter = lazySchema(() =>
  z.strictObject({
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
  }),
);
export type FlinkJobListFilter = z.input<typeof FlinkJobListFilter>;

/**
 * The largest statement sent, in UTF-8 bytes. The API gateway refuses request bodies above 1 MiB
 * ("Request entity too large"); this leaves room for the rest of the body.
 */
export const MAX_SQL_BYTES = 1_000_000;
/** Settings per statement and tags per job: the most JobGate sends (Huawei Cloud allows 20 tags a resource). */
export const MAX_SQL_CONF = 100;
export const MAX_TAGS = 20;

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');
// A Spark or DLI setting: `spark.sql.shuffle.partitions=200`, `dli.sql.caseSensitive=true`.
const CONF_KEY = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const confForm = 'expected settings as "key=value" (such as "spark.sql.shuffle.partitions=200")';

/** An object of settings or tags, as the list the API takes; anything else is left for the list to judge. */
const listFrom =
  <T>(entry: (key: string, value: unknown) => T) =>
  (value: unknown): unknown =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.entries(value).map(([key, v]) => entry(key, v))
      : value;

const Conf = lazySchema(() =>
  z.preprocess(
    listFrom((key, value) =>
      ['string', 'number', 'boolean'].includes(typeof value) ? `${key}=${String(value)}` : value,
    ),
    z
      .array(
        z
          .string({ error: `${confForm}: a text, number or boolean value` })
          .refine(
            (entry) => entry.includes('=') && CONF_KEY.test(entry.slice(0, entry.indexOf('='))),
            confForm,
          ),
        { error: `${confForm}, a list or an object of settings` },
      )
      .max(MAX_SQL_CONF, `expected at most ${MAX_SQL_CONF} settings`),
  ),
);

const Tags = lazySchema(() =>
  z.preprocess(
    listFrom((key, value) => ({ key, value })),
    z
      .array(
        z.strictObject({
          key: z
            .string()
            .min(1, 'expected a tag key')
            .max(128, 'expected a tag key of at most 128 characters'),
          value: z
            .string({ error: 'expected a tag value' })
            .max(255, 'expected a tag value of at most 255 characters'),
        }),
        { error: 'expected tags as [{ key, value }] or { key: value }' },
      )
      .max(MAX_TAGS, `expected at most ${MAX_TAGS} tags`),
  ),
);

/** What starts a SQL job: the statement and where and how it runs. Checked before any request. */
export const SqlJobSubmission = lazySchema(() =>
  z.strictObject({
    sql: z
      .string({ error: 'expected a SQL statement' })
      .refine((sql) => sql.trim() !== '', 'expected a SQL statement, got an empty one')
      .refine(
        (sql) => utf8Bytes(sql) <= MAX_SQL_BYTES,
        `expected a SQL statement of at most ${MAX_SQL_BYTES} bytes (UTF-8)`,
      )
      .refine(isWellFormed, 'expected a statement of whole Unicode characters (it holds a lone surrogate)')
      .describe('The SQL statement to run, such as INSERT INTO dws.daily SELECT ...')
      // Statements run to many lines: faces offer a text area or a file.
      .meta({ label: 'SQL statement', multiline: true }),
    queue: z
      .string()
      .min(1, 'expected a queue name')
      .max(128, 'expected a queue name of at most 128 characters')
      .optional()
      .describe('The queue the statement runs on; the default queue when omitted')
      .meta({ label: 'Queue' }),
    database: z
      .string()
      .min(1, 'expected a database name')
      .max(128, 'expected a database name of at most 128 characters')
      .optional()
      .describe('The database the statement runs in (currentdb)')
      .meta({ label: 'Database' }),
    conf: Conf.optional()
      .describe(
        'Settings for this statement, as "key=value" lines or an object, such as spark.sql.shuffle.partitions=200',
      )
      .meta({ label: 'Settings' }),
    tags: Tags.optional().describe('Tags of the job, as key/value pairs').meta({ label: 'Tags' }),
    engineType: z
      .enum(['spark', 'hetuEngine'], { error: 'expected "spark" or "hetuEngine"' })
      .optional()
      .describe('The engine: spark (the default) or hetuEngine')
      .meta({ label: 'Engine' }),
  }),
);
export type SqlJobSubmission = z.input<typeof SqlJobSubmission>;

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

  #send<S extends z.ZodType>(
    method: 'POST' | 'DELETE',
    segments: string[],
    schema: S,
    options: CallOptions,
    json: unknown,
    idempotent = true,
  ) {
    return this.#ctx.transport.requestJson(
      {
        service: 'dli',
        baseUrl: this.#ctx.baseUrl('dli'),
        method,
        segments,
        headers: projectHeaders(this.#ctx),
        json,
        signal: options.signal,
        idempotent,
      },
      schema,
    );
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

  /**
   * `POST /v1.0/{project_id}/jobs/submit-job`: submits a statement; answers its job id. Never sent twice:
   * a second submit is a second job.
   */
  async submitSqlJob(
    submission: SqlJobSubmission,
    options: CallOptions = {},
  ): Promise<SqlJobSubmitResponseType> {
    const valid = parseInput(SqlJobSubmission, submission, 'submission');
    const body = {
      sql: valid.sql,
      ...(valid.database === undefined ? {} : { currentdb: valid.database }),
      ...(valid.queue === undefined ? {} : { queue_name: valid.queue }),
      ...(valid.conf === undefined ? {} : { conf: valid.conf }),
      ...(valid.tags === undefined ? {} : { tags: valid.tags }),
      ...(valid.engineType === undefined ? {} : { engine_type: valid.engineType }),
    };
    return this.#send(
      'POST',
      ['v1.0', this.#ctx.projectId, 'jobs', 'submit-job'],
      SqlJobSubmitResponse,
      options,
      body,
      false,
    );
  }

  /** `DELETE /v1.0/{project_id}/jobs/{job_id}`: cancels a SQL job that has not finished. */
  async cancelSqlJob(jobId: string, options: CallOptions = {}): Promise<SqlJobCancelResponseType> {
    const id = parseInput(SqlJobId, jobId, 'jobId');
    return this.#send(
      'DELETE',
      ['v1.0', this.#ctx.projectId, 'jobs', id],
      SqlJobCancelResponse,
      options,
      undefined,
    );
  }

  #flinkAction(
    action: 'run' | 'stop',
    jobIds: readonly (number | string)[],
    flag: { resume_savepoint: boolean } | { trigger_savepoint: boolean },
    options: CallOptions,
  ): Promise<FlinkJobActionResponseType> {
    const ids = parseInput(z.array(FlinkJobId).min(1, 'expected at least one job id'), jobIds, 'jobIds');
    return this.#send(
      'POST',
      ['v1.0', this.#ctx.projectId, 'streaming', 'jobs', action],
      FlinkJobActionResponse,
      options,
      { job_ids: ids, ...flag },
      // A run is never sent twice; a stop may be (stopping twice stops once).
      action === 'stop',
    );
  }

  /**
   * `POST /v1.0/{project_id}/streaming/jobs/run`: runs Flink jobs; one `{is_success, message}` per job
   * id, in order (a job already running answers is_success false, under HTTP 200). Never sent twice.
   */
  async runFlinkJobs(
    jobIds: readonly (number | string)[],
    options: CallOptions & { resumeSavepoint?: boolean | undefined } = {},
  ): Promise<FlinkJobActionResponseType> {
    const flag = parseInput(z.boolean().optional(), options.resumeSavepoint, 'resumeSavepoint');
    return this.#flinkAction('run', jobIds, { resume_savepoint: flag ?? false }, options);
  }

  /**
   * `POST /v1.0/{project_id}/streaming/jobs/stop`: stops Flink jobs, taking a savepoint first when
   * asked; one `{is_success, message}` per job id, in order.
   */
  async stopFlinkJobs(
    jobIds: readonly (number | string)[],
    options: CallOptions & { triggerSavepoint?: boolean | undefined } = {},
  ): Promise<FlinkJobActionResponseType> {
    const flag = parseInput(z.boolean().optional(), options.triggerSavepoint, 'triggerSavepoint');
    return this.#flinkAction('stop', jobIds, { trigger_savepoint: flag ?? false }, options);
  }
}
