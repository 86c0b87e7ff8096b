/**
 * Success bodies per API, in two dialects. `documented`: the seed pages' example responses (the seed's
 * fields, in the seed's order and types) plus only fields the pages' tables list. `sdk`: the official
 * SDKs' response models (official-sdk-models.json): every field of the model's type, none it lacks.
 * Both are filled from the job's current step; defaults are the seed's own values.
 */
import type { JobEntry, JobView } from './jobs.js';
import { currentProgress, stepStart, viewJob } from './jobs.js';
import type { CdmJob, DataArtsBatchJob, DataArtsJob, Dialect, FlinkJob, Job, SqlJob } from './scenario.js';

type Json = Record<string, unknown>;
type SqlSubJob = NonNullable<SqlJob['steps'][number]['subJobs']>[number];

function withExtra<T extends Json>(body: T, step: { extra?: Record<string, unknown> | undefined }): T {
  return step.extra ? { ...body, ...step.extra } : body;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// ---------------------------------------------------------------- DLI Flink (seeds 000 and 001)

/** Statuses in which a Flink job has not (yet) been started on the cluster. */
const FLINK_NOT_STARTED = new Set(['job_init', 'job_submitting', 'job_submit_fail']);
/** Statuses in which a started Flink job is still accruing running time. */
const FLINK_ACTIVE = new Set(['job_running', 'job_savepointing', 'job_arrearage_recovering']);

function flinkStartTime(view: JobView<FlinkJob>): number | null {
  for (let i = 0; i <= view.index; i++) {
    const status = view.job.steps[i]?.status;
    if (status !== undefined && !FLINK_NOT_STARTED.has(status)) return stepStart(view.entry, i);
  }
  return null;
}

function flinkJobType(job: FlinkJob): string {
  return job.jobType ?? 'flink_opensource_sql_job';
}

/**
 * job_config as in seed 000: the jar example's for jar jobs, the OpenSource SQL example's otherwise. The
 * SDK model adds the actual CUs, the resource spec and three settings the page does not list.
 */
function flinkJobConfig(job: FlinkJob, dialect: Dialect): Json {
  const config = documentedFlinkJobConfig(job);
  if (dialect === 'documented') return config;
  const parallelism = config.parallel_number as number;
  return {
    ...config,
    execution_agency_urn: null,
    flink_log_config: null,
    // "The default value is 0, indicating that the value of cu_number is used": the CUs in use.
    real_cu_number: config.cu_number,
    resource_config: {
      max_slot: parallelism,
      parallel_number: parallelism,
      jobmanager_resource_spec: { cpu: 1.0, memory: '4G' },
      taskmanager_resource_spec: { cpu: 1.0, memory: '4G' },
    },
    resource_config_version: 'v1',
  };
}

function documentedFlinkJobConfig(job: FlinkJob): Json {
  if (flinkJobType(job) === 'flink_jar_job') {
    return {
      checkpoint_enabled: false,
      checkpoint_interval: 10,
      checkpoint_mode: 'exactly_once',
      log_enabled: false,
      obs_bucket: null,
      root_id: -1,
      edge_group_ids: null,
      graph_editor_enabled: false,
      graph_editor_data: '',
      manager_cu_number: 1,
      executor_number: null,
      executor_cu_number: null,
      cu_number: 2,
      parallel_number: 1,
      smn_topic: null,
      restart_when_exception: false,
      idle_state_retention: 3600,
      config_url: null,
      udf_jar_url: null,
      dirty_data_strategy: null,
      entrypoint: 'FemaleInfoCollection.jar',
      dependency_jars: ['FemaleInfoCollection.jar', 'ObsBatchTest.jar'],
      dependency_files: ['FemaleInfoCollection.jar', 'ReadFromResource'],
    };
  }
  return {
    checkpoint_enabled: true,
    checkpoint_interval: 600,
    checkpoint_mode: 'exactly_once',
    log_enabled: true,
    obs_bucket: 'dli-test',
    root_id: -1,
    edge_group_ids: null,
    graph_editor_enabled: false,
    graph_editor_data: '',
    manager_cu_number: 1,
    executor_number: null,
    executor_cu_number: null,
    cu_number: 2,
    parallel_number: 3,
    smn_topic: '',
    restart_when_exception: true,
    resume_checkpoint: true,
    resume_max_num: -1,
    checkpoint_path: null,
    idle_state_retention: 3600,
    config_url: null,
    udf_jar_url: null,
    dirty_data_strategy: '0',
    entrypoint: null,
    dependency_jars: null,
    dependency_files: null,
    tm_cus: 1,
    tm_slot_num: 3,
    image: null,
    feature: null,
    flink_version: null,
    operator_config: null,
    static_estimator_config: null,
    runtime_config: null,
  };
}

/** Running time so far (ms): from the first start to now while active, else to the current step's start. */
function flinkDuration(view: JobView<FlinkJob>): number {
  const start = flinkStartTime(view);
  if (start === null) return 0;
  return Math.max(0, (FLINK_ACTIVE.has(view.step.status) ? view.now : view.stepStartedAt) - start);
}

/** The `job_detail` object of seed 000 (also the list's items when show_detail=true). */
export function flinkJobDetail(view: JobView<FlinkJob>, projectId: string, dialect: Dialect): Json {
  const { job, step } = view;
  const documented: Json = {
    job_id: job.jobId,
    user_id: job.userId ?? '011c99a26ae84a1bb963a75e7637d3fd',
    queue_name: job.queueName ?? 'flinktest',
    project_id: job.projectId ?? projectId,
    name: job.name ?? `flink_job_${job.jobId}`,
    desc: job.desc ?? '',
    sql_body: job.sqlBody ?? '',
    run_mode: job.runMode ?? 'exclusive_cluster',
    job_type: flinkJobType(job),
    job_config: flinkJobConfig(job, dialect),
    main_class: null,
    entrypoint_args: null,
    execution_graph: null,
    status: step.status,
    status_desc: step.statusDesc ?? step.message ?? '',
    create_time: view.createdAt,
    update_time: view.stepStartedAt,
    start_time: flinkStartTime(view),
    savepoint_path: null,
  };
  if (dialect === 'documented') return withExtra(documented, step);
  return withExtra(
    {
      ...documented,
      user_name: job.userName ?? '',
      duration: flinkDuration(view),
      root_id: -1,
      graph_editor_enabled: false,
      edge_group_ids: null,
      restart_times: 0,
      has_savepoint: false,
    },
    step,
  );
}

export function flinkDetailResponse(view: JobView<FlinkJob>, projectId: string, dialect: Dialect): Json {
  return {
    is_success: 'true',
    message: 'Querying of the job details succeeds.',
    job_detail: flinkJobDetail(view, projectId, dialect),
  };
}

/** A summary item of seed 001's job list (show_detail=false); the SDK model adds the edge groups. */
export function flinkListItem(view: JobView<FlinkJob>, dialect: Dialect): Json {
  const { job, step } = view;
  const start = flinkStartTime(view);
  return withExtra(
    {
      job_id: job.jobId,
      name: job.name ?? `flink_job_${job.jobId}`,
      desc: job.desc ?? '',
      user_name: job.userName ?? '',
      job_type: flinkJobType(job),
      status: step.status,
      status_desc: step.statusDesc ?? step.message ?? '',
      create_time: view.createdAt,
      // The list documents 0 (not null) for a job that has not started.
      start_time: start ?? 0,
      duration: flinkDuration(view),
      root_id: -1,
      graph_editor_enabled: false,
      has_savepoint: false,
      queue_name: job.queueName ?? 'flinktest',
      restart_times: 0,
      ...(dialect === 'sdk' ? { edge_group_ids: null } : {}),
    },
    step,
  );
}

export interface FlinkListQuery {
  status?: string | undefined;
  name?: string | undefined;
  jobType?: string | undefined;
  queueName?: string | undefined;
  userName?: string | undefined;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
  showDetail: boolean;
}

export function flinkListResponse(
  entries: readonly JobEntry<FlinkJob>[],
  now: number,
  projectId: string,
  query: FlinkListQuery,
  dialectOf: (job: FlinkJob) => Dialect,
): Json {
  const views = entries
    .map((entry) => viewJob(entry, now))
    .filter(
      (v) =>
        (query.status === undefined || v.step.status === query.status) &&
        (query.name === undefined || (v.job.name ?? `flink_job_${v.job.jobId}`).includes(query.name)) &&
        (query.jobType === undefined || flinkJobType(v.job) === query.jobType) &&
        (query.queueName === undefined || (v.job.queueName ?? 'flinktest') === query.queueName) &&
        (query.userName === undefined || (v.job.userName ?? '') === query.userName),
    )
    .sort((a, b) => a.createdAt - b.createdAt || a.job.jobId - b.job.jobId);
  if (query.order === 'desc') views.reverse();
  const page = views.slice(query.offset, query.offset + query.limit);
  return {
    is_success: 'true',
    message: 'Querying of the job list succeeds.',
    job_list: {
      total_count: views.length,
      jobs: page.map((v) =>
        query.showDetail
          ? flinkJobDetail(v, projectId, dialectOf(v.job))
          : flinkListItem(v, dialectOf(v.job)),
      ),
    },
  };
}

// ---------------------------------------------------------------- DLI SQL (seed 002, status API)

const SQL_TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELLED']);

function sqlProgress(view: JobView<SqlJob>): number {
  return round(
    currentProgress(
      view,
      (s) => (s as SqlJob['steps'][number]).progress,
      (s) => (s.status === 'FINISHED' ? 1 : 0),
    ),
    4,
  );
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Java's Date.toString in China Standard Time, as the seed shows ("Mon Jul 27 17:24:03 CST 2020"). */
export function javaDateString(epochMs: number): string {
  const d = new Date(epochMs + 8 * 3600 * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(
    d.getUTCMinutes(),
  )}:${p(d.getUTCSeconds())} CST ${d.getUTCFullYear()}`;
}

/** A Spark sub-job filled from the seed's example; task counts follow the job's progress while running. */
function sqlSubJob(subJob: SqlSubJob, view: JobView<SqlJob>, progress: number, dialect: Dialect): Json {
  const status = subJob.status ?? 'RUNNING';
  const numTasks = subJob.num_tasks ?? 1;
  const completed =
    status === 'SUCCEEDED'
      ? numTasks
      : status === 'RUNNING'
        ? Math.min(numTasks, Math.floor(progress * numTasks))
        : 0;
  const active = status === 'RUNNING' ? numTasks - completed : 0;
  const { id, ...given } = subJob;
  return {
    id,
    name: 'runJob at FileFormatWriter.scala:266',
    // Spark's job description; DLI sets it to the statement.
    ...(dialect === 'sdk' ? { description: view.job.statement ?? '' } : {}),
    // A sub-job already done when this step began ran before it; the running one started with the step.
    submission_time: javaDateString(status === 'RUNNING' ? view.stepStartedAt : view.createdAt),
    ...(status === 'SUCCEEDED' ? { completion_time: javaDateString(view.stepStartedAt) } : {}),
    stage_ids: [subJob.id],
    job_group: view.job.jobId,
    status,
    num_tasks: numTasks,
    num_active_tasks: active,
    num_completed_tasks: completed,
    num_skipped_tasks: 0,
    num_failed_tasks: status === 'FAILED' ? numTasks - completed : 0,
    num_killed_tasks: 0,
    num_completed_indices: completed,
    num_active_stages: status === 'RUNNING' ? 1 : 0,
    num_completed_stages: status === 'SUCCEEDED' ? 1 : 0,
    num_skipped_stages: 0,
    num_failed_stages: status === 'FAILED' ? 1 : 0,
    ...(dialect === 'sdk' ? { killed_tasks_summary: {} } : {}),
    // The scenario's own fields win.
    ...given,
  };
}

export function sqlProgressResponse(view: JobView<SqlJob>, dialect: Dialect): Json {
  const { job, step } = view;
  const progress = sqlProgress(view);
  const subJobs = step.subJobs?.map((s) => sqlSubJob(s, view, progress, dialect));
  const running = step.status === 'RUNNING' || step.status === 'SCALING';
  const runningSubJob = running
    ? step.subJobs?.find((s) => (s.status ?? 'RUNNING') === 'RUNNING')
    : undefined;
  return withExtra(
    {
      is_success: true,
      message: step.message ?? '',
      job_id: job.jobId,
      status: step.status,
      // Per the page, sub_job_id is given only while a sub-job runs.
      ...(runningSubJob ? { sub_job_id: runningSubJob.id } : {}),
      progress,
      ...(subJobs ? { sub_jobs: subJobs } : {}),
    },
    step,
  );
}

export function sqlStatusResponse(view: JobView<SqlJob>, dialect: Dialect): Json {
  const { job, step } = view;
  const end = SQL_TERMINAL.has(step.status) ? view.stepStartedAt : view.now;
  return withExtra(
    {
      is_success: true,
      message: step.message ?? '',
      job_id: job.jobId,
      job_type: job.jobType ?? 'QUERY',
      job_mode: job.jobMode ?? 'async',
      queue_name: job.queueName ?? 'default',
      owner: job.owner ?? 'jobgate',
      start_time: view.createdAt,
      duration: Math.max(0, end - view.createdAt),
      status: step.status,
      input_row_count: 0,
      bad_row_count: 0,
      input_size: 0,
      result_count: 0,
      database_name: job.databaseName ?? '',
      table_name: job.tableName ?? '',
      statement: job.statement ?? 'SELECT 1',
      detail: '',
      ...(dialect === 'sdk'
        ? {
            user_conf: '{}',
            result_path: `obs://jobgate-emulator/results/${job.jobId}`,
            execution_details_path: `obs://jobgate-emulator/details/${job.jobId}`,
            result_format: 'csv',
            tags: [],
          }
        : {}),
    },
    step,
  );
}

