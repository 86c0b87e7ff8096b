import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { booleanish, epochMillis, numberish, optionalSuccessFlag, successFlag } from '../schema-helpers.js';

// Seed 001 (job list) documents all 14; seed 000 (job detail) omits the two
// arrears states, the reference lists them for both APIs.
export const FLINK_JOB_STATUSES = [
  'job_init',
  'job_submitting',
  'job_submit_fail',
  'job_running',
  'job_running_exception',
  'job_downloading',
  'job_idle',
  'job_canceling',
  'job_cancel_success',
  'job_cancel_fail',
  'job_savepointing',
  'job_arrearage_stopped',
  'job_arrearage_recovering',
  'job_finish',
] as const;
export type FlinkJobStatus = (typeof FLINK_JOB_STATUSES)[number];

export const SQL_JOB_STATUSES = [
  'LAUNCHING',
  'RUNNING',
  'SCALING',
  'FINISHED',
  'FAILED',
  'CANCELLED',
] as const;
export type SqlJobStatus = (typeof SQL_JOB_STATUSES)[number];

// Seed 000's table lists only flink_sql_job and flink_jar_job, yet its second
// example is a flink_opensource_sql_job; seed 001 lists three; DLI's API
// reference also documents flink_sql_edge_job (Flink SQL on edge nodes).
export const FLINK_JOB_TYPES = [
  'flink_sql_job',
  'flink_opensource_sql_job',
  'flink_jar_job',
  'flink_sql_edge_job',
] as const;
export type FlinkJobType = (typeof FLINK_JOB_TYPES)[number];

// Every field of seed 000 table 4 and seed 001 table 6, plus image, feature
// and flink_version, which seed 000's example sends although its table does
// not list them. The examples send null for unset fields of every kind, so
// everything is nullish.
export const FlinkJobConfig = lazySchema(() =>
  z.looseObject({
    checkpoint_enabled: booleanish.nullish(),
    checkpoint_interval: numberish.nullish(),
    checkpoint_mode: z.string().nullish(),
    log_enabled: booleanish.nullish(),
    obs_bucket: z.string().nullish(),
    smn_topic: z.string().nullish(),
    root_id: numberish.nullish(),
    edge_group_ids: z.array(z.string()).nullish(),
    manager_cu_number: numberish.nullish(),
    graph_editor_enabled: booleanish.nullish(),
    graph_editor_data: z.string().nullish(),
    executor_number: numberish.nullish(),
    executor_cu_number: numberish.nullish(),
    cu_number: numberish.nullish(),
    parallel_number: numberish.nullish(),
    restart_when_exception: booleanish.nullish(),
    resume_checkpoint: booleanish.nullish(),
    // -1 means no limit.
    resume_max_num: numberish.nullish(),
    checkpoint_path: z.string().nullish(),
    idle_state_retention: numberish.nullish(),
    config_url: z.string().nullish(),
    udf_jar_url: z.string().nullish(),
    // A code in a string ("0", "1", "2:obsDir"), per both tables and seed 000.
    dirty_data_strategy: z.string().nullish(),
    entrypoint: z.string().nullish(),
    dependency_jars: z.array(z.string()).nullish(),
    dependency_files: z.array(z.string()).nullish(),
    tm_cus: numberish.nullish(),
    tm_slot_num: numberish.nullish(),
    image: z.string().nullish(),
    feature: z.string().nullish(),
    flink_version: z.string().nullish(),
    operator_config: z.string().nullish(),
    static_estimator_config: z.string().nullish(),
    runtime_config: z.string().nullish(),
    // Seed 001 table 6 and the SDK model put real_cu_number (and the model
    // resource_config) in job_config; the reference puts both on job_detail.
    // Accept them in both places.
    real_cu_number: numberish.nullish(),
    resource_config: z.looseObject({}).nullish(),
    resource_config_version: z.string().nullish(),
    execution_agency_urn: z.string().nullish(),
    flink_log_config: z.string().nullish(),
  }),
);
export type FlinkJobConfig = z.infer<typeof FlinkJobConfig>;

