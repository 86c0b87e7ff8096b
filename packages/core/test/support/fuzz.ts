/**
 * Support for the trust fuzz test: recipes for mutated real answers (built from
 * the documented examples in ../fixtures), a hostile HTTP server on 127.0.0.1
 * that sends each answer byte for byte, drivers that run every API method,
 * `getJobState` for every kind and `waitForJob` against it with a real client,
 * and the checks each outcome must pass.
 *
 * A recipe is small data (a deep value is "depth 20000", not the text), so
 * fast-check can shrink it and print it; the bytes are made only when served.
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { Agent } from 'undici';
import {
  CDM_JOB_STATUSES,
  createClient,
  FLINK_JOB_STATUSES,
  getJobState,
  type JobGateClient,
  JobGateError,
  type JobRef,
  type JobState,
  REALTIME_JOB_STATUSES,
  SQL_JOB_STATUSES,
  waitForJob,
} from '../../src/index.js';

// ---------------------------------------------------------------------------
// The APIs and what each documents as success

export const APIS = ['flink-detail', 'flink-list', 'sql-progress', 'sql-status', 'dataarts', 'cdm'] as const;
export type Api = (typeof APIS)[number];

type KindName = 'dli-flink' | 'dli-sql' | 'dataarts-realtime' | 'cdm';

/** The one documented success status of each kind (README, the state model). */
export const SUCCESS_STATUS: Record<KindName, string> = {
  'dli-flink': 'job_finish',
  'dli-sql': 'FINISHED',
  'dataarts-realtime': 'STOPPED',
  cdm: 'SUCCEEDED',
};

const KIND_OF_API: Record<Api, KindName> = {
  'flink-detail': 'dli-flink',
  'flink-list': 'dli-flink',
  'sql-progress': 'dli-sql',
  'sql-status': 'dli-sql',
  dataarts: 'dataarts-realtime',
  cdm: 'cdm',
};

/** The SQL APIs make `is_success` mandatory: success needs it present and clearly true. */
const FLAG_MANDATORY: ReadonlySet<Api> = new Set(['sql-progress', 'sql-status']);

/**
 * Which API a request went to, from its path alone (the server answers
 * whatever comes; the checks judge an answer by the API it answered).
 */
export function apiOfTarget(target: string): Api | undefined {
  const path = target.split('?')[0] ?? '';
  if (/^\/v1\.0\/[^/]+\/streaming\/jobs\/[^/]+$/.test(path)) return 'flink-detail';
  if (/^\/v1\.0\/[^/]+\/streaming\/jobs$/.test(path)) return 'flink-list';
  if (/^\/v1\/[^/]+\/jobs\/[^/]+\/progress$/.test(path)) return 'sql-progress';
  if (/^\/v1\.0\/[^/]+\/jobs\/[^/]+\/status$/.test(path)) return 'sql-status';
  if (/^\/v1\/[^/]+\/jobs\/[^/]+\/status$/.test(path)) return 'dataarts';
  if (/^\/v1\.1\/[^/]+\/clusters\/[^/]+\/cdm\/job\/[^/]+\/status$/.test(path)) return 'cdm';
  return undefined;
}

// ---------------------------------------------------------------------------
// Recipes

type JsonLike = null | boolean | number | string | JsonLike[] | { [key: string]: JsonLike };
type Seg = string | number;

/** A value put into an answer. */
export type Val =
  | { t: 'json'; v: JsonLike }
  /** Arrays or objects nested `depth` deep, written as text (building them cannot overflow). */
  | { t: 'deep'; depth: number; shape: 'array' | 'object' | 'mixed' }
  | { t: 'long'; length: number; unit: string }
  /** A JSON string with raw bytes (invalid UTF-8, NUL, …) between `before` and `after`. */
  | { t: 'bytes'; before: string; hex: string; after: string }
  /** Verbatim JSON text: 1e400, -0, 123456789012345678901234567890. */
  | { t: 'raw'; text: string }
  | { t: 'wide'; keys: number };

export type Edit =
  /** The API's own status field (`item`: which list job or CDM submission). */
  | { op: 'status'; item: number; value: Val }
  /** The top-level `is_success`; `null` removes it. */
  | { op: 'flag'; value: Val | null }
  | { op: 'set'; path: Seg[]; value: Val }
  | { op: 'delete'; path: Seg[] }
  /** The key written twice in one object: `first` before the real one (or after it, with `after`). */
  | { op: 'dup'; path: Seg[]; key: string; value: Val; after: boolean }
  /** A `"__proto__": {...}` member in the object at `path`; `removeOwn` deletes those keys from it. */
  | { op: 'proto'; path: Seg[]; inner: { [key: string]: JsonLike }; removeOwn: boolean }
  /** Flink list: one more job; CDM: the submissions replaced by one per status. */
  | { op: 'job'; id: Val; status: Val }
  | { op: 'submissions'; statuses: Val[] };

export type Body =
  | { t: 'doc'; base: string; edits: Edit[]; bytes?: { op: 'cut' | 'insert'; at: number; hex: string } }
  | { t: 'text'; text: string };

export const FRAMINGS = [
  'length',
  'chunked',
  'close',
  'short',
  'long',
  'stall',
  'silent',
  'reset',
  'bad-status-line',
  'huge-declared',
] as const;
export type Framing = (typeof FRAMINGS)[number];

export interface AnswerRecipe {
  status: number;
  /** A plain Retry-After, first among the headers (odd ones come with `headers`). */
  retryAfter?: string;
  headers: [string, string][];
  body: Body;
  framing: Framing;
}

export const FAMILIES = [
  'api:flink-detail',
  'api:flink-list',
  'api:flink-list-all',
  'api:sql-progress',
  'api:sql-status',
  'api:dataarts',
  'api:cdm',
  'state:dli-flink',
  'state:dli-flink-batch',
  'state:dli-sql',
  'state:dataarts-realtime',
  'state:cdm',
  'wait:dli-flink',
  'wait:dli-sql',
  'wait:dataarts-realtime',
  'wait:cdm',
] as const;
export type Family = (typeof FAMILIES)[number];

export interface WaitPlan {
  until: 'finished' | 'running';
  timeoutMs: number;
  intervalMs: number;
  maxIntervalMs: number;
  budget: number;
}

export interface Case {
  script: AnswerRecipe[];
  maxAttempts: number;
  wait?: WaitPlan;
}

// ---------------------------------------------------------------------------
// Bases: the documented examples, and the documented error bodies

const fixture = (name: string): JsonLike =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as JsonLike;

