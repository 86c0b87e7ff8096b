import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { humanIssue } from '@jobgate/core';
import { z } from 'zod';
import { FaultSchema } from './faults.js';

/** The scenario that ships with the package; resolved from the module so it works from src and dist. */
export const DEFAULT_SCENARIO_PATH = fileURLToPath(new URL('../scenarios/default.json', import.meta.url));

/**
 * The shape of the answers. `sdk` (the default): the official SDKs' response models, which is what their
 * decoders accept (e.g. DataArts `starttime` as a string, CDM dates as integers). `documented`: the API
 * pages' tables and example responses (DataArts `startTime` as a number and the example's node counters,
 * CDM `creation-date` as a numeric string). The real services have been seen answering either way.
 */
export const DialectSchema = z.enum(['sdk', 'documented']);
export type Dialect = z.infer<typeof DialectSchema>;
export const DEFAULT_DIALECT: Dialect = 'sdk';

// Statuses as documented (reference section 3), including the variants the SDKs and consoles show, so
// that a typo in a scenario is caught. A step's `extra.status` can still send anything.
export const FlinkStatusSchema = z.enum([
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
]);
export const SqlStatusSchema = z.enum(['LAUNCHING', 'RUNNING', 'SCALING', 'FINISHED', 'FAILED', 'CANCELLED']);
export const DataArtsStatusSchema = z.enum([
  'STARTING',
  'NORMAL',
  'EXCEPTION',
  'STOPPING',
  'STOPPED',
  'STARTTING',
  'SCHEDULING',
  'PAUSE',
  'PAUSED',
  'ABNORMAL',
  'DISABLE',
  'OVERLOAD',
  'INIT',
]);
/** A DataArts batch job run (instance); its nodes add `skip`, and the v2 pages `skip-by-depend` and `freeze`. */
export const BatchStatusSchema = z.enum([
  'waiting',
  'running',
  'success',
  'fail',
  'running-exception',
  'pause',
  'manual-stop',
]);
export const CdmStatusSchema = z.enum([
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
]);

const stepBase = {
  /** How long the job stays in this step, in emulator milliseconds. Omitted on the last step: it stays. */
  durationMs: z.number().nonnegative().optional(),
  message: z.string().optional(),
  /** Fields merged last into the answer's job object (CDM: the submission), to script odd shapes. */
  extra: z.record(z.string(), z.unknown()).optional(),
};

export const FlinkStepSchema = z.strictObject({
  status: FlinkStatusSchema,
  ...stepBase,
  statusDesc: z.string().optional(),
});

/** A Spark sub-job in the progress API's own snake_case shape; missing fields come from the seed. */
export const SqlSubJobSchema = z.looseObject({
  id: z.int().nonnegative(),
  name: z.string().optional(),
  status: z.string().optional(),
  num_tasks: z.int().nonnegative().optional(),
});

export const SqlStepSchema = z.strictObject({
  status: SqlStatusSchema,
  ...stepBase,
  /** 0..1; rises linearly towards the next step's progress when both are given. */
  progress: z.number().min(0).max(1).optional(),
  subJobs: z.array(SqlSubJobSchema).optional(),
});

/** A DataArts node in the API's own shape (seed 003); missing fields come from the seed. */
export const DataArtsNodeSchema = z.looseObject({
  name: z.string().min(1),
  status: z.string().optional(),
});

export const DataArtsStepSchema = z.strictObject({
  status: DataArtsStatusSchema,
  ...stepBase,
  nodes: z.array(DataArtsNodeSchema).optional(),
});

/** A node of a batch run in the instance API's shape (`nodeName` or `name`); missing fields are filled in. */
export const BatchNodeSchema = z.looseObject({
  name: z.string().min(1),
  type: z.string().optional(),
  status: z.string().optional(),
});

export const BatchStepSchema = z.strictObject({
  status: BatchStatusSchema,
  ...stepBase,
  /** The nodes in this step; a node without a status shares the run's. */
  nodes: z.array(BatchNodeSchema).optional(),
});

export const CdmStepSchema = z.strictObject({
  status: CdmStatusSchema,
  ...stepBase,
  /** -1 on failure, else 0..100 (the CDM page's definition). */
  progress: z.number().min(-1).max(100).optional(),
  /** The SqoopCounters object: BYTES_WRITTEN, ROWS_READ, ...; sent only while SUCCEEDED. */
  counters: z.record(z.string(), z.number()).optional(),
  errorDetails: z.string().optional(),
  errorSummary: z.string().optional(),
});

/** Steps of a lifecycle: every step but the last needs its duration (checked on the whole job). */
const stepsOf = <S extends z.ZodType>(step: S) => z.array(step).min(1);