// Fields that the detail (seed 000 table 3) and list item (seed 001 table 5)
// share. Those the examples send as null are nullish; start_time is null
// until a job first starts (seed 000), or 0 in the list (seed 001).
const flinkJobCommon = {
  job_id: numberish.optional(),
  name: z.string().optional(),
  desc: z.string().optional(),
  job_type: z.string().optional(),
  // Plain string: a status outside FLINK_JOB_STATUSES must still parse.
  status: z.string().optional(),
  status_desc: z.string().optional(),
  create_time: numberish.nullish(),
  start_time: numberish.nullish(),
  update_time: numberish.nullish(),
  user_id: z.string().optional(),
  queue_name: z.string().optional(),
  project_id: z.string().optional(),
  sql_body: z.string().nullish(),
  savepoint_path: z.string().nullish(),
  run_mode: z.string().optional(),
  job_config: FlinkJobConfig.nullish(),
  main_class: z.string().nullish(),
  entrypoint_args: z.string().nullish(),
  execution_graph: z.string().nullish(),
  restart_times: numberish.nullish(),
  has_savepoint: booleanish.nullish(),
  // Seed 001 documents these on list items; the SDK model has them on the
  // job of both APIs.
  user_name: z.string().nullish(),
  // Milliseconds.
  duration: numberish.nullish(),
  root_id: numberish.nullish(),
  graph_editor_enabled: booleanish.nullish(),
  edge_group_ids: z.array(z.string()).nullish(),
};

// Seed 000 table 3, plus the fields the reference (section 3) adds from the
// SDK model.
export const FlinkJobDetail = lazySchema(() =>
  z.looseObject({
    ...flinkJobCommon,
    real_cu_number: numberish.nullish(),
    // max_slot, parallel_number and the jobmanager/taskmanager specs in the SDK
    // model; no page documents it: any object, kept whole.
    resource_config: z.looseObject({}).nullish(),
  }),
);
export type FlinkJobDetail = z.infer<typeof FlinkJobDetail>;

// Seed 000 table 2: every field is documented as optional.
export const FlinkJobDetailResponse = lazySchema(() =>
  z.looseObject({
    is_success: optionalSuccessFlag,
    message: z.string().nullish(),
    job_detail: FlinkJobDetail.optional(),
  }),
);
export type FlinkJobDetailResponse = z.infer<typeof FlinkJobDetailResponse>;

// Seed 001 table 5. Which fields appear depends on show_detail, so every one
// is optional.
export const FlinkJobListItem = lazySchema(() =>
  z.looseObject({
    ...flinkJobCommon,
  }),
);
export type FlinkJobListItem = z.infer<typeof FlinkJobListItem>;

// Seed 001 tables 3 and 4.
export const FlinkJobListResponse = lazySchema(() =>
  z.looseObject({
    is_success: optionalSuccessFlag,
    message: z.string().nullish(),
    job_list: z
      .looseObject({
        total_count: numberish.optional(),
        jobs: z.array(FlinkJobListItem).optional(),
      })
      .optional(),
  }),
);
export type FlinkJobListResponse = z.infer<typeof FlinkJobListResponse>;

// Seed 002 table 3: DLI's copy of Spark's JobData.
export const SqlSubJob = lazySchema(() =>
  z.looseObject({
    id: numberish.optional(),
    name: z.string().optional(),
    description: z.string().nullish(),
    // Java Date.toString() text in seed 002 ("Mon Jul 27 17:24:03 CST 2020"),
    // not epoch-ms; epochMillis keeps such text as sent.
    submission_time: epochMillis.optional(),
    completion_time: epochMillis.optional(),
    stage_ids: z.array(numberish).optional(),
    job_group: z.string().optional(),
    status: z.string().optional(),
    num_tasks: numberish.optional(),
    num_active_tasks: numberish.optional(),
    num_completed_tasks: numberish.optional(),
    num_skipped_tasks: numberish.optional(),
    num_failed_tasks: numberish.optional(),
    num_killed_tasks: numberish.optional(),
    num_completed_indices: numberish.optional(),
    num_active_stages: numberish.optional(),
    num_completed_stages: numberish.optional(),
    num_skipped_stages: numberish.optional(),
    num_failed_stages: numberish.optional(),
    killed_tasks_summary: z.record(z.string(), numberish).optional(),
  }),
);
export type SqlSubJob = z.infer<typeof SqlSubJob>;