// ---------------------------------------------------------------- DataArts Factory (seed 003)

const DATAARTS_ENDED = new Set(['STOPPED']);
/** The page's example node (seed 003): counters the SDK model does not have. */
const DATAARTS_EXAMPLE_COUNTERS = {
  bufferRecords: 0,
  jobInstanceId: 0,
  speed: 0,
  totalGetBytes: 0,
  totalGetRecords: 0,
  totalPutBytes: 0,
  totalPutRecords: 0,
};

type DataArtsNode = NonNullable<DataArtsJob['nodes']>[number];

/**
 * A node in the dialect's keys. A scenario node may use either spelling of the last instance's status
 * (`LastInstanceStatus` on the page, `lastInstanceStatus` in the model) and of the type (`type`,
 * `nodeType`); it comes out in the dialect's. Its other fields are sent as given.
 */
function dataArtsNode(node: DataArtsNode, view: JobView<DataArtsJob>, dialect: Dialect): Json {
  const { name, type, nodeType, LastInstanceStatus, lastInstanceStatus, ...given } = node as Record<
    string,
    unknown
  > & { name: string };
  const lastInstance = lastInstanceStatus ?? LastInstanceStatus ?? 'waiting';
  const kind = nodeType ?? type;
  if (dialect === 'documented') {
    const { jobInstanceId, bufferRecords, ...counters } = DATAARTS_EXAMPLE_COUNTERS;
    return {
      bufferRecords,
      jobInstanceId,
      LastInstanceStatus: lastInstance,
      name,
      ...counters,
      status: view.step.status,
      ...(kind === undefined ? {} : { type: kind }),
      ...given,
    };
  }
  return {
    name,
    status: view.step.status,
    logPath: `obs://dlf-log/${view.job.jobName}/${name}/`,
    // The node of the page's example is an MRS Flink job; the model types this a plain string.
    nodeType: kind ?? 'MRSFlinkJob',
    lastInstanceStatus: lastInstance,
    // Both are strings in the model and no source shows their content: the page's counters, as JSON.
    runningData: JSON.stringify(DATAARTS_EXAMPLE_COUNTERS),
    extendCounter: '{}',
    ...given,
  };
}

