import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { booleanish, epochMillis, numberish } from '../schema-helpers.js';

// The first five are the doc's (seed 003); STARTTING is the Go SDK enum's
// spelling; PAUSE..INIT come from the API explorer (reference section 3);
// SCHEDULING and PAUSED are the spellings the SDKs' and other DataArts pages
// use.
export const REALTIME_JOB_STATUSES = [
  'STARTING',
  'NORMAL',
  'EXCEPTION',
  'STOPPING',
  'STOPPED',
  'STARTTING',
  'PAUSE',
  'ABNORMAL',
  'DISABLE',
  'OVERLOAD',
  'INIT',
  'SCHEDULING',
  'PAUSED',
] as const;
export type RealtimeJobStatus = (typeof REALTIME_JOB_STATUSES)[number];

// Seed 003 table 4 marks `type` mandatory, yet the example's node has no
// type (and no status); the reference also lists it as nodeType. The
// example's node sends LastInstanceStatus with a capital L (value "waiting",
// not one of the job statuses); the reference also lists lastInstanceStatus. Both spellings are accepted and kept; the normalized
// camelCase ones are added when only the other was sent.
export const RealtimeJobNode = lazySchema(() =>
  z
    .looseObject({
      name: z.string(),
      status: z.string().nullish(),
      logPath: z.string().nullish(),
      type: z.string().nullish(),
      nodeType: z.string().nullish(),
      LastInstanceStatus: z.string().nullish(),
      lastInstanceStatus: z.string().nullish(),
      jobInstanceId: numberish.nullish(),
      bufferRecords: numberish.nullish(),
      speed: numberish.nullish(),
      totalGetBytes: numberish.nullish(),
      totalGetRecords: numberish.nullish(),
      totalPutBytes: numberish.nullish(),
      totalPutRecords: numberish.nullish(),
      // The SDK model's; strings of undocumented content.
      runningData: z.string().nullish(),
      extendCounter: z.string().nullish(),
    })
    .transform((node) => {
      const normalized = { ...node };
      if (normalized.type == null && node.nodeType != null) normalized.type = node.nodeType;
      if (normalized.lastInstanceStatus == null && node.LastInstanceStatus != null) {
        normalized.lastInstanceStatus = node.LastInstanceStatus;
      }
      return normalized;
    }),
);
export type RealtimeJobNode = z.infer<typeof RealtimeJobNode>;

// Seed 003 table 3 marks startTime mandatory, yet the success example sends
// no start time at all; the SDK spells it `starttime`. Times may be epoch-ms
// numbers or strings (reference section 3). startTime is filled from
// starttime when only the latter was sent; both keys are kept.
export const RealtimeJobStatusResponse = lazySchema(() =>
  z
    .looseObject({
      name: z.string(),
      // Plain string: a status outside REALTIME_JOB_STATUSES must still parse.
      status: z.string().nullish(),
      startTime: epochMillis.optional(),
      starttime: epochMillis.optional(),
      endTime: epochMillis.optional(),
      lastUpdateTime: epochMillis.optional(),
      nodes: z.array(RealtimeJobNode).nullish(),
    })
    .transform((response) =>
      response.startTime === undefined && response.starttime !== undefined
        ? { ...response, startTime: response.starttime }
        : response,
    ),
);
export type RealtimeJobStatusResponse = z.infer<typeof RealtimeJobStatusResponse>;

/** Parameters per start: the most JobGate sends (no page gives a limit). */
export const MAX_JOB_PARAMS = 100;

// The pages' JobParam: a name of at most 64 characters, a value of at most 1,024, and an optional
// type, `variable` or `constants`.
const JobParamName = lazySchema(() =>
  z
    .string()
    .min(1, 'expected a parameter name')
    .max(64, 'expected a parameter name of at most 64 characters'),
);
const JobParamValue = lazySchema(() =>
  z
    .string({ error: 'expected a text value' })
    .max(1024, 'expected a parameter value of at most 1024 characters'),
);
const JobParamType = lazySchema(() =>
  z.enum(['variable', 'constants'], { error: 'expected type "variable" or "constants"' }),
);

/** A job's parameters for one start: a list of `{name, value, type?}` or an object of name → value. */
export const JobParams = lazySchema(() =>
  z.preprocess(
    (value) =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.entries(value).map(([name, v]) => ({ name, value: v }))
        : value,
    z
      .array(z.strictObject({ name: JobParamName, value: JobParamValue, type: JobParamType.optional() }), {
        error: 'expected parameters as [{ name, value, type? }] or { name: value }',
      })
      .max(MAX_JOB_PARAMS, `expected at most ${MAX_JOB_PARAMS} parameters`),
  ),
);
export type JobParams = z.input<typeof JobParams>;

// POST /v1/{project_id}/jobs/{job_name}/run-immediate: the new instance's id, a Long.
export const RunImmediateResponse = lazySchema(() => z.looseObject({ instanceId: numberish }));
export type RunImmediateResponse = z.infer<typeof RunImmediateResponse>;

// Instance statuses (reference "DataArts Studio Factory"); nodes add skip, and the v2 pages
// skip-by-depend and freeze.
export const BATCH_INSTANCE_STATUSES = [
  'waiting',
  'running',
  'success',
  'fail',
  'running-exception',
  'pause',
  'manual-stop',
] as const;

export const BatchNodeInstance = lazySchema(() =>
  z.looseObject({
    nodeName: z.string().nullish(),
    // Plain string: a status outside the documented ones must still parse.
    status: z.string().nullish(),
    type: z.string().nullish(),
    queue: z.string().nullish(),
    planTime: epochMillis.optional(),
    startTime: epochMillis.optional(),
    endTime: epochMillis.optional(),
    retryTimes: numberish.nullish(),
    instanceId: numberish.nullish(),
    inputRowCount: numberish.nullish(),
    speed: numberish.nullish(),
    logPath: z.string().nullish(),
  }),
);
export type BatchNodeInstance = z.infer<typeof BatchNodeInstance>;

// GET /v1/{project_id}/jobs/{job_name}/instances/{instance_id}.
export const BatchInstanceResponse = lazySchema(() =>
  z.looseObject({
    jobName: z.string().nullish(),
    instanceId: numberish.nullish(),
    status: z.string().nullish(),
    planTime: epochMillis.optional(),
    startTime: epochMillis.optional(),
    endTime: epochMillis.optional(),
    executeTime: numberish.nullish(),
    total: numberish.nullish(),
    instanceType: numberish.nullish(),
    forceSuccess: booleanish.nullish(),
    ignoreSuccess: booleanish.nullish(),
    nodes: z.array(BatchNodeInstance).nullish(),
  }),
);
export type BatchInstanceResponse = z.infer<typeof BatchInstanceResponse>;