const jobBase = {
  /** The project the job lives in; omitted = visible in every project. */
  projectId: z.string().min(1).optional(),
  /** Creation time in epoch ms; omitted = the emulator time at which the job is added. */
  createdAt: z.int().nonnegative().optional(),
  description: z.string().optional(),
  /** This job's answers in this dialect, whatever the scenario's or the command line's. */
  dialect: DialectSchema.optional(),
};

export const FlinkJobSchema = z.strictObject({
  kind: z.literal('dli-flink'),
  jobId: z.int().positive(),
  ...jobBase,
  name: z.string().max(57).optional(),
  desc: z.string().optional(),
  jobType: z
    .enum(['flink_sql_job', 'flink_opensource_sql_job', 'flink_jar_job', 'flink_sql_edge_job'])
    .optional(),
  queueName: z.string().optional(),
  userName: z.string().optional(),
  userId: z.string().optional(),
  runMode: z.enum(['shared_cluster', 'exclusive_cluster', 'edge_node']).optional(),
  sqlBody: z.string().optional(),
  steps: z.array(FlinkStepSchema).min(1),
  /** The lifecycle a start plays from the moment it is accepted (else the scenario's, else the default). */
  onStart: stepsOf(FlinkStepSchema).optional(),
});

export const SqlJobSchema = z.strictObject({
  kind: z.literal('dli-sql'),
  jobId: z.guid('expected a DLI SQL job id (a UUID such as 3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60)'),
  ...jobBase,
  jobType: z.string().optional(),
  jobMode: z.enum(['sync', 'async']).optional(),
  queueName: z.string().optional(),
  owner: z.string().optional(),
  statement: z.string().optional(),
  databaseName: z.string().optional(),
  tableName: z.string().optional(),
  /** `unsupported` makes the progress API answer DLI.0999, as on queues with an old backend. */
  progressApi: z.enum(['ok', 'unsupported']).optional(),
  steps: z.array(SqlStepSchema).min(1),
  /** The lifecycle a start plays from the moment it is accepted (else the scenario's, else the default). */
  onStart: stepsOf(SqlStepSchema).optional(),
});

export const DataArtsJobSchema = z.strictObject({
  kind: z.literal('dataarts-realtime'),
  jobName: z.string().min(1),
  /** The workspace id sent in the `workspace` header; omitted = the default workspace (no header). */
  workspace: z.string().min(1).optional(),
  ...jobBase,
  /** The node list used by steps that give none. */
  nodes: z.array(DataArtsNodeSchema).optional(),
  steps: z.array(DataArtsStepSchema).min(1),
  /** The lifecycle a start plays from the moment it is accepted (else the scenario's, else the default). */
  onStart: stepsOf(DataArtsStepSchema).optional(),
});

export const CdmJobSchema = z.strictObject({
  kind: z.literal('cdm'),
  clusterId: z.string().min(1),
  jobName: z.string().min(1),
  ...jobBase,
  creationUser: z.string().optional(),
  isIncrementing: z.boolean().optional(),
  steps: z.array(CdmStepSchema).min(1),
  /** The lifecycle a start plays from the moment it is accepted (else the scenario's, else the default). */
  onStart: stepsOf(CdmStepSchema).optional(),
});

/**
 * One run (instance) of a DataArts Factory batch job. The job exists for run-immediate as soon as one of
 * its runs is in the scenario; each run-immediate adds a run with the next instance id.
 */
export const DataArtsBatchJobSchema = z.strictObject({
  kind: z.literal('dataarts-batch'),
  jobName: z.string().min(1),
  /** The workspace id sent in the `workspace` header; omitted = the default workspace (no header). */
  workspace: z.string().min(1).optional(),
  instanceId: z.int().positive(),
  /** The instance type the API reports: 7 is a one-off run (what run-immediate makes); default 0. */
  instanceType: z.int().nonnegative().optional(),
  ...jobBase,
  /** The node list used by steps that give none. */
  nodes: z.array(BatchNodeSchema).optional(),
  steps: z.array(BatchStepSchema).min(1),
  onStart: stepsOf(BatchStepSchema).optional(),
});

function checkDurations(
  steps: readonly { durationMs?: number | undefined }[],
  path: PropertyKey[],
  ctx: z.RefinementCtx,
) {
  steps.forEach((step, i) => {
    if (i < steps.length - 1 && step.durationMs === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, i, 'durationMs'],
        message: 'Required on every step but the last (only the last step may last forever)',
      });
    }
  });
}

export const JobSchema = z
  .discriminatedUnion('kind', [
    FlinkJobSchema,
    SqlJobSchema,
    DataArtsJobSchema,
    DataArtsBatchJobSchema,
    CdmJobSchema,
  ])
  .superRefine((job, ctx) => {
    checkDurations(job.steps, ['steps'], ctx);
    if (job.onStart) checkDurations(job.onStart, ['onStart'], ctx);
  });