/**
 * Times: epoch-ms numbers under the page's keys (its table types them Date), or, as the SDK models type
 * them, strings (`starttime` in lower case): epoch ms in decimal, which the SDKs' string fields take as is.
 */
export function dataArtsStatusResponse(view: JobView<DataArtsJob>, dialect: Dialect): Json {
  const { job, step } = view;
  const nodes = step.nodes ?? job.nodes ?? [{ name: `${job.jobName}_node` }];
  const time = dialect === 'sdk' ? (ms: number) => String(ms) : (ms: number) => ms;
  const ended = DATAARTS_ENDED.has(step.status) ? { endTime: time(view.stepStartedAt) } : {};
  return withExtra(
    {
      name: job.jobName,
      nodes: nodes.map((node) => dataArtsNode(node, view, dialect)),
      status: step.status,
      ...(dialect === 'sdk' ? { starttime: time(view.createdAt) } : { startTime: time(view.createdAt) }),
      ...ended,
      lastUpdateTime: time(view.stepStartedAt),
    },
    step,
  );
}

// ---------------------------------------------------------------- DataArts Factory batch runs

const BATCH_ENDED = new Set(['success', 'fail', 'running-exception', 'manual-stop']);

/**
 * A batch job's run as the instance API's model has it (no page of the seeds documents it, so both
 * dialects answer the same). Nodes share the run's status unless the step gives their own.
 */