const BASES: Record<string, JsonLike> = {
  'dli-flink-detail-jar': fixture('dli-flink-detail-jar.json'),
  'dli-flink-detail-opensource-sql': fixture('dli-flink-detail-opensource-sql.json'),
  'dli-flink-list': fixture('dli-flink-list.json'),
  'dli-sql-progress': fixture('dli-sql-progress.json'),
  'dli-sql-status': fixture('dli-sql-status.json'),
  'dataarts-realtime-status': fixture('dataarts-realtime-status.json'),
  'dataarts-realtime-status-startTime': fixture('dataarts-realtime-status-startTime.json'),
  'cdm-job-status': fixture('cdm-job-status.json'),
  'cdm-job-status-succeeded': fixture('cdm-job-status-succeeded.json'),
  'cdm-job-status-failed': fixture('cdm-job-status-failed.json'),
  'dataarts-error': fixture('dataarts-error.json'),
  'apig-throttled': {
    error_code: 'APIG.0308',
    error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:50,time:1 second',
    request_id: '5c6b4b8e0b1b4b0f9f0c1f3d5e7a9b1c',
  },
  'apig-signature': {
    error_code: 'APIG.0301',
    error_msg: 'Incorrect IAM authentication information: verify aksk signature fail',
  },
  'dli-not-found': { is_success: false, message: 'The job does not exist.', error_code: 'DLI.0002' },
  'dli-busy': {
    is_success: 'false',
    message: 'The queue backend version is too old or the queue is busy.',
    error_code: 'DLI.0999',
  },
  'cdm-error': { errCode: 'Cdm.0100', externalMessage: 'Job not found.' },
  'dlf-camel-error': { errorCode: 'DLF.6201', errorMsg: 'The job does not exist.' },
  'nested-error': { error: { code: 'APIGW.0101', message: 'The API does not exist.' } },
  'code-message': { code: 500, message: 'Internal error' },
};

const OWN_BASES: Record<Api, string[]> = {
  'flink-detail': ['dli-flink-detail-jar', 'dli-flink-detail-opensource-sql'],
  'flink-list': ['dli-flink-list'],
  'sql-progress': ['dli-sql-progress'],
  'sql-status': ['dli-sql-status'],
  dataarts: ['dataarts-realtime-status', 'dataarts-realtime-status-startTime'],
  cdm: ['cdm-job-status', 'cdm-job-status-succeeded', 'cdm-job-status-failed'],
};
const ERROR_BASES = [
  'dataarts-error',
  'apig-throttled',
  'apig-signature',
  'dli-not-found',
  'dli-busy',
  'cdm-error',
  'dlf-camel-error',
  'nested-error',
  'code-message',
];

/** Every path of a value, for edits that change or remove any field. */
function pathsOf(value: JsonLike, prefix: Seg[] = [], out: Seg[][] = []): Seg[][] {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) pathsOf(v, [...prefix, i], out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      pathsOf(v, [...prefix, k], out);
    }
  }
  return out;
}

const EXTRA_PATHS: Seg[][] = [
  ['is_success'],
  ['message'],
  ['status'],
  ['job_detail'],
  ['job_list'],
  ['job_list', 'jobs'],
  ['submissions'],
  ['nodes'],
  ['sub_jobs'],
  ['progress'],
  ['error_code'],
  ['error_msg'],
  ['errCode'],
  ['constructor'],
  ['toString'],
  ['hasOwnProperty'],
];

function pathsFor(api: Api): Seg[][] {
  const seen = new Map<string, Seg[]>();
  for (const base of OWN_BASES[api])
    for (const p of pathsOf(BASES[base] as JsonLike)) seen.set(JSON.stringify(p), p);
  for (const p of EXTRA_PATHS) seen.set(JSON.stringify(p), p);
  return [...seen.values()];
}

// ---------------------------------------------------------------------------
// Generators

const json = (v: JsonLike): Val => ({ t: 'json', v });

/** Case, padding and look-alike variants of a status word: none of them is the word. */
export function variants(word: string): string[] {
  const lower = word.toLowerCase();
  return [
    lower === word ? word.toUpperCase() : lower,
    `${word[0]?.toUpperCase() ?? ''}${word.slice(1).toLowerCase()}`,
    ` ${word}`,
    `${word} `,
    `\t${word}\n`,
    `${word}\u0000`,
    `${word}\u200b`,
    `\ufeff${word}`,
    `"${word}"`,
    `${word}.`,
    word + word,
    word.replace(/[eE]/, (c) => (c === 'e' ? '\u0435' : '\u0415')),
    word.replace(/_/g, '-'),
  ];
}

const ALL_STATUSES = [
  ...new Set<string>([
    ...FLINK_JOB_STATUSES,
    ...SQL_JOB_STATUSES,
    ...REALTIME_JOB_STATUSES,
    ...CDM_JOB_STATUSES,
  ]),
];

/** Values no field documents: deep, long, broken bytes, odd numbers, wide objects, anything. */
const oddValue = (word: string): fc.Arbitrary<Val> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('deep' as const),
        depth: fc.oneof(
          fc.integer({ min: 30, max: 40 }),
          fc.integer({ min: 100, max: 1_000 }),
          fc.integer({ min: 1_000, max: 20_000 }),
        ),
        shape: fc.constantFrom('array' as const, 'object' as const, 'mixed' as const),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('long' as const),
        length: fc.oneof(fc.integer({ min: 1_000, max: 20_000 }), fc.integer({ min: 100_000, max: 300_000 })),
        unit: fc.constantFrom('a', '\u00e9', '\\', '%41', word, '\ud83d\ude00', '\u0000'),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('bytes' as const),
        before: fc.constantFrom(word, '', 'x'),
        hex: fc.constantFrom(
          'ff',
          'fe',
          'c0af',
          'e0808f',
          'eda080',
          'f4908080',
          '80',
          'c3',
          'f09f98',
          '00',
          'efbbbf',
        ),
        after: fc.constantFrom('', word, 'x'),
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          '1e400',
          '-1e400',
          '-0',
          '123456789012345678901234567890',
          '0.0000000000000000000000000001',
          '1E2',
          '104.0',
          '1.04e2',
          '9007199254740993',
        )
        .map((text): Val => ({ t: 'raw', text })),
    },
    {
      weight: 1,
      arbitrary: fc.record({ t: fc.constant('wide' as const), keys: fc.integer({ min: 100, max: 20_000 }) }),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => json(v as JsonLike)) },
  );

const wrongType = fc.constantFrom<JsonLike>(null, true, false, 0, -1, 1.5, 1e308, '', 'x', [], {}, ['a'], {
  a: 1,
});

const valueArb = (word: string): fc.Arbitrary<Val> =>
  fc.oneof({ weight: 3, arbitrary: wrongType.map(json) }, { weight: 2, arbitrary: oddValue(word) });

/** Status values: the success word often (so that flags and framing decide), its variants, every documented word, nonsense. */
const statusArb = (word: string): fc.Arbitrary<Val> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(json(word)) },
    { weight: 4, arbitrary: fc.constantFrom(...variants(word)).map(json) },
    { weight: 3, arbitrary: fc.constantFrom(...ALL_STATUSES).map(json) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('DONE', 'SUCCESS', 'OK', 'COMPLETED', 'succeeded', 'true', 'unknown', 'UNKNOWN', 'null')
        .map(json),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom<JsonLike>(null, 0, 1, -1, true, false, [], {}, [word], { status: word }, '')
        .map(json),
    },
    { weight: 1, arbitrary: oddValue(word) },
  );

/** `is_success` forms: clearly true, failure in every spelling, and odd types. */
const FLAG_FORMS: JsonLike[] = [
  true,
  'true',
  'TRUE',
  'True',
  ' true ',
  '\ttrue\n',
  false,
  'false',
  ' false',
  'false ',
  'FALSE',
  '0',
  0,
  1,
  '1',
  'no',
  'yes',
  '',
  't',
  'truee',
  'true\u0000',
  'tru\u0435',
  null,
  {},
  [],
  [true],
  { value: true },
];
const flagArb = (word: string): fc.Arbitrary<Val | null> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...FLAG_FORMS).map(json) },
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: oddValue(word) },
  );

