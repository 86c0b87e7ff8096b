/**
 * A seeded fuzz of every answer the core reads, over real HTTP on 127.0.0.1:
 * mutated documented answers (wrong types, deep and wide values, long
 * strings, broken UTF-8, odd statuses and is_success forms, bodies cut short,
 * odd HTTP statuses, headers and framing) through every API method,
 * getJobState for every kind and waitForJob. Properties: only JobGateErrors
 * escape; `succeeded` only from an answer naming the kind's documented
 * success without a failure flag; every call settles; no wait overruns its
 * timeout; states and errors serialise.
 *
 * JOBGATE_FUZZ_RUNS: answers in all (default 5000); JOBGATE_FUZZ_SEED (default
 * fixed); JOBGATE_FUZZ_FAMILY and JOBGATE_FUZZ_PATH replay one failing case;
 * JOBGATE_FUZZ_SUMMARY: a file for the one-line figure (`pnpm fuzz`).
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JobState, ResponseFormatError } from '../src/index.js';
import {
  checkOutcome,
  type FamilyReport,
  fuzzDispatcher,
  fuzzUnit,
  HostileServer,
  REFS,
  runCase,
  type Served,
  stallMonitor,
  unitsFor,
} from './support/fuzz.js';

const RUNS = Number(process.env.JOBGATE_FUZZ_RUNS || 5_000);
const SEED = Number(process.env.JOBGATE_FUZZ_SEED || 20_240_611);
/** How far past its timeout a wait may end: timers and a body being parsed when the deadline fires. */
const MARGIN_MS = Number(process.env.JOBGATE_FUZZ_MARGIN_MS || 250);
const ONLY = process.env.JOBGATE_FUZZ_FAMILY?.split(',').filter(Boolean) ?? [];
const PATH = process.env.JOBGATE_FUZZ_PATH || undefined;

beforeAll(() => stallMonitor.start());
afterAll(async () => {
  stallMonitor.stop();
  await fuzzDispatcher.close();
});

const served = (api: Served['api'], body: string, status = 200): Served => ({
  api,
  target: '/',
  status,
  framing: 'length',
  delivered: Buffer.from(body),
});

const state = (kind: string, status: string, phase: JobState['phase']): JobState => ({
  kind,
  ref: {},
  phase,
  status,
  observedAt: new Date(0).toISOString(),
  raw: {},
});