export function batchInstanceResponse(view: JobView<DataArtsBatchJob>): Json {
  const { job, step } = view;
  const startIndex = job.steps.findIndex((s) => s.status !== 'waiting');
  const started =
    startIndex !== -1 && startIndex <= view.index ? stepStart(view.entry, startIndex) : undefined;
  const ended = BATCH_ENDED.has(step.status) ? view.stepStartedAt : undefined;
  const nodes = step.nodes ?? job.nodes ?? [{ name: `${job.jobName}_node` }];
  const times = {
    planTime: view.createdAt,
    ...(started === undefined ? {} : { startTime: started }),
    ...(ended === undefined ? {} : { endTime: ended }),
  };
  return withExtra(
    {
      jobName: job.jobName,
      instanceId: job.instanceId,
      status: step.status,
      ...times,
      executeTime: started === undefined ? 0 : Math.max(0, (ended ?? view.now) - started),
      total: nodes.length,
      nodes: nodes.map((node, i) => {
        const { name, type, status, ...given } = node;
        return {
          nodeName: name,
          status: status ?? step.status,
          queue: 'default',
          ...times,
          type: type ?? 'DLISQL',
          retryTimes: 0,
          instanceId: job.instanceId * 100 + i,
          inputRowCount:
            status === 'success' || (status === undefined && step.status === 'success') ? 1000 : 0,
          speed: 0,
          logPath: `obs://dlf-log/${job.jobName}/${job.instanceId}/${name}.log`,
          ...given,
        };
      }),
      instanceType: job.instanceType ?? 0,
      forceSuccess: false,
      ignoreSuccess: false,
    },
    step,
  );
}

