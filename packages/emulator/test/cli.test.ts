import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JOB_KINDS } from '@jobgate/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArgs } from '../src/cli-args.js';
import { DEFAULT_SCENARIO_PATH, type Emulator, parseScenario } from '../src/index.js';
import { CDM_CLUSTER, CDM_OK, getJson, paths } from './helpers.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const cli = join(packageDir, 'dist', 'cli.js');
const defaults = parseScenario(JSON.parse(readFileSync(DEFAULT_SCENARIO_PATH, 'utf8')));

describe('argument parsing', () => {
  it('has the documented defaults', () => {
    expect(parseCliArgs([])).toEqual({
      host: '127.0.0.1',
      port: 0,
      scenario: undefined,
      timeScale: 1,
      seed: undefined,
      requestLogSize: 10_000,
      dialect: undefined,
      quiet: false,
      help: false,
    });
  });

  it('reads every option', () => {
    expect(
      parseCliArgs([
        '--host',
        '0.0.0.0',
        '--port',
        '8080',
        '--scenario',
        'x.json',
        '--time-scale',
        '60',
        '--seed',
        '9',
        '--request-log-size',
        '50',
        '--dialect',
        'documented',
      ]),
    ).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      scenario: 'x.json',
      timeScale: 60,
      seed: 9,
      requestLogSize: 50,
      dialect: 'documented',
    });
    expect(parseCliArgs(['--time-scale=0.5', '--quiet', '-h'])).toMatchObject({
      timeScale: 0.5,
      quiet: true,
      help: true,
    });
  });

  it('rejects bad values and unknown options, naming them', () => {
    expect(() => parseCliArgs(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseCliArgs(['--port', 'abc'])).toThrow(CliUsageError);
    expect(() => parseCliArgs(['--time-scale', '0'])).toThrow(/--time-scale/);
    expect(() => parseCliArgs(['--seed', '1.5'])).toThrow(/--seed/);
    expect(() => parseCliArgs(['--request-log-size', '-1'])).toThrow(/--request-log-size/);
    expect(() => parseCliArgs(['--request-log-size', '2.5'])).toThrow(/--request-log-size/);
    expect(() => parseCliArgs(['--verbose'])).toThrow(/verbose/);
    expect(() => parseCliArgs(['--dialect', 'python'])).toThrow(/--dialect: invalid value "python"/);
    expect(() => parseCliArgs(['stray'])).toThrow(CliUsageError);
  });
});

/** Waits until the child's stdout matches, or it exits. */
function waitForOutput(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) {
        child.stdout.off('data', onData);
        resolve(match);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}: ${out}`)));
  });
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the built CLI', () => {
  beforeAll(() => {
    // Build from source so the test runs on a fresh clone and always tests the current code.
    const require = createRequire(import.meta.url);
    const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json')], { stdio: 'pipe' });
  }, 60_000);

  it('prints its URL, credentials and jobs, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [
      cli,
      '--port',
      '0',
      '--time-scale',
      '600',
      '--seed',
      '4',
      '--request-log-size',
      '2',
    ]);
    try {
      const [, url] = await waitForOutput(
        child,
        /listening on (http:\/\/127\.0\.0\.1:\d+)\n[\s\S]*Ctrl-C stops/,
      );
      const response = await fetch(`${url}/__emulator/health`);
      expect(await response.json()).toMatchObject({
        status: 'ok',
        timeScale: 600,
        seed: 4,
        jobs: 11,
        requestLog: { entries: 0, capacity: 2 },
      });
      const unsigned = await fetch(`${url}/v1.0/0f1e2d3c4b5a69788796a5b4c3d2e1f0/streaming/jobs/10001`);
      expect(unsigned.status).toBe(401);
      await waitForOutput(child, /GET \/v1\.0\/\S+ -> 401 APIG\.0301/);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('prints the accepted credentials and the job identities, and answers in the dialect asked for', async () => {
    const child = spawn(process.execPath, [cli, '--quiet', '--dialect', 'documented']);
    try {
      const [text] = await waitForOutput(child, /[\s\S]*Ctrl-C stops/);
      expect(text).toContain('dialect documented');
      const url = /listening on (\S+)/.exec(text)?.[1] as string;
      const { body } = await getJson({ url } as Emulator, paths.cdm(CDM_CLUSTER, CDM_OK));
      expect(body.submissions[0]['creation-date']).toMatch(/^\d+$/);
      expect(text).toContain('JOBGATEEMULATORAK00');
      expect(text).toContain('jobgate-emulator-secret-key-not-for-production');
      expect(text).toContain('0f1e2d3c4b5a69788796a5b4c3d2e1f0');
      expect(text).toContain('jobgate-emulator-iam-token-not-for-production');
      expect(text).toContain('job_id=10002');
      expect(text).toContain('job_name=jdbc2hive');
      // Each job by its kind as job_kind spells it, and how it ends.
      expect(text).toMatch(/dataarts-realtime +job_name=realtime_sms_alerts: EXCEPTION from 4 min on/);
      expect(text).toMatch(/cdm +cluster_id=\S+ job_name=obs2dws: FAILED from 3\.5 min on/);
      const jobLines = text
        .slice(text.indexOf('\nJobs:\n'))
        .split('\n')
        .slice(2, 2 + defaults.jobs.length);
      defaults.jobs.forEach((job, i) => {
        const line = jobLines[i] ?? '';
        expect(line.startsWith(`  ${job.kind} `), line).toBe(true);
        expect(JOB_KINDS.map((k) => k.name)).toContain(job.kind);
        expect(line).toMatch(new RegExp(`: ${job.steps.at(-1)?.status} (from [\\d.]+ min on|throughout)$`));
      });
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });

  it('answers with request ids that differ from run to run, unless --seed is given', async () => {
    /** The request ids of three reads from a fresh emulator started with these arguments. */
    const idsOf = async (args: string[]) => {
      const child = spawn(process.execPath, [cli, '--quiet', ...args]);
      try {
        const [, url] = await waitForOutput(child, /listening on (\S+)[\s\S]*Ctrl-C stops/);
        const ids: (string | null)[] = [];
        for (let i = 0; i < 3; i++)
          ids.push((await getJson({ url } as Emulator, paths.flinkDetail(10001))).requestId);
        return ids;
      } finally {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    };
    const [a, b, c, d] = await Promise.all([
      idsOf([]),
      idsOf([]),
      idsOf(['--seed', '9']),
      idsOf(['--seed', '9']),
    ]);
    expect(a.every((id) => /^[0-9a-f]{32}$/.test(id ?? ''))).toBe(true);
    expect(a).not.toEqual(b);
    expect(c).toEqual(d);
  });

  it('exits 2 naming the problem for bad arguments or a bad scenario file', async () => {
    const badArg = await run(['--port', 'lots']);
    expect(badArg.code).toBe(2);
    expect(badArg.stderr).toMatch(/--port: invalid value "lots"/);

    const file = join(mkdtempSync(join(tmpdir(), 'jobgate-cli-')), 'scenario.json');
    writeFileSync(
      file,
      JSON.stringify({
        credentials: [{ accessKey: 'a', secretKey: 'b', projectId: 'c' }],
        jobs: [{ kind: 'cdm', clusterId: 'x', jobName: 'y', steps: [{ status: 'DONE' }] }],
      }),
    );
    const badScenario = await run(['--scenario', file]);
    expect(badScenario.code).toBe(2);
    expect(badScenario.stderr).toContain('jobs[0].steps[0].status');
  });
});
