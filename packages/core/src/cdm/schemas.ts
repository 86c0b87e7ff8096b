import { z } from 'zod';
import { lazySchema } from '../lazy-schema.js';
import { booleanish, numberish } from '../schema-helpers.js';

// Seed 004's status row is empty (the list was lost from the page). The
// first seven are the reference's (section 3); the last three are only
// shown by consoles.
export const CDM_JOB_STATUSES = [
  'BOOTING',
  'FAILURE_ON_SUBMIT',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'UNKNOWN',
  'NEVER_EXECUTED',
  'NEW',
  'PENDING',
  'STOPPED',
] as const;
export type CdmJobStatus = (typeof CDM_JOB_STATUSES)[number];

export const SQOOP_COUNTERS_KEY = 'org.apache.sqoop.submission.counter.SqoopCounters';

// CDM is Sqoop underneath; its counters group keeps Sqoop's class name as key.
export const CdmCounters = lazySchema(() =>
  z.looseObject({
    BYTES_WRITTEN: numberish.optional(),
    TOTAL_FILES: numberish.optional(),
    ROWS_READ: numberish.optional(),
    BYTES_READ: numberish.optional(),
    ROWS_WRITTEN: numberish.optional(),
    FILES_WRITTEN: numberish.optional(),
    FILES_READ: numberish.optional(),
    TOTAL_SIZE: numberish.optional(),
    FILES_SKIPPED: numberish.optional(),
    ROWS_WRITTEN_SKIPPED: numberish.optional(),
  }),
);
export type CdmCounters = z.infer<typeof CdmCounters>;

// Keys mix kebab-case, camelCase and snake_case in one object, as the doc
// lists them. Dates are documented Long but seed 004 sends
// "creation-date" as a string, so every number is numberish. A running
// submission may carry only job-name, status and the creation fields
// (reference section 3), so everything else is optional.
export const CdmSubmission = lazySchema(() =>
  z.looseObject({
    'job-name': z.string(),
    // Plain string: a status outside CDM_JOB_STATUSES must still parse.
    status: z.string(),
    isIncrementing: booleanish.optional(),
    // Documented as String while its siblings are Boolean: kept as sent.
    isStopingIncrement: z.union([z.string(), z.boolean()]).optional(),
    'is-execute-auto': booleanish.optional(),
    isDeleteJob: booleanish.optional(),
    'creation-user': z.string().optional(),
    'creation-date': numberish.optional(),
    'last-update-date': numberish.optional(),
    'last-update-user': z.string().optional(),
    // The doc's spelling (seed 004 table); the reference says the service
    // sends last-update-user. Both accepted.
    'last-udpate-user': z.string().optional(),
    'execute-date': numberish.optional(),
    'external-id': z.string().optional(),
    // -1 on failure, else 0..100 (not 0..1 as DLI SQL progress). Not
    // range-checked: it is only displayed.
    progress: numberish.optional(),
    'submission-id': numberish.optional(),
    delete_rows: numberish.optional(),
    update_rows: numberish.optional(),
    write_rows: numberish.optional(),
    // Only present when status is SUCCEEDED.
    counters: z
      .looseObject({
        [SQOOP_COUNTERS_KEY]: CdmCounters.optional(),
      })
      .optional(),
    // Only present when status is FAILED.
    'error-details': z.string().optional(),
    'error-summary': z.string().optional(),
  }),
);
export type CdmSubmission = z.infer<typeof CdmSubmission>;

// Several submissions may come back (reference section 3).
export const CdmJobStatusResponse = lazySchema(() =>
  z.looseObject({
    submissions: z.array(CdmSubmission),
  }),
);
export type CdmJobStatusResponse = z.infer<typeof CdmJobStatusResponse>;

/** Variables per start: the most JobGate sends (no page gives a limit). */
export const MAX_CDM_VARIABLES = 100;

/** A migration job's variables for one run: name → value. */
export const CdmVariables = lazySchema(() =>
  z
    .record(
      z
        .string()
        .min(1, 'expected a variable name')
        .max(128, 'expected a variable name of at most 128 characters'),
      z.string({ error: 'expected a text value' }).max(1024, 'expected a value of at most 1024 characters'),
      { error: 'expected variables as { name: value }' },
    )
    .refine(
      (v) => Object.keys(v).length <= MAX_CDM_VARIABLES,
      `expected at most ${MAX_CDM_VARIABLES} variables`,
    ),
);
export type CdmVariables = z.input<typeof CdmVariables>;

// PUT .../cdm/job/{job_name}/start: the new submission (the SDK's StartJobSubmission).
export const CdmStartJobResponse = lazySchema(() =>
  z.looseObject({
    submissions: z.array(CdmSubmission),
  }),
);
export type CdmStartJobResponse = z.infer<typeof CdmStartJobResponse>;

// PUT .../cdm/job/{job_name}/stop: `{"validation-result": [{status, message}]}`; an ERROR entry says
// the stop was refused.
export const CdmStopJobResponse = lazySchema(() =>
  z.looseObject({
    'validation-result': z
      .array(z.looseObject({ status: z.string().nullish(), message: z.string().nullish() }))
      .nullish(),
  }),
);
export type CdmStopJobResponse = z.infer<typeof CdmStopJobResponse>;