const JOB_IDS: JsonLike[] = [104, 146, '104', ' 146 ', '146abc', -146, 146.5, null, '', [146], { id: 146 }];

function editArb(api: Api): fc.Arbitrary<Edit> {
  const word = SUCCESS_STATUS[KIND_OF_API[api]];
  const paths = pathsFor(api);
  const pathArb = fc.constantFrom(...paths);
  const containerArb = fc.constantFrom<Seg[]>(
    [],
    ['job_detail'],
    ['job_list'],
    ['job_list', 'jobs', 0],
    ['submissions', 0],
    ['nodes', 0],
  );
  // `__proto__` members where they could lend a status or a flag: at the status's own object, and at the top.
  const statusHome = statusPath(api, 0).slice(0, -1);
  const wrapped: JsonLike = statusHome.reduceRight<JsonLike>(
    (inner, seg) => (typeof seg === 'number' ? [inner] : { [seg]: inner }),
    { status: word, job_id: 146 },
  );
  const protoArb = fc.oneof(
    fc.record({ path: fc.constant(statusHome), inner: fc.constant({ status: word }) }),
    fc.record({
      path: fc.constant<Seg[]>([]),
      inner: fc.constantFrom<{ [key: string]: JsonLike }>(
        wrapped as { [key: string]: JsonLike },
        { is_success: true },
        { is_success: false },
      ),
    }),
    fc.record({
      path: containerArb,
      inner: fc.constantFrom<{ [key: string]: JsonLike }>({ status: word }, { job_detail: { status: word } }),
    }),
  );
  const arbs: fc.WeightedArbitrary<Edit>[] = [
    {
      weight: 6,
      arbitrary: fc.record({ op: fc.constant('status' as const), item: fc.nat(2), value: statusArb(word) }),
    },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('flag' as const), value: flagArb(word) }) },
    {
      weight: 3,
      arbitrary: fc.record({ op: fc.constant('set' as const), path: pathArb, value: valueArb(word) }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), path: pathArb }) },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('dup' as const),
        path: containerArb,
        key: fc.constantFrom('status', 'is_success', 'job_detail', 'submissions', 'job_id'),
        value: statusArb(word),
        after: fc.boolean(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(protoArb, fc.boolean())
        .map(([{ path, inner }, removeOwn]): Edit => ({ op: 'proto', path, inner, removeOwn })),
    },
  ];
  if (api === 'flink-list')
    arbs.push({
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('job' as const),
        id: fc.oneof(fc.constantFrom(...JOB_IDS).map(json), oddValue('146')),
        status: statusArb(word),
      }),
    });
  if (api === 'cdm')
    arbs.push({
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('submissions' as const),
        statuses: fc.array(statusArb(word), { maxLength: 4 }),
      }),
    });
  return fc.oneof(...arbs);
}

const NON_JSON = [
  '',
  ' ',
  '<html><body><h1>502 Bad Gateway</h1></body></html>',
  'null',
  'true',
  '0',
  '"FINISHED"',
  '[]',
  '[{"status":"FINISHED","is_success":true}]',
  'OK',
  '{',
  '}',
  '{"is_success":true,"status":"FINISHED"',
  '\ufeff{"is_success":true,"status":"FINISHED"}',
  'is_success=true&status=FINISHED',
  'NaN',
  '{"is_success": true, "status": FINISHED}',
  '{"is_success": true, "status": "FINISHED",}',
  "{'is_success': true, 'status': 'FINISHED'}",
  '{"is_success":true,"status":"FINISHED"}{"is_success":false}',
];

function bodyArb(api: Api): fc.Arbitrary<Body> {
  const doc = fc.record(
    {
      t: fc.constant('doc' as const),
      base: fc.oneof(
        { weight: 10, arbitrary: fc.constantFrom(...OWN_BASES[api]) },
        { weight: 2, arbitrary: fc.constantFrom(...ERROR_BASES) },
        { weight: 1, arbitrary: fc.constantFrom(...Object.keys(BASES)) },
      ),
      edits: fc.array(editArb(api), { maxLength: 4 }),
      bytes: fc.record({
        op: fc.constantFrom('cut' as const, 'insert' as const),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        hex: fc.constantFrom('ff', 'c0af', 'eda080', '00', '0a', '22', '5c', '7b', 'efbbbf'),
      }),
    },
    { requiredKeys: ['t', 'base', 'edits'] },
  );
  return fc.oneof(
    { weight: 12, arbitrary: doc },
    {
      weight: 1,
      arbitrary: fc.record({ t: fc.constant('text' as const), text: fc.constantFrom(...NON_JSON) }),
    },
  );
}

const RETRY_AFTER = [
  '',
  '0',
  '1',
  '0.01',
  '-1',
  '  0  ',
  'abc',
  '1e3',
  '99999999999999999999',
  '18446744073709551616',
  'Infinity',
  'NaN',
  '0, 0',
  'Wed, 21 Oct 2015 07:28:00 GMT',
  'Fri, 31 Dec 9999 23:59:59 GMT',
  'Thu, 01 Jan 1970 00:00:00 GMT',
  '1'.repeat(400),
  '\u00b9',
];

const HEADER_ARB: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.constantFrom(...RETRY_AFTER).map((v): [string, string] => ['Retry-After', v]),
  fc
    .constantFrom(
      '',
      'req-1',
      'r'.repeat(5_000),
      '\u00e9\u00ff',
      'Signature=0123456789abcdef0123456789abcdef',
    )
    .map((v): [string, string] => ['X-Request-Id', v]),
  fc
    .constantFrom(
      'text/html',
      'application/json; charset=latin1',
      'application/octet-stream',
      '',
      'application/json;charset=UTF-16',
    )
    .map((v): [string, string] => ['Content-Type', v]),
  fc.constantFrom<[string, string]>(
    ['Content-Encoding', 'gzip'],
    ['Retry-After', '1'],
    ['X-Request-Id', 'a'],
    ['Transfer-Encoding', 'gzip'],
    ['Content-Length', '5'],
    ['Set-Cookie', 'a=b'],
    ['Date', 'garbage'],
    ['X-Empty', ''],
  ),
);

const STATUS_ARB = fc.oneof(
  { weight: 30, arbitrary: fc.constant(200) },
  { weight: 2, arbitrary: fc.constantFrom(201, 202, 203, 204, 206, 299) },
  { weight: 1, arbitrary: fc.constantFrom(100, 103, 301, 302, 304, 600, 999) },
  { weight: 3, arbitrary: fc.constantFrom(400, 401, 403, 404, 405, 408, 409, 413, 418, 422) },
  { weight: 4, arbitrary: fc.constant(429) },
  { weight: 4, arbitrary: fc.constantFrom(500, 501, 502, 503, 504, 505, 599) },
);

