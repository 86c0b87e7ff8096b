import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCENARIO_PATH,
  loadScenarioFile,
  parseScenario,
  ScenarioError,
  ScenarioSchema,
  startEmulator,
} from '../src/index.js';

const credentials = [{ accessKey: 'AK', secretKey: 'SK', projectId: 'p' }];

function issuesOf(data: unknown): string[] {
  try {
    parseScenario(data);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).issues.map((i) => `${i.path || '(root)'}: ${i.message}`);
  }
  throw new Error('expected the scenario to be rejected');
}

describe('scenario validation', () => {
  it('names the field of a missing step status', () => {
    const issues = issuesOf({
      credentials,
      jobs: [
        { kind: 'dli-flink', jobId: 1, steps: [{ status: 'job_running' }] },
        { kind: 'cdm', clusterId: 'c', jobName: 'j', steps: [{ status: 'RUNNING' }] },
        { kind: 'dli-sql', jobId: '85798b38-ae44-48eb-bb90-7cf0dcdafe7b', steps: [{ durationMs: 5 }] },
      ],
    });
    expect(issues).toContain('jobs[2].steps[0].status: required');
  });

  it('catches typos: unknown keys, unknown statuses, wrong kinds, bad identities', () => {
    const issues = issuesOf({
      credentials,
      job: [],
      jobs: [
        { kind: 'dli-flink', jobId: 1, steps: [{ status: 'job_runing' }] },
        { kind: 'dli-flink', jobId: '12', steps: [{ status: 'job_running' }] },
        { kind: 'dli-sql', jobId: 'x', steps: [{ status: 'RUNNING', progres: 0.5 }] },
        { kind: 'cdm', clusterId: 'c', steps: [{ status: 'SUCCEEDED' }] },
        { kind: 'flink', steps: [] },
      ],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        '(root): not a known field: job',
        expect.stringMatching(/^jobs\[0\]\.steps\[0\]\.status: expected one of "job_init", /),
        expect.stringMatching(/^jobs\[1\]\.jobId: /),
        expect.stringMatching(/^jobs\[2\]\.jobId: expected a DLI SQL job id \(a UUID/),
        'jobs[2].steps[0]: not a known field: progres',
        'jobs[3].jobName: required',
        expect.stringMatching(/^jobs\[4\]\.kind: /),
      ]),
    );
  });

  it('requires a duration on every step but the last', () => {
    expect(
      issuesOf({
        credentials,
        jobs: [
          { kind: 'dli-flink', jobId: 1, steps: [{ status: 'job_submitting' }, { status: 'job_running' }] },
        ],
      }),
    ).toEqual([
      expect.stringMatching(/^jobs\[0\]\.steps\[0\]\.durationMs: Required on every step but the last/),
    ]);
  });

  it('rejects duplicate jobs and access keys, and a scenario without credentials', () => {
    const job = { kind: 'dli-flink', jobId: 1, steps: [{ status: 'job_running' }] };
    expect(issuesOf({ credentials: [...credentials, ...credentials], jobs: [job, job] })).toEqual([
      'credentials[1].accessKey: Duplicate access key (already in credentials[0])',
      'jobs[1]: Duplicate job: same kind and identity as jobs[0]',
    ]);
    expect(issuesOf({ jobs: [] })).toEqual(['credentials: required']);
    expect(issuesOf({ credentials: [] })[0]).toMatch(/^credentials: /);
  });

  it('validates faults and the rate limit', () => {
    const issues = issuesOf({
      credentials,
      faults: [
        { type: '503', probability: 1.5 },
        { type: 'teapot' },
        { type: 'latency', match: { paht: '/v1' } },
      ],
      rateLimit: { perAkPerSecond: 0 },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^faults\[0\]\.probability: /),
        expect.stringMatching(/^faults\[1\]\.type: /),
        'faults[2].match: not a known field: paht',
        expect.stringMatching(/^rateLimit\.perAkPerSecond: /),
      ]),
    );
  });

  it('validates respond faults and keeps non-json to 200 or 502', () => {
    expect(
      issuesOf({
        credentials,
        faults: [
          { type: 'respond', status: 600 },
          { type: 'respond', body: 'a', bodyBase64: 'YQ==' },
          { type: '503', body: 'x', headers: { 'X-A': 'b' } },
          { type: 'respond', bodyBase64: 'not base64!' },
          { type: 'respond', headers: { 'X-A': 'a\r\nInjected: yes' } },
          { type: 'respond', headers: { 'bad name': 'v' } },
          { type: 'non-json', status: 404 },
          { type: 'respond', status: 99 },
        ],
      }),
    ).toEqual([
      'faults[0].status: expected at most 599',
      'faults[1].bodyBase64: Give body or bodyBase64, not both',
      'faults[2].headers: Only for type respond',
      'faults[2].body: Only for type respond',
      'faults[3].bodyBase64: expected base64 text (standard alphabet, padded)',
      'faults[4].headers["X-A"]: Not a valid HTTP header value (no CR, LF or other control characters)',
      'faults[5].headers["bad name"]: Not a valid HTTP header name',
      'faults[6].status: For non-json: 200 or 502',
      'faults[7].status: expected at least 100',
    ]);
    const scenario = parseScenario({
      credentials,
      faults: [
        { type: 'respond', status: 418, headers: { 'Content-Type': 'text/plain' }, body: 'tea', count: 1 },
        {
          type: 'respond',
          bodyBase64: '//4=',
          match: { path: '/progress', method: 'GET' },
          probability: 0.5,
        },
        { type: 'non-json', status: 200 },
        { type: 'non-json', status: 502 },
      ],
    });
    expect(scenario.faults).toHaveLength(4);
  });
});

