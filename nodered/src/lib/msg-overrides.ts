import {
  FLINK_JOB_TYPES,
  fieldsOf,
  getJobKind,
  humanIssue,
  InputError,
  JOB_KINDS,
  type JobKind,
  startFieldsOf,
} from './core.js';
import type { Node, NodeAPI, NodeMessage } from './node-red.js';
import { evaluate, type TypedValue, typedInputOf } from './runtime.js';

/**
 * Where each field of a node gets its value for one message, in one place for
 * every node: **the node's field when it is set, otherwise the msg property**
 * (then the field's default). A field is unset when it is empty, a box is
 * unticked, or a list shows its first, empty choice. This is how Node-RED's
 * own nodes, node-red-node-aws and node-red-contrib-influxdb read msg
 * properties: a msg that passes through a flow carries properties set for
 * other nodes, and a field the user filled in must not be changed by one.
 *
 * The same tables write the "msg overrides" list of every help panel (the
 * build puts it into each node's .html), so the help cannot drift from what
 * the node reads.
 */
export interface MsgOverride {
  /** The field's name in messages and errors: a job reference key, a list filter, `timeout`, ... */
  name: string;
  /** The node's property in the flow; a TypedInput keeps its type in `<key>Type`. */
  key: string;
  /** The msg property that sets the field when the node leaves it unset (a path: `filter.status`). */
  msg: string;
  /** The field's label in the edit dialog. */
  label: string;
  /** The msg property's type, as the help panel shows it. */
  type: string;
  description: string;
  /** Properties an older version of the node stored the field in, read when `key` is absent. */
  legacy?: readonly string[];
}

/** The query node types and the job kind each reads. */
export const QUERY_NODE_KINDS = {
  'huaweicloud-dli-flink-job': 'dli-flink',
  'huaweicloud-dli-sql-progress': 'dli-sql',
  'huaweicloud-dataarts-job-status': 'dataarts-realtime',
  'huaweicloud-cdm-job-status': 'cdm',
} as const;

const refType = (key: string) => (key === 'jobId' ? 'number | string' : 'string');

/** The identity fields of a kind (jobId, jobName, ...), each read from the msg property of its name. */
export function identityOverrides(kind: JobKind): MsgOverride[] {
  return fieldsOf(kind).map((field) => ({
    name: field.key,
    key: field.key,
    msg: field.key,
    label: field.label,
    type: refType(field.key),
    description: `${field.description}${field.required ? '' : ' (optional)'}`,
  }));
}

/** Fields of every kind, each once, described for each kind that has it (a kind may come from msg.kind). */
function everyKindsField(overridesOf: (kind: JobKind) => MsgOverride[]): MsgOverride[] {
  const seen = new Map<string, MsgOverride>();
  for (const kind of JOB_KINDS)
    for (const field of overridesOf(kind as unknown as JobKind)) {
      const known = seen.get(field.name);
      const used = `${kind.title}: ${field.description}`;
      seen.set(
        field.name,
        known ? { ...known, description: `${known.description}; ${used}` } : { ...field, description: used },
      );
    }
  return [...seen.values()];
}

/** The identity fields of every kind, each once. */
const everyIdentityField = () => everyKindsField(identityOverrides);

const filter = (name: string, label: string, type: string, description: string, key = name): MsgOverride => ({
  name,
  key,
  msg: `filter.${name}`,
  label,
  type,
  description,
});

