import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SCENARIO_PATH,
  loadScenarioFile,
  parseScenario,
  ScenarioError,
  startEmulator,
} from '../src/index.js';
import { formatPath } from '../src/scenario.js';

/** What the schema library says when left to its own words; none of it may reach a user. */
const LIBRARY_WORDS = [
  'Invalid input',
  'Too big',
  'Too small',
  'expected string, received',
  'received',
  'Invalid option',
  'Invalid discriminator',
  'Invalid GUID',
  'Invalid string',
  'Invalid base64',
  'Unrecognized key',
  'expected record',
  'expected int',
  'expected array to have',
];

const base: unknown = JSON.parse(readFileSync(DEFAULT_SCENARIO_PATH, 'utf8'));
type Path = (string | number)[];

/** Every place in the scenario that holds a value: the mutations' targets. */
function pathsOf(value: unknown, path: Path = []): Path[] {
  const here = path.length ? [path] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...path, i]))];
  if (value && typeof value === 'object')
    return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...path, k]))];
  return here;
}
const PATHS = pathsOf(base);

type Mutation =
  | { op: 'delete'; at: Path }
  | { op: 'replace'; at: Path; value: unknown }
  | { op: 'add'; at: Path; key: string; value: unknown };

function apply(mutation: Mutation): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  const parent = mutation.at
    .slice(0, -1)
    .reduce<Record<string | number, unknown>>(
      (node, key) => node[key] as Record<string | number, unknown>,
      copy,
    );
  const last = mutation.at.at(-1) as string | number;
  if (mutation.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (mutation.op === 'replace') parent[last] = mutation.value;
  else {
    const target = parent[last];
    if (target && typeof target === 'object' && !Array.isArray(target))
      (target as Record<string, unknown>)[mutation.key] = mutation.value;
    else parent[last] = { [mutation.key]: mutation.value };
  }
  return copy;
}

const wrongValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ minLength: 300, maxLength: 400 }),
  fc.constantFrom('', 'job_runing', 'RUNNNING', 'not-a-uuid', '!!', 'dli-flinkk', 'cdm '),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noNaN: true }),
  fc.constantFrom(-1, 0, 1.5, 1e20, Number.MAX_SAFE_INTEGER + 2),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
);

const mutation: fc.Arbitrary<Mutation> = fc
  .tuple(fc.nat({ max: PATHS.length - 1 }), fc.constantFrom('delete', 'replace', 'add'), wrongValue)
  .chain(([i, op, value]) => {
    const at = PATHS[i] as Path;
    if (op === 'delete') return fc.constant<Mutation>({ op, at });
    if (op === 'replace') return fc.constant<Mutation>({ op, at, value });
    return fc
      .constantFrom('statuss', 'jobid', 'durationMS', 'progres', 'kinds', 'steps ')
      .map((key): Mutation => ({ op: 'add', at, key, value }));
  });

function issuesOf(data: unknown): ScenarioError | undefined {
  try {
    parseScenario(data);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return error as ScenarioError;
  }
}

function expectPlainWords(error: ScenarioError) {
  expect(error.issues.length).toBeGreaterThan(0);
  for (const issue of error.issues) {
    expect(issue.path, error.message).not.toBe('');
    for (const words of LIBRARY_WORDS) expect(issue.message, error.message).not.toContain(words);
    expect(issue.message.trim()).not.toBe('');
  }
  for (const words of LIBRARY_WORDS) expect(error.message).not.toContain(words);
}

describe('every scenario error names the place and says what was expected, in plain words', () => {
  it('for many malformed scenarios', () => {
    let rejected = 0;
    fc.assert(
      fc.property(mutation, (m) => {
        const error = issuesOf(apply(m));
        // A mutation that still makes a valid scenario (an optional text replaced by text) says nothing.
        if (!error) return;
        rejected++;
        expectPlainWords(error);
        // The problem is reported where it was made: at the value, inside it, or at what holds it.
        const changed = formatPath(m.at);
        expect(
          error.issues.some((i) => changed.startsWith(i.path) || i.path.startsWith(changed)),
          `${changed} not named in\n${error.message}`,
        ).toBe(true);
      }),
      { numRuns: 400 },
    );
    expect(rejected).toBeGreaterThan(200);
  });

  const dir = mkdtempSync(join(tmpdir(), 'jobgate-scenario-words-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bad = {
    credentials: [{ accessKey: 'AK', secretKey: 'SK', projectId: 'p' }],
    jobs: [
      { kind: 'dli-flink', jobId: 1, name: 'x'.repeat(80), steps: [{ status: 'job_running' }] },
      { kind: 'dli-sql', jobId: 'not-a-uuid', steps: [] },
      { kind: 'cdm', clusterId: 'c', jobName: 'j', steps: [{ status: 'RUNNING', progres: 5 }] },
    ],
  };
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify(bad));
  const expected = [
    'jobs[0].name: expected at most 57 characters',
    'jobs[1].jobId: expected a DLI SQL job id',
    'jobs[1].steps: expected at least 1 item',
    'jobs[2].steps[0]: not a known field: progres',
  ];

  it('from a file, an object given to startEmulator, and a file given to startEmulator', async () => {
    for (const load of [
      () => loadScenarioFile(file),
      () => startEmulator({ scenario: file }),
      () => startEmulator({ scenario: bad as never }),
    ]) {
      const error = await (async () => load())().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ScenarioError);
      expectPlainWords(error as ScenarioError);
      for (const line of expected) expect((error as Error).message).toContain(line);
    }
  });

  it('from jobgate-emulator --scenario and jobgate emulator --scenario', () => {
    const bins = [
      fileURLToPath(new URL('../dist/cli.js', import.meta.url)),
      fileURLToPath(new URL('../../cli/dist/cli.js', import.meta.url)),
    ];
    for (const [bin, args] of [
      [bins[0], ['--scenario', file]],
      [bins[1], ['emulator', '--scenario', file]],
    ] as const) {
      const run = spawnSync(process.execPath, [bin as string, ...args], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain('bad.json');
      for (const line of expected) expect(run.stderr).toContain(line);
      for (const words of LIBRARY_WORDS) expect(run.stderr).not.toContain(words);
    }
  });
});
