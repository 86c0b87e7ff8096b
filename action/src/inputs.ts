import {
  type ClientOptions,
  type Credentials,
  fieldsOf,
  getJobKind,
  InputError,
  JOB_KIND_NAMES,
  JOB_KINDS,
  type JobKind,
  type JobRef,
  type JobStartSpec,
  ProjectId,
  parseDuration,
  parseInput,
  parseJobRef,
  parseStartSpec,
  parseStopOptions,
  resolveEndpoint,
  settingsFromEnv,
  startFieldsOf,
  stopFieldsOf,
} from '@jobgate/core';
import { fieldForm, fieldValue, readSqlFile } from './start-inputs.js';

export type WaitFor = 'finished' | 'running' | 'none';
export type Mode = 'wait' | 'run' | 'start';

/** What the client needs, from the inputs and the environment. */
export interface ClientConfig {
  client: ClientOptions;
  /**
   * Where the requests go, as the summary names it: the region, or the endpoint when one is given
   * (it serves every service; shown without any user name or password).
   */
  region: string | undefined;
  /** Temporary credentials from IAM for the job's GitHub id token, instead of keys. */
  oidc: { idpId: string; audience: string; durationSeconds: number } | undefined;
  /** Export the temporary credentials for later steps. */
  exportCredentials: boolean;
}

export interface ActionConfig extends ClientConfig {
  kind: string;
  /** `wait`: the job named by the identity inputs; `run` and `start`: a job this step starts. */
  mode: Mode;
  /** The job waited on; in `run` and `start` modes, known once the start answers. */
  ref: JobRef | undefined;
  /** What starts the job (`run` and `start` modes), checked by its kind's schema. */
  spec: JobStartSpec | undefined;
  /** The kind's stop options, for a stop of the job the step started. */
  stop: Record<string, unknown>;
  /** Stop the started job when the workflow is cancelled. */
  cancelOnAbort: boolean;
  /** Stop the started job when the wait times out. */
  stopOnTimeout: boolean;
  waitFor: WaitFor;
  timeoutMs: number;
  intervalMs: number;
  maxIntervalMs: number;
  failOnUnknown: boolean;
}

type GetInput = (name: string) => string;