/** The flink jobs node: every list filter, from msg.filter, and how it sends the list. */
export const FLINK_JOBS_OVERRIDES: readonly MsgOverride[] = [
  filter('jobType', 'Job type', 'string', `one of ${FLINK_JOB_TYPES.join(', ')}`),
  {
    ...filter('status', 'Status', 'string', 'a Flink job status such as job_running', 'statusFilter'),
    // Stored as `status` before, which Node-RED uses for the node's own status.
    legacy: ['status'],
  },
  filter('queueName', 'Queue', 'string', 'a queue name, at most 128 characters'),
  filter('name', 'Job name', 'string', 'a job name, at most 57 characters', 'jobName'),
  filter('userName', 'User', 'string', 'the user who created the jobs'),
  filter('tags', 'Tags', 'string', 'tags such as key=value'),
  filter('rootId', 'Root job ID', 'number', 'the parent job id'),
  filter('sysEnterpriseProjectName', 'Enterprise project', 'string', 'an enterprise project name'),
  filter('order', 'Order', 'string', '"asc" (oldest first) or "desc" (newest first)'),
  filter('limit', 'Page size', 'number', '1 to 100 jobs a page'),
  filter('offset', 'Offset', 'number', 'where the page starts, 0 or more'),
  filter('showDetail', 'Job details in each item', 'boolean', 'true for each job with its details'),
  {
    name: 'allPages',
    key: 'allPages',
    msg: 'allPages',
    label: 'Every page',
    type: 'boolean',
    description: 'true reads every matching job, page after page',
  },
  {
    name: 'output',
    key: 'output',
    msg: 'output',
    label: 'Output',
    type: 'string',
    description: '"array" for one message with the array of jobs, "split" for one message per job',
  },
];

/** The wait node: the kind, the job's identity, until, timeout and poll interval. */
export const WAIT_OVERRIDES: readonly MsgOverride[] = [
  {
    name: 'kind',
    key: 'kind',
    msg: 'kind',
    label: 'Job kind',
    type: 'string',
    description: `one of ${JOB_KINDS.map((k) => k.name).join(', ')}`,
  },
  ...everyIdentityField().map((field) => ({ ...field, key: `fields.${field.key}` })),
  {
    name: 'until',
    key: 'until',
    msg: 'until',
    label: 'Until',
    type: 'string',
    description: '"finished" (the default) or "running"',
  },
  {
    name: 'timeout',
    key: 'timeout',
    msg: 'timeout',
    label: 'Timeout',
    type: 'string | number',
    description:
      'a duration such as 30m or 1h30m; a bare number is seconds: 30 is 30 seconds (1h by default)',
  },
  {
    name: 'interval',
    key: 'interval',
    msg: 'interval',
    label: 'Poll every',
    type: 'string | number',
    description: 'a duration such as 5s or 500ms; a bare number is seconds: 30 is 30 seconds (5s by default)',
  },
];

/**
 * What a start field takes, read from what its schema accepts (so that a new field of any kind gets
 * its TypedInput types and help without naming it here): text, true/false, a list of `key=value`
 * settings (or an object), or an object of name: value.
 */
export type ValueForm = 'text' | 'boolean' | 'list' | 'object';

export function valueForm(schema: FieldSchema | undefined): ValueForm {
  if (!schema) return 'text';
  const accepts = (value: unknown) => schema.safeParse(value).success;
  if (accepts(['name=value'])) return 'list';
  if (accepts({ name: 'value' })) return 'object';
  if (accepts(true) && !accepts('some text')) return 'boolean';
  return 'text';
}

const FORM_TYPES: Record<ValueForm, string> = {
  text: 'string',
  boolean: 'boolean',
  list: 'string | array | object',
  object: 'object',
};

/** The start fields of a kind (with its identity fields first), each read from the msg property of its name. */
function startOverrides(kind: JobKind): MsgOverride[] {
  const shape = (kind.start?.spec.shape ?? {}) as Record<string, FieldSchema>;
  const identity = new Set(fieldsOf(kind).map((f) => f.key));
  return startFieldsOf(kind).map((field) => ({
    name: field.key,
    key: `fields.${field.key}`,
    msg: field.key,
    label: field.label,
    type: identity.has(field.key) ? refType(field.key) : FORM_TYPES[valueForm(shape[field.key])],
    description: `${field.description}${field.required ? '' : ' (optional)'}`,
  }));
}

