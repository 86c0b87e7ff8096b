import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type ClientOptions,
  type Credentials,
  fieldsOf,
  getJobKind,
  InputError,
  JOB_KIND_NAMES,
  type JobKind,
  type JobKindField,
  type JobRef,
  type JobStartSpec,
  parseDuration,
  parseJobRef,
  parseStartSpec,
  parseStopOptions,
  redactor,
  settingsFromEnv,
  startFieldsOf,
  stopFieldsOf,
  WAIT_DEFAULTS,
  type WaitUntil,
} from '@jobgate/core';
import { UsageError } from './exit-codes.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** For help: the value's placeholder and what the option means. */
  value?: string;
  help: string;
}

export type Options = Record<string, OptionSpec>;
export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** A job field's flag: jobId is --job-id, clusterId --cluster-id. */
export const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export const CONNECTION_OPTIONS: Options = {
  region: { type: 'string', value: 'REGION', help: 'such as cn-north-4 (HUAWEI_CLOUD_REGION)' },
  'project-id': {
    type: 'string',
    value: 'ID',
    help: 'the project (HUAWEI_CLOUD_PROJECT_ID, HUAWEICLOUD_SDK_PROJECT_ID)',
  },
  endpoint: {
    type: 'string',
    value: 'URL',
    help: 'one endpoint for every service: private deployments, the emulator (JOBGATE_ENDPOINT)',
  },
  'access-key': {
    type: 'string',
    value: 'AK',
    help: 'access key (HUAWEI_CLOUD_ACCESS_KEY_ID, HUAWEICLOUD_SDK_AK)',
  },
  'secret-key': {
    type: 'string',
    value: 'SK',
    help: 'secret key (HUAWEI_CLOUD_SECRET_ACCESS_KEY, HUAWEICLOUD_SDK_SK)',
  },
  'security-token': {
    type: 'string',
    value: 'TOKEN',
    help: 'security token of temporary credentials (HUAWEICLOUD_SDK_SECURITY_TOKEN)',
  },
  'auth-token': { type: 'string', value: 'TOKEN', help: 'an IAM token instead of AK/SK' },
};

export const OUTPUT_OPTIONS: Options = {
  json: { type: 'boolean', help: 'one JSON event per line (newline-delimited JSON), for scripts' },
  quiet: { type: 'boolean', short: 'q', help: 'print only the verdict' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const WAIT_OPTIONS: Options = {
  until: {
    type: 'string',
    value: 'WHAT',
    help: 'finished (default) or running (streaming jobs; a failure still ends the wait)',
  },
  timeout: {
    type: 'string',
    value: 'DURATION',
    help: 'give up after this long: 30m, 90s, 1h30m; a bare number is seconds: 30 is 30 seconds (default 60m)',
  },
  interval: {
    type: 'string',
    value: 'DURATION',
    help: 'the shortest gap between reads: 5s, 500ms; a bare number is seconds: 30 is 30 seconds (default 5s)',
  },
  'max-interval': {
    type: 'string',
    value: 'DURATION',
    help: 'the longest gap between reads: 60s, 2m; a bare number is seconds: 30 is 30 seconds (default 60s)',
  },
};

/** The flags that carry secrets: learned by the redactor before anything is parsed. */
const SECRET_FLAGS = ['--secret-key', '--security-token', '--auth-token'];
const SECRET_ENV = ['HUAWEI_CLOUD_SECRET_ACCESS_KEY', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'];

/** Every secret on the command line or in the environment, before any message could echo one. */
export function learnSecrets(argv: readonly string[], env: Record<string, string | undefined>): void {
  argv.forEach((arg, i) => {
    for (const flag of SECRET_FLAGS) {
      if (arg === flag) redactor.learn(argv[i + 1]);
      else if (arg.startsWith(`${flag}=`)) redactor.learn(arg.slice(flag.length + 1));
    }
  });
  redactor.learn(...SECRET_ENV.map((name) => env[name]));
}

/** node:util's parseArgs, with its errors said in terms of this command's flags. */
export function parseCommand(
  command: string,
  argv: readonly string[],
  options: Options,
): { values: Values; positionals: string[] } {
  const config = Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: config,
      strict: true,
      allowPositionals: true,
    });
    return { values: values as Values, positionals };
  } catch (error) {
    const e = error as Error & { code?: string };
    const option = /'(-[^' ]+)/.exec(e.message)?.[1];
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UsageError(
        `${option ?? 'an option'}: not an option of jobgate ${command}; see jobgate ${command} --help`,
      );
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
      throw new UsageError(
        option && options[option.replace(/^-+/, '')]?.type === 'boolean'
          ? `${option}: takes no value`
          : `${option ?? 'an option'}: expected a value`,
      );
    throw new UsageError(e.message);
  }
}