describe('scenario files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jobgate-emulator-'));

  it('reports the file and the field of a bad scenario file', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        credentials,
        jobs: [
          { kind: 'cdm', clusterId: 'c', jobName: 'a', steps: [{ status: 'RUNNING' }] },
          { kind: 'cdm', clusterId: 'c', jobName: 'b', steps: [{ status: 'RUNNING' }] },
          { kind: 'cdm', clusterId: 'c', jobName: 'c', steps: [{ message: 'no status' }] },
        ],
      }),
    );
    expect(() => loadScenarioFile(file)).toThrow(/bad\.json[\s\S]*jobs\[2\]\.steps\[0\]\.status: required/);
    await expect(startEmulator({ scenario: file })).rejects.toBeInstanceOf(ScenarioError);
  });

  it('reports a file that is not JSON, or missing', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "credentials": [ }');
    expect(() => loadScenarioFile(file)).toThrow(/not valid JSON/);
    expect(() => loadScenarioFile(join(dir, 'missing.json'))).toThrow(/cannot be read \(ENOENT\)/);
  });

  it('loads a scenario given as a path', async () => {
    const file = join(dir, 'good.json');
    writeFileSync(file, JSON.stringify({ credentials, jobs: [] }));
    const emulator = await startEmulator({ scenario: file });
    try {
      expect(emulator.credentials.accessKey).toBe('AK');
      expect(emulator.admin.jobs()).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});

describe('the default scenario', () => {
  const scenario = ScenarioSchema.parse(JSON.parse(readFileSync(DEFAULT_SCENARIO_PATH, 'utf8')));

  it('holds the eleven documented jobs and fixed credentials', () => {
    expect(scenario.credentials[0]).toEqual({
      accessKey: 'JOBGATEEMULATORAK00',
      secretKey: 'jobgate-emulator-secret-key-not-for-production',
      projectId: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    });
    const outcomes = scenario.jobs.map((job) => `${job.kind}:${job.steps.map((s) => s.status).at(-1)}`);
    expect(outcomes).toEqual([
      'dli-flink:job_running',
      'dli-flink:job_running_exception',
      'dli-sql:FINISHED',
      'dli-sql:FAILED',
      'dataarts-realtime:EXCEPTION',
      'cdm:SUCCEEDED',
      'cdm:FAILED',
      // Ready to be started.
      'dli-flink:job_cancel_success',
      'dataarts-realtime:STOPPED',
      'dataarts-batch:success',
      'cdm:NEVER_EXECUTED',
    ]);
    const dataArts = scenario.jobs[4];
    expect(dataArts?.steps.map((s) => s.status)).toContain('NORMAL');
  });

  it('is documented in the package README, job by job', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const job of scenario.jobs) {
      const id = 'jobId' in job ? String(job.jobId) : job.jobName;
      expect(readme, id).toContain(id);
    }
    for (const c of scenario.credentials) expect(readme).toContain(c.accessKey);
  });
});