/**
 * The lifecycle a start plays for a kind's jobs that have none of their own; for SQL, only statements
 * matching `statement` (a regular expression, case-insensitive) when it is given. The first rule that
 * applies wins.
 */
const rule = <K extends string, S extends z.ZodType>(kind: K, step: S) =>
  z.strictObject({ kind: z.literal(kind), steps: stepsOf(step) });
export const OnStartRuleSchema = z
  .discriminatedUnion('kind', [
    rule('dli-flink', FlinkStepSchema),
    rule('dli-sql', SqlStepSchema).extend({
      statement: z
        .string()
        .min(1)
        .refine((source) => {
          try {
            new RegExp(source, 'i');
            return true;
          } catch {
            return false;
          }
        }, 'Not a valid regular expression')
        .optional(),
    }),
    rule('dataarts-realtime', DataArtsStepSchema),
    rule('dataarts-batch', BatchStepSchema),
    rule('cdm', CdmStepSchema),
  ])
  .superRefine((r, ctx) => checkDurations(r.steps, ['steps'], ctx));

export const CredentialSchema = z.strictObject({
  accessKey: z.string().min(1),
  secretKey: z.string().min(1),
  projectId: z.string().min(1),
  /** Temporary credentials: the request must carry this X-Security-Token, signed. */
  securityToken: z.string().min(1).optional(),
});

export const TokenSchema = z.strictObject({
  token: z.string().min(1),
  projectId: z.string().min(1),
});

/** A claim's allowed values: one, or any of several; `*` in a value matches any run of characters. */
const ClaimMatch = z.union([z.string(), z.array(z.string()).min(1)]);

/**
 * One mapping rule of an identity provider: when every listed claim of the id token matches, the token is
 * allowed (temporary credentials for the provider's project) or refused. The first rule that matches decides;
 * a token no rule matches is refused, as IAM refuses a token its mapping grants no user group.
 */
export const MappingRuleSchema = z.strictObject({
  claims: z.record(z.string(), ClaimMatch),
  allow: z.boolean().default(true),
});

/** A public key of an issuer's JWKS (RSA, for RS256). */
const JwkSchema = z.looseObject({
  kty: z.string(),
  kid: z.string().optional(),
  n: z.string(),
  e: z.string(),
});

/**
 * An IAM identity provider of protocol OIDC with programmatic access: the id token's `iss` must be `issuer`,
 * its `aud` must hold `clientId`, and its RS256 signature must verify against `jwks` (the OIDC
 * configuration's `signing_key`, stored statically as IAM stores it).
 */
export const IdentityProviderSchema = z.strictObject({
  id: z.string().min(1).max(64),
  issuer: z.string().min(1),
  clientId: z.string().min(1),
  jwks: z.strictObject({ keys: z.array(JwkSchema).min(1) }),
  /** The project the user group of the mapping is granted: requests there are allowed. */
  projectId: z.string().min(1),
  rules: z.array(MappingRuleSchema).default([]),
});

export const ScenarioSchema = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().optional(),
    /** The dialect of every job that names none (default `sdk`); `--dialect` overrides it. */
    dialect: DialectSchema.optional(),
    credentials: z.array(CredentialSchema).min(1),
    tokens: z.array(TokenSchema).optional(),
    /** OIDC identity providers IAM trusts: id tokens they vouch for are exchanged for temporary credentials. */
    identityProviders: z.array(IdentityProviderSchema).optional(),
    jobs: z.array(JobSchema).default([]),
    /** Lifecycles of started jobs, by kind (and SQL statement pattern): see OnStartRuleSchema. */
    onStart: z.array(OnStartRuleSchema).optional(),
    faults: z.array(FaultSchema).optional(),
    rateLimit: z.strictObject({ perAkPerSecond: z.int().positive() }).optional(),
  })
  .superRefine((scenario, ctx) => {
    const seenKeys = new Map<string, number>();
    scenario.credentials.forEach((credential, i) => {
      const first = seenKeys.get(credential.accessKey);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['credentials', i, 'accessKey'],
          message: `Duplicate access key (already in credentials[${first}])`,
        });
      } else seenKeys.set(credential.accessKey, i);
    });
    const seenProviders = new Map<string, number>();
    (scenario.identityProviders ?? []).forEach((provider, i) => {
      const first = seenProviders.get(provider.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['identityProviders', i, 'id'],
          message: `Duplicate identity provider id (already in identityProviders[${first}])`,
        });
      } else seenProviders.set(provider.id, i);
    });
    const seenJobs = new Map<string, number>();
    scenario.jobs.forEach((job, i) => {
      const key = jobKey(job);
      const first = seenJobs.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['jobs', i],
          message: `Duplicate job: same kind and identity as jobs[${first}]`,
        });
      } else seenJobs.set(key, i);
    });
  });