/** The start node: the kind, and every start field of every kind that can be started, each once. */
export const START_OVERRIDES: readonly MsgOverride[] = [
  {
    name: 'kind',
    key: 'kind',
    msg: 'kind',
    label: 'Job kind',
    type: 'string',
    description: `one of ${JOB_KINDS.filter((k) => k.start)
      .map((k) => k.name)
      .join(', ')}`,
  },
  ...everyKindsField(startOverrides),
];

/** Every node's fields that a msg sets, by node type: what the help panels list. */
export const MSG_OVERRIDES: Readonly<Record<string, readonly MsgOverride[]>> = {
  ...Object.fromEntries(
    Object.entries(QUERY_NODE_KINDS).map(([type, kind]) => [type, identityOverrides(getJobKind(kind))]),
  ),
  'huaweicloud-dli-flink-jobs': FLINK_JOBS_OVERRIDES,
  'huaweicloud-job-wait': WAIT_OVERRIDES,
  'huaweicloud-job-start': START_OVERRIDES,
};

/** A value that leaves a field unset. */
export function isUnset(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === false ||
    (typeof value === 'string' && value.trim() === '')
  );
}

/** A value read for a field, and where it came from, in the user's words. */
export interface FieldValue {
  value: unknown;
  from: string;
}

const SOURCES: Record<string, (value: string) => string> = {
  msg: (v) => `msg.${v}`,
  flow: (v) => `flow context ${v}`,
  global: (v) => `global context ${v}`,
  env: (v) => `environment variable ${v}`,
};

/** A property at a dotted path (`filter.status`), or undefined where any part is missing. */
function propertyOf(from: object, path: string): unknown {
  let value: unknown = from;
  for (const part of path.split('.'))
    value =
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

/**
 * Reads the fields of one node for a message, by the rule above. A node
 * field's TypedInput (`<key>Type`, or `{ value, type }` under `fields.`) is
 * evaluated against the msg. A msg property that is set but not used (the
 * node's field is set) is reported once per node, as Node-RED's http request
 * node does, so that a flow relying on it is not silently wrong.
 */
export class FieldReader {
  readonly #warned = new Set<string>();

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node<unknown>,
    private readonly def: Record<string, unknown>,
  ) {}

  #nodeInput(field: MsgOverride): { input: TypedValue | undefined; raw: unknown } {
    const raw = propertyOf(this.def, field.key);
    if (field.key.includes('.')) {
      const typed = raw as Partial<TypedValue> | undefined;
      return typeof typed?.type === 'string'
        ? { input: { value: String(typed.value ?? ''), type: typed.type }, raw }
        : { input: undefined, raw: undefined };
    }
    const input = typedInputOf(this.def, field.key);
    if (input || !isUnset(raw)) return { input, raw };
    for (const old of field.legacy ?? []) {
      const value = this.def[old];
      // An older flow's value, if it is text: never an object such as the node's own status.
      if (typeof value === 'string' && value.trim()) return { input: undefined, raw: value };
    }
    return { input: undefined, raw };
  }

  /** The field's value for this message, or undefined when neither the node nor the msg sets it. */
  async read(msg: NodeMessage, field: MsgOverride): Promise<FieldValue | undefined> {
    const fromMsg = propertyOf(msg, field.msg);
    const { input, raw } = this.#nodeInput(field);
    let own: unknown = raw;
    let from = `the node's ${field.label}`;
    if (input) {
      own = await evaluate(this.RED, this.node, msg, input);
      const source = SOURCES[input.type];
      if (source) from = source(input.value);
      // The node's field reads the very msg property that would override it.
      if (input.type === 'msg' && input.value === field.msg)
        return isUnset(own) ? undefined : { value: own, from };
    }
    if (!isUnset(own)) {
      if (!isUnset(fromMsg) && !this.#warned.has(field.msg)) {
        this.#warned.add(field.msg);
        this.node.warn(`msg.${field.msg} is not used: the node's ${field.label} is set`);
      }
      return { value: own, from };
    }
    return isUnset(fromMsg) ? undefined : { value: fromMsg, from: `msg.${field.msg}` };
  }
}

