import { z } from 'zod';
import { InputError } from './errors.js';
import { lazySchema } from './lazy-schema.js';

/** Text that can be encoded as UTF-8: no lone surrogate (which no URL or header can carry). */
export function isWellFormed(s: string): boolean {
  return !/\p{Surrogate}/u.test(s);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  date: 'a date',
  function: 'a function',
};

const sizeOf = (origin: string, n: number | bigint): string =>
  origin === 'string'
    ? `${n} character${Number(n) === 1 ? '' : 's'}`
    : origin === 'array' || origin === 'set'
      ? `${n} item${Number(n) === 1 ? '' : 's'}`
      : String(n);

/**
 * Words for every problem a schema gives no message of its own (a schema's own message always
 * wins): what was required or expected, never the schema library's wording. Every check of user
 * input and every answer the transport validates passes it to `safeParse`.
 */
export const humanIssue: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'required'
        : `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${JSON.stringify(issue.values[0])}`
        : `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      if (issue.input === undefined) return 'required';
      // A discriminated union lists the values its discriminator takes.
      const options = (issue as { options?: unknown[] }).options;
      return options?.length
        ? `expected one of ${options.map((v) => JSON.stringify(v)).join(', ')}`
        : 'expected one of the accepted forms';
    }
    case 'too_big':
      return `expected ${issue.inclusive === false ? 'less than' : 'at most'} ${sizeOf(issue.origin, issue.maximum)}`;
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) === 1
        ? 'expected a non-empty text'
        : `expected ${issue.inclusive === false ? 'more than' : 'at least'} ${sizeOf(issue.origin, issue.minimum)}`;
    case 'invalid_format':
      return issue.format === 'regex'
        ? `expected text of the form ${issue.pattern ?? 'documented'}`
        : `expected a valid ${issue.format}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `not a known field: ${issue.keys.join(', ')}`;
    case 'invalid_key':
      return 'expected another name';
    default:
      return 'expected another value';
  }
};

/** Checks a value with its schema in the user's words; on failure, the first problem and its path. */
export function check<S extends z.ZodType>(
  schema: S,
  value: unknown,
):
  | { ok: true; data: z.output<S> }
  | {
      ok: false;
      issue: z.core.$ZodIssue | undefined;
      path: PropertyKey[];
      message: string;
      got: string | undefined;
    } {
  const result = schema.safeParse(value, { error: humanIssue });
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  return {
    ok: false,
    issue,
    path: issue?.path ?? [],
    message: issue?.message ?? 'expected another value',
    got: describe(value, issue?.path),
  };
}

/** Validates one input with its schema; the error names the input and what was expected. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const result = check(schema, value);
  if (result.ok) return result.data;
  const path = result.path.length > 0 ? `${field}.${result.path.map(String).join('.')}` : field;
  throw new InputError(path, `${result.message}${result.got === undefined ? '' : ` (got ${result.got})`}`);
}

/** What a value held at a path, for a message; undefined when it held nothing. */
function describe(value: unknown, path: PropertyKey[] | undefined): string | undefined {
  let v: unknown = value;
  for (const key of path ?? [])
    v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  if (v === undefined) return undefined;
  const text = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/**
 * A positive integer id, also accepted as a string of digits (what an Action input or a Node-RED
 * property holds).
 */
function integerId(what: string, example: number) {
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : value),
    z
      .number({ error: `expected an integer ${what} such as ${example}` })
      .int(`expected an integer ${what} such as ${example}`)
      .positive(`expected a positive ${what}`)
      .max(Number.MAX_SAFE_INTEGER),
  );
}

/** A DLI Flink job id. */
export const FlinkJobId = lazySchema(() => integerId('Flink job id', 104));

/** A DataArts Factory job instance id (a Long in the API). */
export const InstanceId = lazySchema(() => integerId('instance id', 132343));

/** A DLI SQL job id is a UUID such as 85798b38-ae44-48eb-bb90-7cf0dcdafe7b. */
export const SqlJobId = lazySchema(() =>
  z
    .string()
    .trim()
    .regex(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
      'expected a DLI SQL job id (a UUID such as 85798b38-ae44-48eb-bb90-7cf0dcdafe7b)',
    ),
);

/** A name sent as one path segment: any text, encoded on the wire, but not empty or control characters. */
export const JobName = lazySchema(() =>
  z
    .string()
    .min(1, 'expected a non-empty job name')
    .max(256, 'expected a job name of at most 256 characters')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'expected a job name without control characters')
    .refine(isWellFormed, 'expected a job name of whole Unicode characters (it holds a lone surrogate)')
    // URL parsing drops dot segments, even percent-encoded: such a name would reach another API.
    .refine((s) => s !== '.' && s !== '..', 'expected a job name other than "." or ".."'),
);

export const ClusterId = lazySchema(() =>
  z
    .string()
    .trim()
    .min(1, 'expected a CDM cluster id')
    .regex(
      /^[A-Za-z0-9-]+$/,
      'expected a CDM cluster id of letters, digits and hyphens (a UUID such as 6ec9a0a4-76be-4262-8697-e7af1fac7920)',
    ),
);

export const WorkspaceId = lazySchema(() =>
  z
    .string()
    .trim()
    .min(1, 'expected a DataArts workspace id')
    .max(128)
    // It travels as a header value: no control characters.
    .regex(/^[\x21-\x7e]+$/, 'expected a DataArts workspace id of visible ASCII characters'),
);