const FRAMING_ARB: fc.Arbitrary<Framing> = fc.oneof(
  { weight: 40, arbitrary: fc.constant('length' as const) },
  { weight: 4, arbitrary: fc.constant('chunked' as const) },
  { weight: 4, arbitrary: fc.constant('close' as const) },
  {
    weight: 7,
    arbitrary: fc.constantFrom<Framing>(
      'short',
      'long',
      'stall',
      'silent',
      'reset',
      'bad-status-line',
      'huge-declared',
    ),
  },
);

export function answerArb(api: Api): fc.Arbitrary<AnswerRecipe> {
  return fc.record(
    {
      status: STATUS_ARB,
      // Mostly readable: an unreadable one on a 429 pauses the key 2 to 5 s, which a few cases show as well as many.
      retryAfter: fc.constantFrom('0', '1', '0.01', '0.5'),
      headers: fc.array(HEADER_ARB, { maxLength: 3 }),
      body: bodyArb(api),
      framing: FRAMING_ARB,
    },
    { requiredKeys: ['status', 'headers', 'body', 'framing'] },
  );
}

/** DLI's busy answer to the progress API, in either form: what makes `dli-sql` read the status API. */
const BUSY_ARB: fc.Arbitrary<AnswerRecipe> = fc.record({
  status: fc.constantFrom(200, 400),
  headers: fc.constant([]),
  body: fc.constant<Body>({ t: 'doc', base: 'dli-busy', edits: [] }),
  framing: fc.constant('length' as const),
});

const sqlStateScript: fc.Arbitrary<AnswerRecipe[]> = fc.oneof(
  answerArb('sql-progress').map((a) => [a]),
  fc.tuple(BUSY_ARB, answerArb('sql-status')).map(([a, b]) => [a, b]),
);

function scriptArb(family: Family): fc.Arbitrary<AnswerRecipe[]> {
  const one = (api: Api) => fc.array(answerArb(api), { minLength: 1, maxLength: 3 });
  switch (family) {
    case 'api:flink-detail':
    case 'state:dli-flink':
      return one('flink-detail');
    case 'api:flink-list':
    case 'api:flink-list-all':
      return one('flink-list');
    case 'api:sql-progress':
      return one('sql-progress');
    case 'api:sql-status':
      return one('sql-status');
    case 'api:dataarts':
    case 'state:dataarts-realtime':
      return one('dataarts');
    case 'api:cdm':
    case 'state:cdm':
      return one('cdm');
    case 'state:dli-flink-batch':
      return fc
        .tuple(answerArb('flink-list'), fc.array(answerArb('flink-detail'), { maxLength: 2 }))
        .map(([list, details]) => [list, ...details]);
    case 'state:dli-sql':
      return sqlStateScript;
    case 'wait:dli-flink':
      return fc.array(answerArb('flink-detail'), { minLength: 1, maxLength: 5 });
    case 'wait:dli-sql':
      return fc.array(sqlStateScript, { minLength: 1, maxLength: 3 }).map((parts) => parts.flat());
    case 'wait:dataarts-realtime':
      return fc.array(answerArb('dataarts'), { minLength: 1, maxLength: 5 });
    case 'wait:cdm':
      return fc.array(answerArb('cdm'), { minLength: 1, maxLength: 5 });
  }
}

const waitPlanArb: fc.Arbitrary<WaitPlan> = fc
  .record({
    until: fc.constantFrom('finished' as const, 'finished' as const, 'running' as const),
    timeoutMs: fc.integer({ min: 40, max: 300 }),
    intervalMs: fc.integer({ min: 1, max: 30 }),
    extra: fc.integer({ min: 0, max: 50 }),
    budget: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ extra, ...plan }) => ({ ...plan, maxIntervalMs: plan.intervalMs + extra }));

export function caseArb(family: Family): fc.Arbitrary<Case> {
  const base = {
    script: scriptArb(family),
    maxAttempts: fc.constantFrom(1, 1, 2, 3),
  };
  return family.startsWith('wait:') ? fc.record({ ...base, wait: waitPlanArb }) : fc.record(base);
}

// ---------------------------------------------------------------------------
// Rendering: recipe → bytes

class Special {
  constructor(readonly val: Val) {}
}
/** Extra members of an object written before or after its own: duplicate keys, `__proto__`. */
const EXTRA = Symbol('extra members');
type Extra = { before: [string, unknown][]; after: [string, unknown][] };
type Node = unknown;

function extraOf(obj: object): Extra {
  const holder = obj as { [EXTRA]?: Extra };
  holder[EXTRA] ??= { before: [], after: [] };
  return holder[EXTRA];
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !(v instanceof Special);
}

/** Walks to `path`, making containers where missing; returns the parent and the last key. */
function reach(
  root: { v: Node },
  path: Seg[],
  create: boolean,
): [Record<string | number, Node>, Seg] | undefined {
  let parent: Record<string | number, Node> = root as unknown as Record<string, Node>;
  let key: Seg = 'v';
  for (const seg of path) {
    let next = parent[key];
    if (!isObj(next)) {
      if (!create) return undefined;
      next = typeof seg === 'number' ? [] : {};
      parent[key] = next;
    }
    parent = next as Record<string | number, Node>;
    key = seg;
  }
  return [parent, key];
}