/** An endpoint as it may be shown: scheme, host and path, never a user name, password or query. */
function shownEndpoint(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/** Every input that starts or stops a job of some kind, by name: none of them is read in `wait` mode. */
function startAndStopInputs(): Set<string> {
  const names = new Set<string>(['sql_file']);
  for (const kind of JOB_KINDS)
    for (const field of [...startFieldsOf(kind), ...stopFieldsOf(kind)]) names.add(field.input);
  for (const kind of JOB_KINDS) for (const field of fieldsOf(kind)) names.delete(field.input);
  return names;
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Core errors name camelCase fields; the workflow author knows the snake_case inputs. */
export function inputErrorOf(error: InputError): InputError {
  const input =
    error.field.split('.')[0] === 'credentials'
      ? 'access_key/secret_key'
      : snake(error.field.split('.')[0] ?? error.field);
  return input === error.field ? error : new InputError(input, error.message.slice(error.field.length + 2));
}

function asInputError(error: unknown): never {
  throw error instanceof InputError ? inputErrorOf(error) : error;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(name, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

function booleanInput(name: string, value: string): boolean {
  if (/^(true|yes|on)$/i.test(value)) return true;
  if (/^(false|no|off)$/i.test(value)) return false;
  throw new InputError(name, `expected true or false, got ${JSON.stringify(value)}`);
}

/**
 * Reads and checks every input before any request. Explicit inputs win over
 * the environment (HUAWEI_CLOUD_* of huaweicloud/auth-action, then
 * HUAWEICLOUD_SDK_*). Each problem names its input and what was expected.
 */
export async function readInputs(
  get: GetInput,
  env: Record<string, string | undefined>,
): Promise<ActionConfig> {
  const input = (name: string) => get(name).trim();
  const kindName = input('job_kind');
  if (!kindName) throw new InputError('job_kind', `required; expected one of ${JOB_KIND_NAMES.join(', ')}`);
  const kind = (() => {
    try {
      return getJobKind(kindName);
    } catch {
      throw new InputError(
        'job_kind',
        `expected one of ${JOB_KIND_NAMES.join(', ')}, got ${JSON.stringify(kindName)}`,
      );
    }
  })();

  const mode = oneOf<Mode>('mode', input('mode') || 'wait', ['wait', 'run', 'start']);
  const started = mode === 'wait' ? undefined : await readStart(get, env, kind);
  let ref: Record<string, unknown> | undefined;
  if (mode === 'wait') {
    for (const name of startAndStopInputs())
      if (input(name)) throw new InputError(name, 'only with mode run or start (a job this step starts)');
    ref = { kind: kind.name };
    for (const field of fieldsOf(kind)) {
      const value = input(field.input);
      if (!value && field.required)
        throw new InputError(field.input, `required for job_kind ${kind.name}: ${field.description}`);
      if (value) ref[field.key] = value;
    }
    try {
      parseJobRef(ref);
    } catch (error) {
      asInputError(error);
    }
  }
  const cancelOnAbort = booleanInput('cancel_on_abort', input('cancel_on_abort') || 'true');
  const stopOnTimeout = booleanInput('stop_on_timeout', input('stop_on_timeout') || 'false');

  const waitFor = oneOf<WaitFor>('wait_for', input('wait_for') || 'finished', [
    'finished',
    'running',
    'none',
  ]);
  const timeoutMs = parseDuration('timeout', input('timeout') || '60m');
  const intervalMs = parseDuration('poll_interval', input('poll_interval') || '5s');
  const maxIntervalMs = parseDuration('max_poll_interval', input('max_poll_interval') || '60s');
  if (maxIntervalMs < intervalMs) {
    throw new InputError(
      'max_poll_interval',
      `expected at least poll_interval (${input('poll_interval')}), got ${input('max_poll_interval')}`,
    );
  }
  const failOnUnknown = booleanInput('fail_on_unknown', input('fail_on_unknown') || 'true');

  const clientConfig = readClientInputs(get, env, kind.service);

  return {
    kind: kind.name,
    mode,
    ref: ref as JobRef | undefined,
    spec: started?.spec,
    stop: started?.stop ?? {},
    cancelOnAbort,
    stopOnTimeout,
    waitFor,
    timeoutMs,
    intervalMs,
    maxIntervalMs,
    failOnUnknown,
    ...clientConfig,
  };
}

/** What talking to Huawei Cloud takes (region, project, credentials, endpoint), for the main and post steps. */
export function readClientInputs(
  get: GetInput,
  env: Record<string, string | undefined>,
  service: JobKind['service'],
): ClientConfig {
  const input = (name: string) => get(name).trim();
  const fromEnv = settingsFromEnv(env);
  const region = input('region') || fromEnv.region;
  const rawProjectId = input('project_id') || fromEnv.projectId;
  if (!rawProjectId)
    throw new InputError(
      'project_id',
      'required; set it or HUAWEI_CLOUD_PROJECT_ID / HUAWEICLOUD_SDK_PROJECT_ID',
    );
  const projectId = parseInput(ProjectId, rawProjectId, 'project_id');

  let credentials: Credentials | undefined;
  const authToken = input('auth_token');
  const accessKey = input('access_key');
  const secretKey = input('secret_key');
  const oidc = readOidc(input, env, Boolean(authToken || accessKey || secretKey));
  const exportCredentials = booleanInput('export_credentials', input('export_credentials') || 'false');
  if (exportCredentials && !oidc)
    throw new InputError(
      'export_credentials',
      'needs identity_provider: only temporary credentials are exported',
    );
  if (oidc) credentials = undefined;
  else if (authToken) credentials = { authToken };
  else if (accessKey || secretKey) {
    if (!accessKey) throw new InputError('access_key', 'required when secret_key is given');
    if (!secretKey) throw new InputError('secret_key', 'required when access_key is given');
    const securityToken = input('security_token');
    credentials = { accessKey, secretKey, ...(securityToken ? { securityToken } : {}) };
  } else credentials = fromEnv.credentials;
  if (!credentials && !oidc) {
    throw new InputError(
      'access_key',
      'no credentials: set access_key and secret_key (or auth_token), or run huaweicloud/auth-action first, or set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK',
    );
  }

  const endpoint = input('endpoint') || undefined;
  try {
    resolveEndpoint(service, { region, endpoint });
    if (oidc) resolveEndpoint('iam', { region, endpoint });
  } catch (error) {
    asInputError(error);
  }

  return {
    region: endpoint ? shownEndpoint(endpoint) : region,
    oidc,
    exportCredentials,
    client: { region, projectId, credentials, endpoint, env: {} },
  };
}

/**
 * What starts a job of `kind` (mode `run` or `start`): each field of its start spec from the input of
 * its name, in the form its schema takes (see start-inputs.ts), then the kind's stop options; inputs that
 * say which job to wait on, or belong to another kind, are refused rather than ignored.
 */
async function readStart(
  get: GetInput,
  env: Record<string, string | undefined>,
  kind: JobKind,
): Promise<{ spec: JobStartSpec; stop: Record<string, unknown> }> {
  const input = (name: string) => get(name).trim();
  if (!kind.start)
    throw new InputError('mode', `a ${kind.title} cannot be started; use mode wait with its identity`);
  const startFields = startFieldsOf(kind);
  const stopFields = stopFieldsOf(kind);
  const own = new Set([...startFields, ...stopFields].map((f) => f.input));
  if (startFields.some((f) => f.key === 'sql')) own.add('sql_file');
  for (const field of fieldsOf(kind))
    if (!own.has(field.input) && input(field.input))
      throw new InputError(
        field.input,
        `not used with mode run or start: the start of a ${kind.title} gives it (it is an output)`,
      );
  for (const name of startAndStopInputs())
    if (!own.has(name) && input(name)) throw new InputError(name, `not an input of a ${kind.title}`);

  const values = async (fields: typeof startFields, schema: { shape: Record<string, unknown> }) => {
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      // Multi-line text (`sql: |`) keeps its lines; only the ends are trimmed.
      const text = input(field.input);
      if (text) out[field.key] = await fieldValue(field.input, fieldForm(schema, field.key), text);
    }
    return out;
  };
  const spec: Record<string, unknown> = { kind: kind.name, ...(await values(startFields, kind.start.spec)) };
  const sqlFile = input('sql_file');
  if (sqlFile) {
    if (spec.sql !== undefined) throw new InputError('sql_file', 'give either sql or sql_file, not both');
    spec.sql = readSqlFile(sqlFile, env.GITHUB_WORKSPACE || process.cwd());
  }
  for (const field of startFields)
    if (field.required && spec[field.key] === undefined)
      throw new InputError(
        field.input,
        `required to start a ${kind.title}${field.key === 'sql' ? ' (or sql_file)' : ''}: ${field.description}`,
      );
  let stop: Record<string, unknown> = {};
  try {
    parseStartSpec(spec);
    stop = kind.stop ? await values(stopFields, kind.stop.spec) : {};
    if (kind.stop) parseStopOptions(kind, stop);
  } catch (error) {
    // A statement read from a file is the file's fault.
    if (sqlFile && error instanceof InputError && error.field === 'sql')
      throw new InputError('sql_file', error.message.slice('sql: '.length));
    asInputError(error);
  }
  return { spec: spec as JobStartSpec, stop };
}

/** GitHub OIDC: `identity_provider`, `audience` and `credentials_duration`, with the id-token permission. */
function readOidc(
  input: (name: string) => string,
  env: Record<string, string | undefined>,
  keysGiven: boolean,
): ActionConfig['oidc'] {
  const idpId = input('identity_provider');
  if (!idpId) return undefined;
  if (keysGiven)
    throw new InputError(
      'identity_provider',
      'give either identity_provider or access_key/secret_key/auth_token, not both',
    );
  if (!/^[\x21-\x7e]{1,64}$/.test(idpId))
    throw new InputError(
      'identity_provider',
      `expected the id of an IAM identity provider (up to 64 visible characters), got ${JSON.stringify(idpId)}`,
    );
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
    throw new InputError(
      'identity_provider',
      'this job may not ask GitHub for an id token: add `permissions: id-token: write` to the job (with `contents: read` if it checks out code)',
    );
  const durationMs = parseDuration('credentials_duration', input('credentials_duration') || '1h');
  if (durationMs % 1000 !== 0 || durationMs < 900_000 || durationMs > 86_400_000)
    throw new InputError(
      'credentials_duration',
      `expected whole seconds from 15m to 24h (what IAM issues), got ${JSON.stringify(input('credentials_duration'))}`,
    );
  return { idpId, audience: input('audience') || idpId, durationSeconds: durationMs / 1000 };
}