// Seed 002 table 2 marks is_success, message and status mandatory; message
// is blank on success, so an empty or null one is accepted too.
export const SqlJobProgressResponse = lazySchema(() =>
  z.looseObject({
    is_success: successFlag,
    message: z.string().nullish(),
    job_id: z.string().optional(),
    // Plain string: a status outside SQL_JOB_STATUSES must still parse.
    status: z.string(),
    // "May be empty" when no sub-job is running.
    sub_job_id: numberish.nullish(),
    // Documented 0..1 but only "a rough estimate": not range-checked, so an
    // odd value cannot break a wait.
    progress: numberish.nullish(),
    sub_jobs: z.array(SqlSubJob).nullish(),
  }),
);
export type SqlJobProgressResponse = z.infer<typeof SqlJobProgressResponse>;

// GET /v1.0/{project_id}/jobs/{job_id}/status (reference section 3,
// "Related"), the fallback when the progress API answers DLI.0999. Its
// message can read like an error even when status is FINISHED.
export const SqlJobStatusResponse = lazySchema(() =>
  z.looseObject({
    is_success: successFlag,
    message: z.string().nullish(),
    job_id: z.string().optional(),
    job_type: z.string().optional(),
    queue_name: z.string().optional(),
    owner: z.string().optional(),
    start_time: numberish.nullish(),
    // Milliseconds.
    duration: numberish.nullish(),
    status: z.string(),
    input_row_count: numberish.nullish(),
    bad_row_count: numberish.nullish(),
    result_count: numberish.nullish(),
    database_name: z.string().nullish(),
    table_name: z.string().nullish(),
    statement: z.string().nullish(),
    job_mode: z.string().nullish(),
    detail: z.string().nullish(),
    // The SDK model's; the pages of this API list the two paths.
    user_conf: z.string().nullish(),
    result_path: z.string().nullish(),
    execution_details_path: z.string().nullish(),
    result_format: z.string().nullish(),
    tags: z.array(z.looseObject({ key: z.string(), value: z.string().nullish() })).nullish(),
  }),
);
export type SqlJobStatusResponse = z.infer<typeof SqlJobStatusResponse>;

// DLI can answer HTTP 200 with is_success false (reference section 5), so
// every DLI body is checked against this before its own schema.
export const DliBaseResponse = lazySchema(() =>
  z.looseObject({
    is_success: successFlag,
    message: z.string().nullish(),
  }),
);
export type DliBaseResponse = z.infer<typeof DliBaseResponse>;

// POST /v1.0/{project_id}/jobs/submit-job (reference "DLI SQL jobs"). DDL and DCL statements run
// synchronously (job_mode "sync"): the answer already holds the outcome. A QUERY answered
// synchronously carries its schema and rows.
export const SqlJobSubmitResponse = lazySchema(() =>
  z.looseObject({
    is_success: successFlag,
    message: z.string().nullish(),
    job_id: z.string().min(1),
    job_type: z.string().nullish(),
    job_mode: z.string().nullish(),
    schema: z.array(z.unknown()).nullish(),
    rows: z.array(z.unknown()).nullish(),
  }),
);
export type SqlJobSubmitResponse = z.infer<typeof SqlJobSubmitResponse>;

// DELETE /v1.0/{project_id}/jobs/{job_id}: only a job that has not finished can be cancelled.
export const SqlJobCancelResponse = lazySchema(() =>
  z.looseObject({
    is_success: successFlag,
    message: z.string().nullish(),
  }),
);
export type SqlJobCancelResponse = z.infer<typeof SqlJobCancelResponse>;

// POST /v1.0/{project_id}/streaming/jobs/run and .../stop answer an array, one entry per job id, in
// order. The docs' example sends is_success as the string "true"; an entry whose flag is not clearly
// true (a job already running, or not running) is that job's failure, under HTTP 200. The flag is kept
// as sent and read with readSuccessFlag where it decides.
export const FlinkJobActionResult = lazySchema(() =>
  z.looseObject({
    is_success: z.unknown(),
    message: z.string().nullish(),
    error_code: z.string().nullish(),
  }),
);
export type FlinkJobActionResult = z.infer<typeof FlinkJobActionResult>;
export const FlinkJobActionResponse = lazySchema(() => z.array(FlinkJobActionResult));
export type FlinkJobActionResponse = z.infer<typeof FlinkJobActionResponse>;
