import { z } from 'zod';
import { epochMillis, numberish } from '../schema-helpers.js';

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
export const RealtimeJobNode = z
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
  });
export type RealtimeJobNode = z.infer<typeof RealtimeJobNode>;

// Seed 003 table 3 marks startTime mandatory, yet the success example sends
// no start time at all; the SDK spells it `starttime`. Times may be epoch-ms
// numbers or strings (reference section 3). startTime is filled from
// starttime when only the latter was sent; both keys are kept.
export const RealtimeJobStatusResponse = z
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
  );
export type RealtimeJobStatusResponse = z.infer<typeof RealtimeJobStatusResponse>;
