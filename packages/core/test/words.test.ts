/**
 * What a user reads when an input or an answer is wrong: what was required or expected, in words,
 * never the schema library's own ("Invalid input: expected string, received undefined", "Too big").
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  InputError,
  InstanceId,
  JOB_KINDS,
  type JobKind,
  ProjectId,
  parseInput,
  parseJobRef,
  parseStartSpec,
  parseStopRequest,
  ResponseFormatError,
} from '../src/index.js';
import { ClusterId, FlinkJobId, JobName, SqlJobId, WorkspaceId } from '../src/inputs.js';
import { json, startTestServer, type TestServer, testClient } from './support/server.js';

/** The schema library's wording, in any of its forms. */
const LIBRARY_WORDS =
  /Invalid (input|option|discriminator|key|element|string|union)|received|Too (big|small)|Unrecognized|expected (string|number|boolean|array|object|nonoptional|int)\b|[<>]=?\d/;

/** Values of every wrong type and size a field may be given. */
const WRONG = [42, -1, 1.5, true, null, {}, [], ['x'], { a: 1 }, '', ' ', 'x'.repeat(2_000), '\u0000', '..'];

function messageOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
}

const kinds = JOB_KINDS as unknown as JobKind[];

describe('job kinds: references, start specs and stop options', () => {
  it('a missing field says it is required, for which kind of job', () => {
    expect(messageOf(() => parseJobRef({ kind: 'cdm', clusterId: '6ec9a0a4' }))).toBe(
      'jobName: required for a CDM migration job',
    );
    expect(messageOf(() => parseJobRef({ kind: 'dli-sql' }))).toBe('jobId: required for a DLI SQL job');
    expect(messageOf(() => parseStartSpec({ kind: 'dli-sql', queue: 'q' }))).toBe(
      'sql: expected a SQL statement for a DLI SQL job',
    );
    for (const kind of kinds) {
      for (const [schema, what] of [
        [kind.ref, 'ref'],
        [kind.start?.spec, 'start'],
      ] as const) {
        if (!schema) continue;
        for (const key of Object.keys(schema.shape)) {
          if (schema.shape[key]?.safeParse(undefined).success) continue;
          const parse = what === 'ref' ? parseJobRef : parseStartSpec;
          const message = messageOf(() =>
            parse({ kind: kind.name, ...valid(schema.shape), [key]: undefined }),
          );
          expect(message, `${kind.name} ${what} ${key}`).toMatch(new RegExp(`^${key}: `));
          expect(message).toContain(`for a ${kind.title}`);
          expect(message).not.toMatch(LIBRARY_WORDS);
        }
      }
    }
  });

  it('a value of the wrong type or size says what was expected, for every field of every kind', () => {
    let checked = 0;
    for (const kind of kinds) {
      const schemas = [
        [kind.ref.shape, (f: object) => parseJobRef({ kind: kind.name, ...f })],
        [kind.start?.spec.shape ?? {}, (f: object) => parseStartSpec({ kind: kind.name, ...f })],
        [
          kind.stop?.spec.shape ?? {},
          (f: object) => parseStopRequest({ kind: kind.name, ...valid(kind.ref.shape), ...f }),
        ],
      ] as const;
      for (const [shape, parse] of schemas) {
        for (const key of Object.keys(shape)) {
          for (const value of WRONG) {
            const message = messageOf(() => parse({ [key]: value }));
            if (message === undefined) continue;
            checked++;
            expect(message, `${kind.name}.${key} = ${JSON.stringify(value)}`).not.toMatch(LIBRARY_WORDS);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('a field no kind knows, and a kind that is not one, are named', () => {
    expect(messageOf(() => parseStartSpec({ kind: 'dli-flink', jobId: 1, jobName: 'x' }))).toBe(
      'jobName: not a field of a DLI Flink job',
    );
    expect(messageOf(() => parseJobRef({ kind: 'flink', jobId: 1 }))).toMatch(
      /^kind: unknown job kind "flink"; expected one of dli-flink, /,
    );
  });
});

describe('parseInput with every input schema', () => {
  it.each([
    ['jobId', FlinkJobId],
    ['instanceId', InstanceId],
    ['jobId', SqlJobId],
    ['jobName', JobName],
    ['clusterId', ClusterId],
    ['workspace', WorkspaceId],
    ['projectId', ProjectId],
  ] as const)('%s', (field, schema) => {
    expect(messageOf(() => parseInput(schema, undefined, field))).toMatch(
      new RegExp(`^${field}: (required|expected )`),
    );
    for (const value of WRONG) {
      const message = messageOf(() => parseInput(schema, value, field));
      if (message !== undefined) expect(message, JSON.stringify(value)).not.toMatch(LIBRARY_WORDS);
    }
  });

  it('says a size in characters, and what was given', () => {
    expect(messageOf(() => parseInput(WorkspaceId, 'w'.repeat(200), 'workspace'))).toMatch(
      /^workspace: expected at most 128 characters \(got "w+…\)$/,
    );
  });
});

describe('answers of the wrong shape', () => {
  let server: TestServer | undefined;
  afterAll(() => server?.close());

  it('name the field and what the documents promise, in words', async () => {
    server = await startTestServer((_req, res) =>
      json(res, 200, { is_success: true, job_detail: { job_id: 104, status: 42 } }),
    );
    const client = testClient(server.url);
    const error = await client.dli.getFlinkJobDetail(104).catch((e: unknown) => e);
    await client.close();
    expect(error).toBeInstanceOf(ResponseFormatError);
    expect((error as Error).message).toContain('(job_detail.status: expected text)');
    expect((error as Error).message).not.toMatch(LIBRARY_WORDS);
  });
});

/** A valid value for each field of a shape that has a sample, for checks of one field at a time. */
function valid(shape: Record<string, unknown>): Record<string, unknown> {
  const samples: Record<string, unknown> = {
    jobName: 'job_sms',
    clusterId: '6ec9a0a4-76be-4262-8697-e7af1fac7920',
    instanceId: 132343,
    sql: 'SELECT 1',
  };
  const jobId = (shape.jobId as { safeParse(v: unknown): { success: boolean } } | undefined)?.safeParse(104)
    .success
    ? 104
    : '85798b38-ae44-48eb-bb90-7cf0dcdafe7b';
  return Object.fromEntries(
    Object.keys(shape)
      .filter((k) => k in samples || k === 'jobId')
      .map((k) => [k, k === 'jobId' ? jobId : samples[k]]),
  );
}