function setAt(root: { v: Node }, path: Seg[], value: Node): void {
  const spot = reach(root, path, true);
  if (!spot) return;
  const [parent, key] = spot;
  if (key === '__proto__') extraOf(parent).after.push(['__proto__', value]);
  else Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

function deleteAt(root: { v: Node }, path: Seg[]): void {
  const spot = reach(root, path, false);
  if (!spot) return;
  const [parent, key] = spot;
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else delete parent[key];
}

function statusPath(api: Api, item: number): Seg[] {
  switch (api) {
    case 'flink-detail':
      return ['job_detail', 'status'];
    case 'flink-list':
      return ['job_list', 'jobs', item, 'status'];
    case 'cdm':
      return ['submissions', item, 'status'];
    default:
      return ['status'];
  }
}

const clone = (v: JsonLike): Node => JSON.parse(JSON.stringify(v));

function applyEdit(api: Api, root: { v: Node }, edit: Edit): void {
  switch (edit.op) {
    case 'status': {
      const path = statusPath(api, edit.item);
      // A new list job or submission starts as a copy of the first, so only its status differs.
      if (typeof path[2] === 'number' || typeof path[1] === 'number') {
        const listPath = path.slice(0, path.length - 2);
        const index = path[path.length - 2] as number;
        const list = reach(root, [...listPath, 0], false);
        const first = list ? list[0][list[1]] : undefined;
        const holder = reach(root, [...listPath, index], true);
        if (holder && !isObj(holder[0][holder[1]]))
          holder[0][holder[1]] = isObj(first) ? clone(first as JsonLike) : {};
      }
      setAt(root, path, new Special(edit.value));
      return;
    }
    case 'flag':
      if (edit.value === null) deleteAt(root, ['is_success']);
      else setAt(root, ['is_success'], new Special(edit.value));
      return;
    case 'set':
      setAt(root, edit.path, new Special(edit.value));
      return;
    case 'delete':
      deleteAt(root, edit.path);
      return;
    case 'dup': {
      const spot = reach(root, edit.path, false);
      const target = spot ? spot[0][spot[1]] : undefined;
      if (!isObj(target) || Array.isArray(target)) return;
      const extra = extraOf(target);
      (edit.after ? extra.after : extra.before).push([edit.key, new Special(edit.value)]);
      return;
    }
    case 'proto': {
      const spot = reach(root, edit.path, edit.path.length === 0);
      const target = spot ? spot[0][spot[1]] : undefined;
      if (!isObj(target) || Array.isArray(target)) return;
      if (edit.removeOwn) for (const key of Object.keys(edit.inner)) delete target[key];
      extraOf(target).after.push(['__proto__', clone(edit.inner)]);
      return;
    }
    case 'job': {
      const spot = reach(root, ['job_list', 'jobs'], true);
      if (!spot) return;
      const [parent, key] = spot;
      if (!Array.isArray(parent[key])) parent[key] = [];
      (parent[key] as Node[]).push({ job_id: new Special(edit.id), status: new Special(edit.status) });
      return;
    }
    case 'submissions': {
      const spot = reach(root, ['submissions'], true);
      if (!spot) return;
      const [parent, key] = spot;
      const list = parent[key];
      const first = Array.isArray(list) && isObj(list[0]) ? list[0] : { 'job-name': 'jdbc2hive' };
      parent[key] = edit.statuses.map((s) => ({
        ...(clone(first as JsonLike) as object),
        status: new Special(s),
      }));
      return;
    }
  }
}

/** Keeps each rendered long value in bounds whatever the recipe says. */
const MAX_LONG_CHARS = 1_500_000;

function renderVal(val: Val, out: (string | Buffer)[]): void {
  switch (val.t) {
    case 'json':
      out.push(JSON.stringify(val.v) ?? 'null');
      return;
    case 'deep': {
      const d = val.depth;
      if (val.shape === 'array') out.push(`${'['.repeat(d)}1${']'.repeat(d)}`);
      else if (val.shape === 'object') out.push(`${'{"a":'.repeat(d)}null${'}'.repeat(d)}`);
      else out.push(`${'[{"a":'.repeat(Math.ceil(d / 2))}0${'}]'.repeat(Math.ceil(d / 2))}`);
      return;
    }
    case 'long': {
      const count = Math.max(
        1,
        Math.floor(Math.min(val.length, MAX_LONG_CHARS) / Math.max(1, val.unit.length)),
      );
      out.push(JSON.stringify(val.unit.repeat(count)));
      return;
    }
    case 'bytes':
      out.push(
        JSON.stringify(val.before).slice(0, -1),
        Buffer.from(val.hex, 'hex'),
        JSON.stringify(val.after).slice(1),
      );
      return;
    case 'raw':
      out.push(val.text);
      return;
    case 'wide': {
      const parts: string[] = [];
      for (let i = 0; i < val.keys; i++) parts.push(`"k${i}":${i}`);
      out.push(`{${parts.join(',')}}`);
      return;
    }
  }
}

function emit(node: Node, out: (string | Buffer)[]): void {
  if (node instanceof Special) {
    renderVal(node.val, out);
    return;
  }
  if (Array.isArray(node)) {
    out.push('[');
    for (let i = 0; i < node.length; i++) {
      if (i > 0) out.push(',');
      emit(node[i] ?? null, out);
    }
    out.push(']');
    return;
  }
  if (isObj(node)) {
    const extra = (node as { [EXTRA]?: Extra })[EXTRA] ?? { before: [], after: [] };
    const members = [...extra.before, ...Object.entries(node), ...extra.after];
    out.push('{');
    members.forEach(([k, v], i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      emit(v, out);
    });
    out.push('}');
    return;
  }
  out.push(JSON.stringify(node) ?? 'null');
}

export function renderBody(api: Api, body: Body): Buffer {
  if (body.t === 'text') return Buffer.from(body.text, 'utf8');
  const root = { v: clone(BASES[body.base] ?? null) };
  for (const edit of body.edits) applyEdit(api, root, edit);
  const out: (string | Buffer)[] = [];
  emit(root.v, out);
  let bytes = Buffer.concat(out.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
  if (body.bytes) {
    const at = Math.floor(body.bytes.at * bytes.length);
    bytes =
      body.bytes.op === 'cut'
        ? bytes.subarray(0, at)
        : Buffer.concat([bytes.subarray(0, at), Buffer.from(body.bytes.hex, 'hex'), bytes.subarray(at)]);
  }
  return bytes;
}

// ---------------------------------------------------------------------------
// The hostile server

export interface RenderedAnswer {
  recipe: AnswerRecipe;
  /** Built on first use: the API is known only when a request arrives. */
  bodyFor(api: Api): Buffer;
}

export interface Served {
  api: Api | undefined;
  target: string;
  status: number;
  framing: Framing;
  /** The body a client reads (undefined where it can read none: cut short, stalled, reset). */
  delivered: Buffer | undefined;
}

const BAD_STATUS_LINES = [
  'HTTP/1.1 2OO OK',
  'HTTP/1.1 -1 X',
  'HTTP/1.1 20 OK',
  'HTTP/9.9 200 OK',
  'ICY 200 OK',
  '',
];

export function renderAnswer(recipe: AnswerRecipe): RenderedAnswer {
  const cache = new Map<Api, Buffer>();
  return {
    recipe,
    bodyFor(api) {
      let body = cache.get(api);
      if (!body) {
        body = renderBody(api, recipe.body);
        cache.set(api, body);
      }
      return body;
    },
  };
}

/**
 * A minimal hostile server on 127.0.0.1: every request gets the next answer
 * of the loaded script (the last one again once the script is spent), written
 * byte for byte, framing and all; every connection closes after one answer.
 */
export class HostileServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #script: RenderedAnswer[] = [];
  #next = 0;
  served: Served[] = [];
  url = '';

  private constructor() {
    this.#server = createServer((socket) => this.#connection(socket));
  }

  static async start(): Promise<HostileServer> {
    const s = new HostileServer();
    await new Promise<void>((resolve) => s.#server.listen(0, '127.0.0.1', resolve));
    const address = s.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    s.url = `http://127.0.0.1:${address.port}`;
    return s;
  }

  load(script: RenderedAnswer[]): void {
    this.#script = script;
    this.#next = 0;
    this.served = [];
  }

  #connection(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    let head = '';
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      if (answered) return;
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 1_000_000) socket.destroy();
        return;
      }
      answered = true;
      const target = head.slice(0, head.indexOf('\r\n')).split(' ')[1] ?? '';
      this.#answer(socket, target);
    });
  }

  #answer(socket: Socket, target: string): void {
    const answer = this.#script[Math.min(this.#next, this.#script.length - 1)];
    this.#next++;
    const api = apiOfTarget(target);
    if (!answer) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const { status, headers, framing } = answer.recipe;
    const body = answer.bodyFor(api ?? 'flink-detail');
    const noBody = status === 204 || status === 304 || status < 200;
    let delivered: Buffer | undefined = noBody ? Buffer.alloc(0) : body;
    const lines = [
      framing === 'bad-status-line' ? pick(BAD_STATUS_LINES, body.length) : `HTTP/1.1 ${status} X`,
    ];
    lines.push('Connection: close');
    if (!headers.some(([name]) => name.toLowerCase() === 'content-type'))
      lines.push('Content-Type: application/json');
    if (answer.recipe.retryAfter !== undefined) lines.push(`Retry-After: ${answer.recipe.retryAfter}`);
    for (const [name, value] of headers) lines.push(`${name}: ${value}`);
    const head = (extra: string[]) => Buffer.from(`${[...lines, ...extra].join('\r\n')}\r\n\r\n`, 'latin1');
    switch (framing) {
      case 'length':
      case 'bad-status-line':
        socket.end(Buffer.concat([head([`Content-Length: ${body.length}`]), body]));
        break;
      case 'chunked': {
        const parts: Buffer[] = [head(['Transfer-Encoding: chunked'])];
        const step = Math.max(1, Math.ceil(body.length / 3));
        for (let i = 0; i < body.length; i += step) {
          const piece = body.subarray(i, i + step);
          parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`, 'latin1'), piece, Buffer.from('\r\n'));
        }
        parts.push(Buffer.from('0\r\n\r\n'));
        socket.end(Buffer.concat(parts));
        break;
      }
      case 'close':
        socket.end(Buffer.concat([head([]), body]));
        break;
      case 'short':
        delivered = undefined;
        socket.end(Buffer.concat([head([`Content-Length: ${body.length + 10}`]), body]));
        break;
      case 'long': {
        const declared = Math.floor(body.length / 2);
        if (!noBody) delivered = body.subarray(0, declared);
        socket.end(Buffer.concat([head([`Content-Length: ${declared}`]), body]));
        break;
      }
      case 'stall':
        delivered = undefined;
        socket.write(
          Buffer.concat([head([`Content-Length: ${body.length}`]), body.subarray(0, body.length >> 1)]),
        );
        break;
      case 'silent':
        delivered = undefined;
        break;
      case 'reset':
        delivered = undefined;
        socket.resetAndDestroy();
        break;
      case 'huge-declared':
        delivered = undefined;
        socket.write(Buffer.concat([head(['Content-Length: 1073741824']), body]));
        break;
    }
    this.served.push({ api, target, status, framing, delivered });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;

// ---------------------------------------------------------------------------
// The checks

/**
 * The brief's reading of `is_success`: a failure flag is any value present
 * that is not boolean true nor a string that trimmed and lower-cased is
 * "true". Null counts as absent, as the library documents (schema-helpers:
 * "Missing (or null) is absent").
 */
export function flagOf(body: unknown): 'success' | 'failure' | 'absent' {
  if (!isPlainObject(body) || !Object.hasOwn(body, 'is_success')) return 'absent';
  const v = body.is_success;
  if (v === null) return 'absent';
  if (v === true) return 'success';
  if (typeof v === 'string' && v.trim().toLowerCase() === 'true') return 'success';
  return 'failure';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const own = (v: unknown, key: string): unknown =>
  isPlainObject(v) && Object.hasOwn(v, key) ? v[key] : undefined;

/** JSON.parse, as a client would read the bytes; undefined when they are not JSON. */
function readJson(bytes: Buffer | undefined): { value: unknown } | undefined {
  if (bytes === undefined) return undefined;
  try {
    return { value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return undefined;
  }
}

/** A 2xx JSON answer whose `is_success` (if any; mandatory for SQL) is clearly true. */
export function isCleanAnswer(served: Served): { body: unknown } | undefined {
  if (served.status < 200 || served.status > 299 || served.api === undefined) return undefined;
  const parsed = readJson(served.delivered);
  if (!parsed) return undefined;
  const flag = flagOf(parsed.value);
  if (flag === 'failure') return undefined;
  if (flag === 'absent' && FLAG_MANDATORY.has(served.api)) return undefined;
  return { body: parsed.value };
}

const sameJobId = (value: unknown, id: number): boolean =>
  typeof value === 'number'
    ? value === id
    : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) && Number(value.trim()) === id;

/**
 * Whether one served answer names the documented success status of `ref`'s
 * kind, for that job, in the place its API puts it, without a failure flag.
 */
export function justifiesSuccess(ref: JobRef, served: Served): boolean {
  const clean = isCleanAnswer(served);
  if (!clean || served.api === undefined || KIND_OF_API[served.api] !== ref.kind) return false;
  const word = SUCCESS_STATUS[ref.kind as KindName];
  const body = clean.body;
  switch (served.api) {
    case 'flink-detail':
      return own(own(body, 'job_detail'), 'status') === word;
    case 'flink-list': {
      const jobs = own(own(body, 'job_list'), 'jobs');
      const id = Number((ref as { jobId: number | string }).jobId);
      return (
        Array.isArray(jobs) &&
        jobs.some((job) => sameJobId(own(job, 'job_id'), id) && own(job, 'status') === word)
      );
    }
    case 'sql-progress':
    case 'sql-status':
    case 'dataarts':
      return own(body, 'status') === word;
    case 'cdm': {
      // Several submissions: succeeded only when every one did.
      const submissions = own(body, 'submissions');
      return (
        Array.isArray(submissions) &&
        submissions.length > 0 &&
        submissions.every((s) => own(s, 'status') === word)
      );
    }
  }
}

export type FindingType = 'untyped-error' | 'wrong-verdict' | 'hang' | 'overrun' | 'unserialisable';
export interface Finding {
  type: FindingType;
  detail: string;
}

/** Where a state came from: the last answer (one read, one poll), or any of them (a batch, a timed-out wait's last state). */
export interface VerdictSource {
  ref: JobRef;
  state: JobState;
  from: 'last' | 'any';
}

/** The property for one call: what it returned or threw, what was served, how long it took. */
export function checkOutcome(input: {
  outcome: { ok: true; value: unknown } | { ok: false; error: unknown } | { hung: true };
  served: Served[];
  states: VerdictSource[];
  apiCall?: boolean;
  wait?: {
    timeoutMs: number;
    elapsedMs: number;
    marginMs: number;
    /** How long the event loop was held up meanwhile, in all (other cases, other processes). */
    stallMs?: number;
    until: 'finished' | 'running';
  };
}): Finding[] {
  const findings: Finding[] = [];
  const { outcome, served } = input;
  if ('hung' in outcome) {
    findings.push({ type: 'hang', detail: `the call did not settle; ${served.length} answers served` });
    return findings;
  }
  if (!outcome.ok && !(outcome.error instanceof JobGateError)) {
    const e = outcome.error as { name?: unknown; message?: unknown; stack?: unknown };
    findings.push({
      type: 'untyped-error',
      detail: `${String(e?.name)}: ${String(e?.message).slice(0, 300)}\n${String(e?.stack).split('\n').slice(1, 6).join('\n')}`,
    });
  }
  for (const { ref, state, from } of input.states) {
    if (state.phase !== 'succeeded') continue;
    const candidates = from === 'last' ? served.slice(-1) : served;
    if (!candidates.some((s) => justifiesSuccess(ref, s))) {
      findings.push({
        type: 'wrong-verdict',
        detail: `succeeded (status ${JSON.stringify(state.status)}) from an answer that names no documented success for ${ref.kind}, or carries a failure flag`,
      });
    }
  }
  if (input.apiCall && outcome.ok) {
    const last = served[served.length - 1];
    if (!last || !isCleanAnswer(last))
      findings.push({
        type: 'wrong-verdict',
        detail:
          'the API call returned an answer that is not a clean 2xx JSON body with a true (or, where optional, absent) is_success',
      });
  }
  if (input.wait) {
    const { timeoutMs, elapsedMs, marginMs, until } = input.wait;
    const stallMs = input.wait.stallMs ?? 0;
    if (elapsedMs > timeoutMs + marginMs + stallMs)
      findings.push({
        type: 'overrun',
        detail: `the wait took ${Math.round(elapsedMs)} ms with a timeout of ${timeoutMs} ms (margin ${marginMs} ms, event loop held up ${Math.round(stallMs)} ms in all meanwhile)`,
      });
    if (outcome.ok) {
      const phase = (outcome.value as JobState).phase;
      const expected = until === 'running' ? 'running' : 'succeeded';
      if (phase !== expected)
        findings.push({
          type: 'wrong-verdict',
          detail: `a wait until ${until} resolved with phase ${phase}`,
        });
    }
  }
  try {
    JSON.stringify(outcome.ok ? outcome.value : outcome.error);
    if (!outcome.ok) String(outcome.error);
  } catch (error) {
    findings.push({ type: 'unserialisable', detail: String((error as Error)?.message ?? error) });
  }
  return findings;
}

// ---------------------------------------------------------------------------
// Driving one case

export const FUZZ_PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const FUZZ_SECRET = 'fuzz-secret-key-that-must-never-leak-0001';
export const REFS = {
  flink: { kind: 'dli-flink', jobId: 104 },
  flinkListed: { kind: 'dli-flink', jobId: 146 },
  sql: { kind: 'dli-sql', jobId: '85798b38-ae44-48eb-bb90-7cf0dcdafe7b' },
  dataarts: { kind: 'dataarts-realtime', jobName: 'job_sms' },
  cdm: { kind: 'cdm', clusterId: '6ec9a0a4-76be-4262-8697-e7af1fac7920', jobName: 'jdbc2hive' },
} as const satisfies Record<string, JobRef>;

const REF_OF: Record<string, JobRef> = {
  'dli-flink': REFS.flink,
  'dli-sql': REFS.sql,
  'dataarts-realtime': REFS.dataarts,
  cdm: REFS.cdm,
};

/** Per-attempt request limit: small, so stalled answers cost little. */
const REQUEST_TIMEOUT_MS = 300;

let keySerial = 0;

/** A dispatcher shared by every fuzz client (each server closes after one answer). */
export const fuzzDispatcher = new Agent({ keepAliveTimeout: 10, connections: 64 });

/**
 * A client with its own access key, so that no case inherits another's
 * request budget (a 429 slows every request with that key), and quick retries.
 */
function fuzzClient(url: string, maxAttempts: number): JobGateClient {
  return createClient({
    projectId: FUZZ_PROJECT,
    credentials: { accessKey: `FUZZAK${(keySerial++).toString(36).toUpperCase()}`, secretKey: FUZZ_SECRET },
    endpoint: url,
    env: {},
    http: {
      dispatcher: fuzzDispatcher,
      maxAttempts,
      baseDelayMs: 1,
      maxDelayMs: 5,
      maxRetryAfterMs: 20,
      timeoutMs: REQUEST_TIMEOUT_MS,
      maxBodyBytes: 2 * 1024 * 1024,
      random: () => 0,
    },
  });
}

/**
 * How long the event loop was held up since a moment, in all: cases run side
 * by side in one thread (another case's answer being parsed) and CI shares its
 * cores, so a wait may end late through no fault of its own. Late by more than
 * the margin plus that time is the library's doing: sleeping past its
 * deadline leaves the event loop free.
 */
export const stallMonitor = (() => {
  const TICK_MS = 5;
  const gaps: { at: number; ms: number }[] = [];
  let last = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const now = performance.now();
    if (now - last > TICK_MS * 2) gaps.push({ at: now, ms: now - last - TICK_MS });
    if (gaps.length > 10_000) gaps.splice(0, 5_000);
    last = now;
  };
  return {
    start() {
      last = performance.now();
      timer ??= setInterval(tick, TICK_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    blockedSince(from: number): number {
      tick();
      let total = 0;
      for (const g of gaps) if (g.at >= from) total += g.ms;
      return total;
    },
  };
})();

export interface CaseResult {
  findings: Finding[];
  answers: number;
  elapsedMs: number;
}

/** How long a call may take before it counts as hung: attempts, throttle pauses (2 to 5 s), slack. */
function hangLimit(c: Case): number {
  if (c.wait) return c.wait.timeoutMs + 5_000;
  return c.maxAttempts * (REQUEST_TIMEOUT_MS + 5_500) * 2 + 5_000;
}

export async function runCase(
  server: HostileServer,
  family: Family,
  c: Case,
  marginMs: number,
): Promise<CaseResult> {
  server.load(c.script.map(renderAnswer));
  const client = fuzzClient(server.url, c.maxAttempts);
  const watchdog = new AbortController();
  const signal = watchdog.signal;
  const states: VerdictSource[] = [];
  let apiCall = false;
  let waitCall = false;

  const drive = async (): Promise<unknown> => {
    switch (family) {
      case 'api:flink-detail':
        apiCall = true;
        return client.dli.getFlinkJobDetail(104, { signal });
      case 'api:flink-list':
        apiCall = true;
        return client.dli.listFlinkJobs({ limit: 10 }, { signal });
      case 'api:flink-list-all': {
        apiCall = true;
        const jobs: unknown[] = [];
        for await (const job of client.dli.listAllFlinkJobs({ limit: 1 }, { signal, maxPages: 3 }))
          jobs.push(job);
        return jobs;
      }
      case 'api:sql-progress':
        apiCall = true;
        return client.dli.getSqlJobProgress(REFS.sql.jobId, { signal });
      case 'api:sql-status':
        apiCall = true;
        return client.dli.getSqlJobStatus(REFS.sql.jobId, { signal });
      case 'api:dataarts':
        apiCall = true;
        return client.dataarts.getRealtimeJobStatus('job_sms', { signal, workspace: 'ws-1' });
      case 'api:cdm':
        apiCall = true;
        return client.cdm.getJobStatus(REFS.cdm.clusterId, REFS.cdm.jobName, { signal });
      case 'state:dli-flink-batch': {
        // Two reads at once on one client share the job list (then details for what it lacks).
        const refs = [REFS.flinkListed, REFS.flink];
        const settled = await Promise.allSettled(
          refs.map((ref) => getJobState(client, ref, { signal, batch: true })),
        );
        settled.forEach((s, i) => {
          if (s.status === 'fulfilled') states.push({ ref: refs[i] as JobRef, state: s.value, from: 'any' });
        });
        const failed = settled.find((s) => s.status === 'rejected');
        if (failed) throw failed.reason;
        return settled.map((s) => (s as PromiseFulfilledResult<JobState>).value);
      }
      default: {
        const [mode, kind] = family.split(':') as ['state' | 'wait', string];
        const ref = REF_OF[kind] as JobRef;
        if (mode === 'state') {
          const state = await getJobState(client, ref, { signal });
          states.push({ ref, state, from: 'last' });
          return state;
        }
        waitCall = true;
        const plan = c.wait as WaitPlan;
        const state = await waitForJob(client, ref, {
          until: plan.until,
          timeoutMs: plan.timeoutMs,
          intervalMs: plan.intervalMs,
          maxIntervalMs: plan.maxIntervalMs,
          transientErrorBudget: plan.budget,
          signal,
        });
        states.push({ ref, state, from: 'last' });
        return state;
      }
    }
  };

  const started = performance.now();
  const call = drive().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<{ hung: true }>((resolve) => {
    timer = setTimeout(() => resolve({ hung: true }), hangLimit(c));
  });
  const outcome = await Promise.race([call, hung]);
  clearTimeout(timer);
  const elapsedMs = performance.now() - started;
  if ('hung' in outcome) {
    watchdog.abort(new Error('fuzz watchdog'));
    await Promise.race([call, new Promise((r) => setTimeout(r, 5_000))]);
  } else if (!outcome.ok) {
    // A failed or timed-out job carries its last state: a verdict too.
    const state = (outcome.error as { state?: JobState }).state;
    if (state && typeof state === 'object') {
      const ref = REF_OF[state.kind] ?? REFS.flink;
      const from = (outcome.error as Error).name === 'JobFailedError' ? 'last' : 'any';
      states.push({ ref, state, from });
    }
  }
  const served = server.served;
  if (process.env.JOBGATE_FUZZ_DEBUG && served.length === 0)
    console.log(
      'no answer served',
      family,
      'hung' in outcome ? 'hung' : outcome.ok ? 'ok' : String(outcome.error),
      Math.round(elapsedMs),
    );
  const findings = checkOutcome({
    outcome,
    served,
    states,
    apiCall,
    ...(waitCall && c.wait
      ? {
          wait: {
            timeoutMs: c.wait.timeoutMs,
            elapsedMs,
            marginMs,
            stallMs: stallMonitor.blockedSince(started),
            until: c.wait.until,
          },
        }
      : {}),
  });
  await client.close();
  server.load([]);
  return { findings, answers: served.length, elapsedMs };
}

// ---------------------------------------------------------------------------
// Running families with fast-check

/** Answers a case of each family serves on average (measured), to turn an answer budget into runs. */
const ANSWERS_PER_CASE: Record<Family, number> = {
  'api:flink-detail': 1.5,
  'api:flink-list': 1.5,
  'api:flink-list-all': 1.6,
  'api:sql-progress': 1.5,
  'api:sql-status': 1.5,
  'api:dataarts': 1.5,
  'api:cdm': 1.5,
  'state:dli-flink': 1.5,
  'state:dli-flink-batch': 1.6,
  'state:dli-sql': 1.9,
  'state:dataarts-realtime': 1.5,
  'state:cdm': 1.5,
  'wait:dli-flink': 1.5,
  'wait:dli-sql': 1.6,
  'wait:dataarts-realtime': 1.5,
  'wait:cdm': 1.5,
};

/**
 * A family's cases run in shards side by side: waits spend most of their time
 * asleep, so theirs are split three ways. A unit is `family#shard`.
 */
const SHARDS = (family: Family) => (family.startsWith('wait:') ? 3 : 1);

export interface Unit {
  name: string;
  family: Family;
  /** fast-check's seed for this unit: the run's seed, offset by family and shard. */
  seed: number;
  runs: number;
}

/** The units of a run: every family (or those named, `wait:cdm` or `wait:cdm#1`), sharing the answer budget. */
export function unitsFor(answers: number, seed: number, only: readonly string[] = []): Unit[] {
  return FAMILIES.flatMap((family, index) => {
    const shards = SHARDS(family);
    const runs = Math.max(1, Math.round(answers / FAMILIES.length / ANSWERS_PER_CASE[family] / shards));
    return Array.from({ length: shards }, (_, shard) => ({
      name: shards > 1 ? `${family}#${shard}` : family,
      family,
      seed: seed + index * 100 + shard,
      runs,
    }));
  }).filter((u) => only.length === 0 || only.includes(u.name) || only.includes(u.family));
}

export interface FamilyReport {
  unit: string;
  family: Family;
  /** fast-check's path of the shrunk counterexample, for JOBGATE_FUZZ_PATH. */
  path?: string;
  seed: number;
  runs: number;
  answers: number;
  seconds: number;
  counts: Record<FindingType, number>;
  /** The first few findings of the run, as found (before shrinking). */
  examples: string[];
  /** fast-check's report of the first failing case, shrunk: seed, path, counterexample. */
  failure?: string;
}

const emptyCounts = (): Record<FindingType, number> => ({
  'untyped-error': 0,
  'wrong-verdict': 0,
  hang: 0,
  overrun: 0,
  unserialisable: 0,
});

/**
 * Runs one family: every run first (counting every finding), then, if any
 * run failed, fast-check replays the first failing one from its seed and
 * path and shrinks it, for a minimal counterexample.
 */
export async function fuzzUnit(
  unit: Unit,
  options: { marginMs: number; path?: string; shrinkTimeMs?: number },
): Promise<FamilyReport> {
  const { family } = unit;
  const seed = unit.seed;
  const server = await HostileServer.start();
  const started = performance.now();
  const report: FamilyReport = {
    unit: unit.name,
    family,
    seed,
    runs: unit.runs,
    answers: 0,
    seconds: 0,
    counts: emptyCounts(),
    examples: [],
  };
  try {
    let index = 0;
    let firstFailing: number | undefined;
    const survey = fc.asyncProperty(caseArb(family), async (c) => {
      const result = await runCase(server, family, c, options.marginMs);
      if (process.env.JOBGATE_FUZZ_SLOW && result.elapsedMs > Number(process.env.JOBGATE_FUZZ_SLOW))
        console.log(`slow ${family} ${Math.round(result.elapsedMs)} ms: ${fc.stringify(c).slice(0, 600)}`);
      report.answers += result.answers;
      for (const f of result.findings) {
        report.counts[f.type]++;
        if (report.examples.length < 3) report.examples.push(`${f.type}: ${f.detail}`);
      }
      if (result.findings.length > 0 && firstFailing === undefined) firstFailing = index;
      index++;
    });
    if (options.path === undefined) {
      await fc.assert(survey, { seed, numRuns: unit.runs });
    } else firstFailing = 0;
    if (firstFailing === undefined) return report;
    const strict = fc.asyncProperty(caseArb(family), async (c) => {
      const result = await runCase(server, family, c, options.marginMs);
      if (result.findings.length > 0)
        throw new Error(result.findings.map((f) => `${f.type}: ${f.detail}`).join('\n'));
    });
    const details = await fc.check(strict, {
      seed,
      path: options.path ?? String(firstFailing),
      numRuns: unit.runs,
      endOnFailure: false,
      plugins: [fc.interruptAfterTimeLimit(options.shrinkTimeMs ?? 30_000)],
    });
    if (details.failed) {
      report.path = details.counterexamplePath ?? undefined;
      report.failure = `${unit.name}: ${fc.defaultReportMessage(details)}`;
    } else
      report.failure = `${unit.name}: run ${firstFailing} of seed ${seed} failed once but passed on replay (timing?)`;
    return report;
  } finally {
    report.seconds = (performance.now() - started) / 1000;
    await server.close();
  }
}