// ---------------------------------------------------------------- CDM (seed 004)

/** The SqoopCounters the CDM page lists; a scenario's counters override these zeros. */
const SQOOP_COUNTERS = [
  'BYTES_WRITTEN',
  'TOTAL_FILES',
  'ROWS_READ',
  'BYTES_READ',
  'ROWS_WRITTEN',
  'FILES_WRITTEN',
  'FILES_READ',
  'TOTAL_SIZE',
  'FILES_SKIPPED',
  'ROWS_WRITTEN_SKIPPED',
] as const;

/** Submissions that have not run yet look like the seed's BOOTING example: only the creation fields. */
const CDM_NOT_STARTED = new Set(['BOOTING', 'NEVER_EXECUTED', 'NEW', 'PENDING']);
const CDM_FAILED = new Set(['FAILED', 'FAILURE_ON_SUBMIT']);

function cdmProgress(view: JobView<CdmJob>): number {
  return round(
    currentProgress(
      view,
      (s) => (s as CdmJob['steps'][number]).progress,
      (s) => (CDM_FAILED.has(s.status) ? -1 : s.status === 'SUCCEEDED' ? 100 : 0),
    ),
    1,
  );
}

export function cdmStatusResponse(view: JobView<CdmJob>, dialect: Dialect): Json {
  const { job, step, entry } = view;
  const creationUser = job.creationUser ?? 'cdm';
  // creation-date is a numeric string in the seed, though its table says Long like the other dates;
  // every SDK model has it an integer.
  const creationDate = dialect === 'documented' ? String(view.createdAt) : view.createdAt;
  let submission: Json;
  if (CDM_NOT_STARTED.has(step.status)) {
    submission = {
      'job-name': job.jobName,
      'creation-user': creationUser,
      'creation-date': creationDate,
      progress: cdmProgress(view),
      status: step.status,
    };
  } else {
    const counters =
      step.status === 'SUCCEEDED'
        ? { ...Object.fromEntries(SQOOP_COUNTERS.map((name) => [name, 0])), ...step.counters }
        : undefined;
    submission = {
      isIncrementing: job.isIncrementing ?? false,
      'job-name': job.jobName,
      ...(counters ? { counters: { 'org.apache.sqoop.submission.counter.SqoopCounters': counters } } : {}),
      isStopingIncrement: '',
      'is-execute-auto': false,
      'last-update-date': view.stepStartedAt,
      // The page's table misspells it; the SDK models (and the service) spell it right.
      [dialect === 'documented' ? 'last-udpate-user' : 'last-update-user']: creationUser,
      isDeleteJob: false,
      'creation-user': creationUser,
      'creation-date': creationDate,
      'external-id': `job_local${1_000_000_000 + entry.seq}_0001`,
      progress: cdmProgress(view),
      'submission-id': 1 + entry.seq,
      delete_rows: 0,
      update_rows: 0,
      write_rows: counters?.ROWS_WRITTEN ?? 0,
      'execute-date': stepStart(entry, firstStartedIndex(view)),
      status: step.status,
      ...(step.status === 'FAILED'
        ? {
            'error-details': step.errorDetails ?? step.message ?? 'Job failed.',
            'error-summary': step.errorSummary ?? step.message ?? 'Job failed.',
          }
        : {}),
    };
  }
  return { submissions: [withExtra(submission, step)] };
}