describe('the fuzz checks', () => {
  it('flag a success read from a failure flag, an unearned status, an own-less status, untyped errors, overruns', () => {
    const succeeded = (ref: (typeof REFS)[keyof typeof REFS], answer: Served) =>
      checkOutcome({
        outcome: { ok: true, value: {} },
        served: [answer],
        states: [{ ref, state: state(ref.kind, 'x', 'succeeded'), from: 'last' }],
      }).map((f) => f.type);

    for (const flag of ['" false"', '"false "', '"FALSE"', '"0"', '0', '1', '"no"', '"yes"', '{}', 'false'])
      expect(
        succeeded(REFS.sql, served('sql-progress', `{"is_success":${flag},"status":"FINISHED"}`)),
        flag,
      ).toEqual(['wrong-verdict']);
    // Mandatory for SQL: absent is no success; optional for Flink.
    expect(succeeded(REFS.sql, served('sql-status', '{"status":"FINISHED"}'))).toEqual(['wrong-verdict']);
    expect(succeeded(REFS.flink, served('flink-detail', '{"job_detail":{"status":"job_finish"}}'))).toEqual(
      [],
    );
    for (const flag of ['true', '"true"', '" TRUE "'])
      expect(
        succeeded(REFS.sql, served('sql-progress', `{"is_success":${flag},"status":"FINISHED"}`)),
      ).toEqual([]);
    expect(succeeded(REFS.sql, served('sql-progress', '{"is_success":true,"status":"finished"}'))).toEqual([
      'wrong-verdict',
    ]);
    expect(
      succeeded(REFS.sql, served('sql-progress', '{"is_success":true,"status":"FINISHED"}', 500)),
    ).toEqual(['wrong-verdict']);
    // An inherited status names nothing: JSON.parse keeps "__proto__" as an own key.
    expect(
      succeeded(
        REFS.flink,
        served('flink-detail', '{"is_success":"true","job_detail":{"__proto__":{"status":"job_finish"}}}'),
      ),
    ).toEqual(['wrong-verdict']);
    // CDM: every submission must have succeeded.
    expect(
      succeeded(REFS.cdm, served('cdm', '{"submissions":[{"status":"SUCCEEDED"},{"status":"FAILED"}]}')),
    ).toEqual(['wrong-verdict']);
    expect(succeeded(REFS.cdm, served('cdm', '{"submissions":[]}'))).toEqual(['wrong-verdict']);
    expect(succeeded(REFS.cdm, served('cdm', '{"submissions":[{"status":"SUCCEEDED"}]}'))).toEqual([]);
    // An answer to another kind's API justifies nothing.
    expect(succeeded(REFS.dataarts, served('cdm', '{"submissions":[{"status":"SUCCEEDED"}]}'))).toEqual([
      'wrong-verdict',
    ]);

    expect(
      checkOutcome({ outcome: { ok: false, error: new TypeError('x') }, served: [], states: [] }).map(
        (f) => f.type,
      ),
    ).toEqual(['untyped-error']);
    const typed = new ResponseFormatError({
      status: 200,
      service: 'dli',
      problem: 'p',
      excerpt: '',
      retryable: false,
    });
    expect(checkOutcome({ outcome: { ok: false, error: typed }, served: [], states: [] })).toEqual([]);
    expect(checkOutcome({ outcome: { hung: true }, served: [], states: [] }).map((f) => f.type)).toEqual([
      'hang',
    ]);
    expect(
      checkOutcome({
        outcome: { ok: false, error: typed },
        served: [],
        states: [],
        wait: { timeoutMs: 100, elapsedMs: 600, marginMs: 250, until: 'finished' },
      }).map((f) => f.type),
    ).toEqual(['overrun']);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(
      checkOutcome({ outcome: { ok: true, value: cyclic }, served: [], states: [] }).map((f) => f.type),
    ).toEqual(['unserialisable']);
  });

  it('pass a documented answer and catch a known-bad one served over HTTP', async () => {
    const server = await HostileServer.start();
    try {
      const good = await runCase(
        server,
        'state:dli-sql',
        {
          maxAttempts: 1,
          script: [
            {
              status: 200,
              headers: [],
              framing: 'length',
              body: {
                t: 'doc',
                base: 'dli-sql-progress',
                edits: [{ op: 'status', item: 0, value: { t: 'json', v: 'FINISHED' } }],
              },
            },
          ],
        },
        MARGIN_MS,
      );
      expect(good.findings).toEqual([]);
      expect(good.answers).toBe(1);
      // The same answer with " false" as its flag: the library must not read success from it.
      const flagged = await runCase(
        server,
        'wait:dli-sql',
        {
          maxAttempts: 1,
          wait: { until: 'finished', timeoutMs: 200, intervalMs: 5, maxIntervalMs: 10, budget: 0 },
          script: [
            {
              status: 200,
              headers: [],
              framing: 'length',
              body: {
                t: 'doc',
                base: 'dli-sql-progress',
                edits: [
                  { op: 'status', item: 0, value: { t: 'json', v: 'FINISHED' } },
                  { op: 'flag', value: { t: 'json', v: ' false' } },
                ],
              },
            },
          ],
        },
        MARGIN_MS,
      );
      expect(flagged.findings).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

const units = unitsFor(RUNS, SEED, ONLY);

describe('fuzz: hostile answers over real HTTP', () => {
  it(
    `${RUNS} answers (seed ${SEED}): only typed errors, no unearned success, no hang, no overrun, all serialisable`,
    async () => {
      const started = performance.now();
      expect(units.length, `JOBGATE_FUZZ_FAMILY names no family: ${ONLY.join(',')}`).toBeGreaterThan(0);
      const reports: FamilyReport[] = await Promise.all(
        units.map((unit) => fuzzUnit(unit, { marginMs: MARGIN_MS, ...(PATH ? { path: PATH } : {}) })),
      );
      const seconds = (performance.now() - started) / 1000;
      const sum = (pick: (r: FamilyReport) => number) => reports.reduce((n, r) => n + pick(r), 0);
      const line =
        `fuzz: ${sum((r) => r.answers)} answers fuzzed in ${sum((r) => r.runs)} cases, ${seconds.toFixed(1)} s, seed ${SEED}: ` +
        `${sum((r) => r.counts['wrong-verdict'])} wrong verdicts, ${sum((r) => r.counts['untyped-error'])} untyped errors, ` +
        `${sum((r) => r.counts.hang)} hangs, ${sum((r) => r.counts.overrun)} overruns, ` +
        `${sum((r) => r.counts.unserialisable)} unserialisable`;
      console.log(line);
      if (process.env.JOBGATE_FUZZ_VERBOSE)
        for (const r of reports)
          console.log(`${r.unit}: ${r.runs} cases, ${r.answers} answers, ${r.seconds.toFixed(1)} s`);
      const failures = reports.flatMap((r) =>
        r.failure
          ? [
              `${r.failure}\nReplay: JOBGATE_FUZZ_SEED=${SEED} JOBGATE_FUZZ_FAMILY=${r.unit} JOBGATE_FUZZ_PATH=${r.path ?? '<path above>'} pnpm exec vitest run packages/core/test/fuzz.test.ts -t hostile` +
                ` (or pnpm fuzz -- --seed ${SEED} --family ${r.unit} --path ${r.path ?? '<path above>'})`,
            ]
          : [],
      );
      if (process.env.JOBGATE_FUZZ_SUMMARY)
        writeFileSync(process.env.JOBGATE_FUZZ_SUMMARY, `${JSON.stringify({ line, failures, reports })}\n`);
      if (failures.length > 0) throw new Error(`${line}\n\n${failures.join('\n\n')}`);
    },
    Math.max(600_000, RUNS * 100),
  );
});