/** The error for a required field that neither the node nor the msg sets. */
export function missingField(field: MsgOverride, what?: string): InputError {
  return new InputError(
    field.name,
    `required${what ? ` for a ${what}` : ''}; set msg.${field.msg} or the node's ${field.label}`,
  );
}

/** A value as an error shows it: short, and JSON where that reads better. */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** The error for a value that is not what the field takes. */
export function badField(field: MsgOverride, expected: string, got: FieldValue): InputError {
  return new InputError(field.name, `${expected} (got ${shown(got.value)} from ${got.from})`);
}

/** A schema from the core (zod), as far as checking one field needs. */
export interface FieldSchema {
  safeParse(
    value: unknown,
    params?: { error?: typeof humanIssue },
  ): { success: true; data: unknown } | { success: false; error: { issues: { message: string }[] } };
}

/** Checks one field's value with its schema; the error names the field, the value and where it came from. */
export function checkField(field: MsgOverride, schema: FieldSchema, got: FieldValue): unknown {
  // The core's words for what a value should have been (a schema's own message always wins).
  const result = schema.safeParse(got.value, { error: humanIssue });
  if (result.success) return result.data;
  throw badField(field, result.error.issues[0]?.message ?? 'expected another value', got);
}

/**
 * Reads fields of `kind` (its reference's, or its start spec's): each from the node or the msg,
 * checked with the kind's own schema, so that a missing or bad field is named with the msg property and
 * the node field that set it. Settings given as text (`a=1` lines) become their list.
 */
async function readKindFields(
  reader: FieldReader,
  msg: NodeMessage,
  kind: JobKind,
  infos: ReturnType<typeof fieldsOf>,
  schema: { shape: Record<string, unknown> },
  fields: readonly MsgOverride[],
): Promise<{ kind: string } & Record<string, unknown>> {
  const out: { kind: string } & Record<string, unknown> = { kind: kind.name };
  const shape = schema.shape as Record<string, FieldSchema>;
  for (const info of infos) {
    const field = fields.find((f) => f.name === info.key);
    const check = shape[info.key];
    if (!field || !check) continue;
    const got = await reader.read(msg, field);
    if (!got) {
      if (info.required) throw missingField(field, kind.title);
      continue;
    }
    const value =
      valueForm(check) === 'list' && typeof got.value === 'string'
        ? got.value
            .split(/\r?\n/)
            .map((line) => line.trim())
            .filter(Boolean)
        : got.value;
    checkField(field, check, { ...got, value });
    out[info.key] = value;
  }
  return out;
}

/** Reads a job reference of `kind`: each identity field from the node or the msg (see readKindFields). */
export function readJobRef(
  reader: FieldReader,
  msg: NodeMessage,
  kind: JobKind,
  fields: readonly MsgOverride[],
): Promise<{ kind: string } & Record<string, unknown>> {
  return readKindFields(reader, msg, kind, fieldsOf(kind), kind.ref, fields);
}

/** The job kinds by name, for the wait node's msg.kind. */
export function kindOf(field: MsgOverride, got: FieldValue | undefined): JobKind {
  if (!got) throw missingField(field);
  const kind = JOB_KINDS.find((k) => k.name === got.value);
  if (!kind) throw badField(field, `expected one of ${JOB_KINDS.map((k) => k.name).join(', ')}`, got);
  return kind as unknown as JobKind;
}

/** Reads what starts a job of `kind`: each start field from the node or the msg (see readKindFields). */
export function readStartSpec(
  reader: FieldReader,
  msg: NodeMessage,
  kind: JobKind,
): Promise<{ kind: string } & Record<string, unknown>> {
  if (!kind.start) throw new InputError('kind', `a ${kind.title} cannot be started`);
  return readKindFields(reader, msg, kind, startFieldsOf(kind), kind.start.spec, START_OVERRIDES);
}