export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type Job = z.infer<typeof JobSchema>;
export type JobInput = z.input<typeof JobSchema>;
export type FlinkJob = z.infer<typeof FlinkJobSchema>;
export type SqlJob = z.infer<typeof SqlJobSchema>;
export type DataArtsJob = z.infer<typeof DataArtsJobSchema>;
export type CdmJob = z.infer<typeof CdmJobSchema>;
export type DataArtsBatchJob = z.infer<typeof DataArtsBatchJobSchema>;
export type OnStartRule = z.infer<typeof OnStartRuleSchema>;
export type OnStartRuleInput = z.input<typeof OnStartRuleSchema>;
export type Credential = z.infer<typeof CredentialSchema>;
export type IdentityProvider = z.infer<typeof IdentityProviderSchema>;
export type IdentityProviderInput = z.input<typeof IdentityProviderSchema>;
export type MappingRule = z.infer<typeof MappingRuleSchema>;

/** A job's identity within the emulator: kind, project and the kind's own id fields. */
export function jobKey(job: Job): string {
  const project = job.projectId ?? '*';
  switch (job.kind) {
    case 'dli-flink':
      return JSON.stringify([job.kind, project, job.jobId]);
    case 'dli-sql':
      return JSON.stringify([job.kind, project, job.jobId.toLowerCase()]);
    case 'dataarts-realtime':
      return JSON.stringify([job.kind, project, job.workspace ?? '', job.jobName]);
    case 'dataarts-batch':
      return JSON.stringify([job.kind, project, job.workspace ?? '', job.jobName, job.instanceId]);
    case 'cdm':
      return JSON.stringify([job.kind, project, job.clusterId, job.jobName]);
  }
}

export interface ScenarioIssue {
  /** e.g. `jobs[2].steps[0].status` */
  path: string;
  message: string;
}

/** A scenario (or admin payload) that does not validate; the message names every bad field. */
export class ScenarioError extends Error {
  readonly code = 'EMULATOR_BAD_SCENARIO';
  readonly issues: ScenarioIssue[];

  constructor(source: string, issues: ScenarioIssue[]) {
    super(`Invalid ${source}:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
    this.name = 'ScenarioError';
    this.issues = issues;
  }
}

export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

/**
 * The core's words for bad input (`expected at most 57 characters`), never the schema library's; a field
 * left out is `required` whatever its type, and a map of fields is an object.
 */
const scenarioIssue: z.core.$ZodErrorMap = (issue) => {
  if (issue.input === undefined && issue.code !== 'custom' && issue.code !== 'unrecognized_keys')
    return 'required';
  if (issue.code === 'invalid_type' && issue.expected === 'record') return 'expected an object';
  return humanIssue(issue);
};

function validate<S extends z.ZodType>(schema: S, data: unknown, source: string, prefix = ''): z.infer<S> {
  const result = schema.safeParse(data, { error: scenarioIssue });
  if (result.success) return result.data;
  throw new ScenarioError(
    source,
    result.error.issues.map((issue) => ({ path: formatPath(issue.path, prefix), message: issue.message })),
  );
}

export function parseScenario(data: unknown, source = 'scenario'): Scenario {
  return validate(ScenarioSchema, data, source);
}

/** One job or an array of jobs, as the admin API takes them. */
export function parseJobs(data: unknown, source = 'jobs'): Job[] {
  if (Array.isArray(data)) return validate(z.array(JobSchema), data, source, 'jobs');
  return [validate(JobSchema, data, source, 'job')];
}

export function parseOnStart(data: unknown, source = 'onStart'): OnStartRule[] {
  if (Array.isArray(data)) return validate(z.array(OnStartRuleSchema), data, source, 'onStart');
  return [validate(OnStartRuleSchema, data, source, 'onStart')];
}

export function parseFaults(data: unknown, source = 'faults'): z.infer<typeof FaultSchema>[] {
  if (Array.isArray(data)) return validate(z.array(FaultSchema), data, source, 'faults');
  return [validate(FaultSchema, data, source, 'fault')];
}

export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(`scenario file ${path}`, [
      { path: '', message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` },
    ]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(`scenario file ${path}`, [
      { path: '', message: `not valid JSON (${(error as Error).message})` },
    ]);
  }
  return parseScenario(data, `scenario file ${path}`);
}

/** A scenario given as a parsed object, a file path, or nothing (the default scenario). */
export function resolveScenario(scenario: ScenarioInput | Scenario | string | undefined): Scenario {
  if (scenario === undefined) return loadScenarioFile(DEFAULT_SCENARIO_PATH);
  if (typeof scenario === 'string') return loadScenarioFile(scenario);
  return parseScenario(scenario);
}