function firstStartedIndex(view: JobView<CdmJob>): number {
  const i = view.job.steps.findIndex((s) => !CDM_NOT_STARTED.has(s.status));
  return i === -1 || i > view.index ? view.index : i;
}

/** A one-line description of a job for the CLI and the admin API. */
/** How a job's lifecycle ends: its last step's status, held from when (emulator time from the start). */
function endOf(job: Job): string {
  const last = job.steps[job.steps.length - 1];
  const at = job.steps.slice(0, -1).reduce((sum, step) => sum + (step.durationMs ?? 0), 0);
  const status = (last?.extra as { status?: unknown } | undefined)?.status ?? last?.status;
  const minutes = at / 60_000;
  return job.steps.length > 1
    ? `${String(status)} from ${Number(minutes.toFixed(1))} min on`
    : `${String(status)} throughout`;
}

/** A banner line: the kind as `job_kind` spells it, the identity as the Action's inputs name it, and how it ends. */
export function describeJob(job: Job): string {
  const identity = (() => {
    switch (job.kind) {
      case 'dli-flink':
        return `job_id=${job.jobId}${job.name ? ` (${job.name})` : ''}`;
      case 'dli-sql':
        return `job_id=${job.jobId}`;
      case 'dataarts-realtime':
        return `job_name=${job.jobName}${job.workspace ? ` workspace=${job.workspace}` : ''}`;
      case 'dataarts-batch':
        return `job_name=${job.jobName} instance_id=${job.instanceId}${job.workspace ? ` workspace=${job.workspace}` : ''}`;
      case 'cdm':
        return `cluster_id=${job.clusterId} job_name=${job.jobName}`;
    }
  })();
  return `${job.kind.padEnd(18)} ${identity}: ${endOf(job)}`;
}