export const string = (values: Values, name: string): string | undefined => {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
};

/** The job kind named after the command, or a usage error listing the kinds. */
export function kindOf(command: string, name: string | undefined): JobKind {
  if (name === undefined || name.startsWith('-'))
    throw new UsageError(
      `<kind>: expected a job kind after jobgate ${command}: one of ${JOB_KIND_NAMES.join(', ')}`,
    );
  try {
    return getJobKind(name);
  } catch {
    throw new UsageError(`<kind>: expected one of ${JOB_KIND_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
  }
}

/** A schema, as far as telling how its value is written on the command line needs. */
interface FieldSchema {
  safeParse(value: unknown): { success: boolean };
}

/**
 * How a field is written on the command line, from what its schema accepts: a field that takes
 * `true` is a switch (`--resume-savepoint`), one that takes an object of names to text is repeated
 * `name=value` pairs (`--variables day=2026-12-01`), anything else one value. A field whose value
 * runs to many lines also reads from a file (`--sql-file q.sql`, `-` for standard input).
 */
export type FieldForm = 'text' | 'switch' | 'pairs';

export interface FieldFlag {
  field: JobKindField;
  /** The flag without its dashes: `job-id`. */
  name: string;
  form: FieldForm;
}

export function fieldFlags(fields: readonly JobKindField[], shape: Record<string, unknown>): FieldFlag[] {
  return fields.map((field) => {
    const schema = shape[field.key] as FieldSchema | undefined;
    const form: FieldForm = schema?.safeParse(true).success
      ? 'switch'
      : schema?.safeParse({ name: 'value' }).success
        ? 'pairs'
        : 'text';
    return { field, name: flagOf(field.key).slice(2), form };
  });
}

/** The flags of a kind's reference, its start spec or its stop options. */
export const identityFlags = (kind: JobKind): FieldFlag[] => fieldFlags(fieldsOf(kind), kind.ref.shape);
export const startFlags = (kind: JobKind): FieldFlag[] =>
  fieldFlags(startFieldsOf(kind), kind.start?.spec.shape ?? {});
export const stopFlags = (kind: JobKind): FieldFlag[] =>
  fieldFlags(stopFieldsOf(kind), kind.stop?.spec.shape ?? {});

const placeholder = (f: JobKindField) => f.label.toUpperCase().replace(/\s+/g, '_');

/** Options for parseArgs and help, one (or two, with a file) per field. */
export function fieldOptions(flags: readonly FieldFlag[]): Options {
  return Object.fromEntries(
    flags.flatMap(({ field: f, name, form }): [string, OptionSpec][] => {
      const optional = f.required ? '' : ' (optional)';
      if (form === 'switch') return [[name, { type: 'boolean', help: `${f.description}${optional}` }]];
      if (form === 'pairs')
        return [
          [
            name,
            {
              type: 'string',
              multiple: true,
              value: 'NAME=VALUE',
              help: `${f.description}; repeat for each${optional}`,
            },
          ],
        ];
      const one: [string, OptionSpec] = [
        name,
        { type: 'string', value: placeholder(f), help: `${f.description}${optional}` },
      ];
      if (!f.multiline) return [one];
      return [
        one,
        [
          `${name}-file`,
          { type: 'string', value: 'FILE', help: `--${name} read from a file (- for standard input)` },
        ],
      ];
    }),
  );
}

/** The identity flags of a kind, from its fields. */
export function identityOptions(kind: JobKind): Options {
  return fieldOptions(identityFlags(kind));
}

/** How a kind's jobs are named positionally: its required fields, in order. */
export function positionalFields(kind: JobKind) {
  return fieldsOf(kind).filter((f) => f.required);
}

/** A core InputError names a camelCase field; the user typed a flag. */
export function flagError(error: InputError): InputError {
  const field = error.field.replace(/^filter\./, '').split('.')[0] ?? error.field;
  const flag =
    field === 'credentials' ? '--access-key/--secret-key' : field.startsWith('-') ? field : flagOf(field);
  return flag === error.field ? error : new InputError(flag, error.message.slice(error.field.length + 2));
}

/** Checks a reference with its kind's schema; the error names the flag. */
export function checkRef(ref: Record<string, unknown>): JobRef {
  try {
    parseJobRef(ref);
  } catch (error) {
    throw error instanceof InputError ? flagError(error) : error;
  }
  return ref as JobRef;
}

/** A file's text, or standard input's for `-`; a file that cannot be read names its flag. */
function readText(flag: string, path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new UsageError(`${flag}: cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

/** `name=value` pairs as an object; the first `=` splits, so a value may hold more. */
function pairsOf(flag: string, entries: readonly string[]): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag}: expected NAME=VALUE, got ${JSON.stringify(entry)}`);
    pairs[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return pairs;
}

/**
 * The fields given by their flags and, for the required fields no flag gave, by the positional
 * arguments in order. Messages name the job's kind and what the fields do: `a dli-sql job is
 * named by <job-id>`.
 */
export function readFields(
  kind: JobKind,
  flags: readonly FieldFlag[],
  values: Values,
  positionals: readonly string[],
  role: 'named by' | 'started with' | 'stopped with',
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const { field, name, form } of flags) {
    const v = values[name];
    if (form === 'switch') {
      if (v === true) fields[field.key] = true;
    } else if (form === 'pairs') {
      if (Array.isArray(v)) fields[field.key] = pairsOf(`--${name}`, v as string[]);
    } else {
      const file = field.multiline ? string(values, `${name}-file`) : undefined;
      if (typeof v === 'string' && file !== undefined)
        throw new UsageError(`--${name}-file: give --${name} or --${name}-file, not both`);
      if (typeof v === 'string') fields[field.key] = v;
      else if (file !== undefined) fields[field.key] = readText(`--${name}-file`, file);
    }
  }
  const open = flags.filter((f) => f.field.required && fields[f.field.key] === undefined);
  if (positionals.length > open.length)
    throw new UsageError(
      `${JSON.stringify(positionals[open.length])}: one argument too many; a ${kind.name} job is ${role} ${usageOf(flags)}`,
    );
  open.forEach((f, i) => {
    if (positionals[i] !== undefined) fields[f.field.key] = positionals[i];
  });
  for (const { field, name } of flags) {
    if (field.required && fields[field.key] === undefined)
      throw new UsageError(
        `--${name}: required for a ${kind.name} job (${field.description}); usage: ${usageOf(flags)}`,
      );
  }
  return fields;
}

/**
 * A job's identity from its flags (--job-id …) and, for the required fields
 * no flag gave, the positional arguments in order.
 */
export function identityOf(kind: JobKind, values: Values, positionals: readonly string[]): JobRef {
  return checkRef({
    kind: kind.name,
    ...readFields(kind, identityFlags(kind), values, positionals, 'named by'),
  });
}

/** What starts a job of the kind, from its start flags and positionals; a bad field names its flag. */
export function startSpecOf(kind: JobKind, values: Values, positionals: readonly string[]): JobStartSpec {
  const spec = {
    kind: kind.name,
    ...readFields(kind, startFlags(kind), values, positionals, 'started with'),
  };
  try {
    parseStartSpec(spec);
  } catch (error) {
    throw error instanceof InputError ? flagError(error) : error;
  }
  return spec as JobStartSpec;
}

/** The kind's stop options from their flags (a Flink savepoint); a bad one names its flag. */
export function stopOptionsOf(kind: JobKind, values: Values): Record<string, unknown> {
  const options = readFields(kind, stopFlags(kind), values, [], 'stopped with');
  try {
    return parseStopOptions(kind, options);
  } catch (error) {
    throw error instanceof InputError ? flagError(error) : error;
  }
}

/** `<job-id>` or `<cluster-id> <job-name> [--workspace WORKSPACE]`, for messages and help. */
export function usageOf(flags: readonly FieldFlag[]): string {
  return flags
    .map(({ field, name, form }) =>
      field.required
        ? `<${name}>`
        : form === 'switch'
          ? `[--${name}]`
          : form === 'pairs'
            ? `[--${name} NAME=VALUE]...`
            : `[--${name} ${placeholder(field)}]`,
    )
    .join(' ');
}

/** `<job-id>` or `<cluster-id> <job-name> [--workspace W]`, for messages and help. */
export function usageOfIdentity(kind: JobKind): string {
  return usageOf(identityFlags(kind));
}

export interface WaitSettings {
  until: WaitUntil;
  timeoutMs: number;
  intervalMs: number;
  maxIntervalMs: number;
}

export function readUntil(value: string | undefined, flag = '--until'): WaitUntil {
  if (value === undefined) return WAIT_DEFAULTS.until;
  if (value === 'finished' || value === 'running') return value;
  throw new UsageError(`${flag}: expected finished or running, got ${JSON.stringify(value)}`);
}

export function waitSettingsOf(values: Values): WaitSettings {
  const duration = (name: string, fallback: number) => {
    const v = string(values, name);
    return v === undefined ? fallback : parseDuration(`--${name}`, v);
  };
  const intervalMs = duration('interval', WAIT_DEFAULTS.intervalMs);
  const maxIntervalMs = duration('max-interval', Math.max(intervalMs, WAIT_DEFAULTS.maxIntervalMs));
  if (maxIntervalMs < intervalMs)
    throw new UsageError(
      `--max-interval: expected at least --interval (${string(values, 'interval')}), got ${string(values, 'max-interval')}`,
    );
  return {
    until: readUntil(string(values, 'until')),
    timeoutMs: duration('timeout', WAIT_DEFAULTS.timeoutMs),
    intervalMs,
    maxIntervalMs,
  };
}

/**
 * The client's settings from the flags, then the same environment variables
 * as the Action (HUAWEI_CLOUD_*, then HUAWEICLOUD_SDK_*); a flag wins.
 */
export function clientOptionsOf(values: Values, env: Record<string, string | undefined>): ClientOptions {
  const fromEnv = settingsFromEnv(env);
  const projectId = string(values, 'project-id') || fromEnv.projectId;
  if (!projectId)
    throw new UsageError(
      '--project-id: required; set it or HUAWEI_CLOUD_PROJECT_ID / HUAWEICLOUD_SDK_PROJECT_ID',
    );
  const accessKey = string(values, 'access-key');
  const secretKey = string(values, 'secret-key');
  const securityToken = string(values, 'security-token');
  const authToken = string(values, 'auth-token');
  let credentials: Credentials | undefined;
  if (authToken) credentials = { authToken };
  else if (accessKey || secretKey) {
    if (!accessKey) throw new UsageError('--access-key: required when --secret-key is given');
    if (!secretKey) throw new UsageError('--secret-key: required when --access-key is given');
    credentials = { accessKey, secretKey, ...(securityToken ? { securityToken } : {}) };
  } else credentials = fromEnv.credentials;
  if (!credentials)
    throw new UsageError(
      '--access-key: no credentials; set --access-key and --secret-key (or --auth-token), or HUAWEI_CLOUD_ACCESS_KEY_ID and HUAWEI_CLOUD_SECRET_ACCESS_KEY, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK',
    );
  return {
    region: string(values, 'region') || fromEnv.region,
    projectId,
    credentials,
    endpoint: string(values, 'endpoint') || env.JOBGATE_ENDPOINT || undefined,
    env: {},
  };
}
