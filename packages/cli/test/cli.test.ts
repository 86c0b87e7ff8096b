import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlinkJobListFilter, fieldsOf, JOB_KINDS, type JobKind } from '@jobgate/core';
import { type Emulator, startEmulator } from '@jobgate/emulator';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { envFor, events, finished, jobgate, output, type Run, start } from './helpers.js';

const SQL_OK = '3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60';
const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';
const FAST = ['--interval', '50ms', '--max-interval', '100ms'];

// Each test starts the command as a child process, some twice: a bound that only a hang reaches,
// also on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

const dir = mkdtempSync(join(tmpdir(), 'jobgate-cli-'));
const emulators: Emulator[] = [];
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  rmSync(dir, { recursive: true, force: true });
});

/**
 * An emulator of the test's own, so that tests run side by side. Its clock
 * runs at wall time: the jobs stand still where the test puts them.
 */
async function setup() {
  const emulator = await startEmulator({ timeScale: 1 });
  emulators.push(emulator);
  const env = envFor(emulator);
  return {
    emulator,
    env,
    run: (args: readonly string[]) => jobgate(args, env),
    /**
     * Runs the command while the emulator's clock moves on in steps once it
     * has read the job: every state of a lifecycle is seen, however slowly the child starts.
     */
    async driven(args: readonly string[], stepMs: number): Promise<Run> {
      const child = start(args, env);
      const done = finished(child);
      await output(child, /"type":"state"|: [A-Z_a-z]+ \(/);
      const timer = setInterval(() => emulator.admin.advanceClock(stepMs), 150);
      try {
        return await done;
      } finally {
        clearInterval(timer);
      }
    },
  };
}

/** Resolves once the emulator has seen requests and then none for a second: the command is done with it. */
async function quiet(emulator: Emulator): Promise<void> {
  let seen = -1;
  let still = 0;
  while (still < 5) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const count = emulator.admin.requests().length;
    still = count > 0 && count === seen ? still + 1 : 0;
    seen = count;
  }
}

describe('help', () => {
  it('lists every job kind of the table with the flags of its fields, and the exit codes', async () => {
    const run = await jobgate(['--help']);
    expect(run.code).toBe(0);
    const kinds = JOB_KINDS as unknown as JobKind[];
    const helps = await Promise.all(kinds.map((kind) => jobgate(['wait', kind.name, '--help'])));
    kinds.forEach((kind, i) => {
      expect(run.stdout).toContain(kind.name);
      for (const field of fieldsOf(kind))
        expect(helps[i]?.stdout).toContain(`--${field.input.replace(/_/g, '-')}`);
    });
    for (const code of ['0 ', '1 ', '2 ', '3 ', '4 ', '5 ']) expect(run.stdout).toContain(`\n  ${code}`);
  });

  it('says in every command that takes a duration that a bare number is seconds', async () => {
    for (const command of ['wait', 'run', 'watch']) {
      const help = await jobgate([command, '--help']);
      expect(help.code).toBe(0);
      for (const flag of ['--timeout', '--interval', '--max-interval'])
        expect(help.stdout, `${command} ${flag}`).toMatch(
          new RegExp(`^  ${flag} DURATION[^\\n]*a bare number is seconds: 30 is 30 seconds`, 'm'),
        );
    }
  });
});

describe('status', () => {
  it('prints one read as a short table and exits 0 for a running job', async () => {
    const { emulator, env } = await setup();
    emulator.admin.advanceClock(60_000);
    const run = await jobgate(['status', 'dli-sql', SQL_OK], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^job\s+dli-sql job jobId=3f8c2a1e/m);
    expect(run.stdout).toMatch(/^status\s+RUNNING$/m);
    expect(run.stdout).toMatch(/^progress\s+\d+%$/m);
    expect(run.stdout).toContain('Sub-jobs:');
  });

  it('exits 1 for a failed job and 4 for a status no document describes, with JSON events', async () => {
    const { emulator, env } = await setup();
    emulator.admin.advanceClock(200_000);
    const failed = await jobgate(['status', 'dli-flink', '--job-id', '10002', '--json'], env);
    expect(failed.code).toBe(1);
    expect(events(failed).map((e) => [e.type, e.phase])).toEqual([
      ['state', 'failed'],
      ['verdict', 'failed'],
    ]);
    emulator.admin.addJobs({
      kind: 'cdm',
      clusterId: CLUSTER,
      jobName: 'odd',
      steps: [{ status: 'RUNNING', extra: { status: 'SOMETHING_NEW' } }],
    });
    const odd = await jobgate(['status', 'cdm', CLUSTER, 'odd'], env);
    expect(odd.code).toBe(4);
    expect(odd.stdout).toMatch(/^status\s+SOMETHING_NEW$/m);
  });

  it('names a job of every kind by the flags of its fields, and takes every setting as a flag', async () => {
    const { emulator } = await setup();
    // A value for each identity field; a kind with a field not here fails the test until it is added.
    const sample: Record<string, (kind: JobKind) => string | number> = {
      jobId: (kind) => (kind.name === 'dli-sql' ? 'c0ffee00-0000-4000-8000-00000000f1a9' : 41_001),
      jobName: (kind) => `${kind.name.replace(/-/g, '_')}_by_flags`,
      clusterId: () => CLUSTER,
      instanceId: () => 5,
      workspace: () => 'ws-flags',
    };
    const { accessKey, secretKey, projectId } = emulator.credentials;
    // Nothing from the environment: endpoint, project and credentials as flags.
    const settings = ['--endpoint', emulator.url, '--project-id', projectId];
    const keys = ['--access-key', accessKey, '--secret-key', secretKey];
    for (const kind of JOB_KINDS as unknown as JobKind[]) {
      const running = Object.keys(kind.statuses).find((s) => kind.statuses[s] === 'running') as string;
      const ref = Object.fromEntries(fieldsOf(kind).map((f) => [f.key, sample[f.key]?.(kind)]));
      emulator.admin.addJobs({ kind: kind.name, ...ref, steps: [{ status: running }] } as never);
      const flags = fieldsOf(kind).flatMap((f) => [`--${f.input.replace(/_/g, '-')}`, String(ref[f.key])]);
      const run = await jobgate(['status', kind.name, ...flags, ...settings, ...keys]);
      expect(run.stderr, kind.name).toBe('');
      expect(run.code, kind.name).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^status\\s+${running}$`, 'm'));
      expect(run.stdout).not.toContain(secretKey);
    }
  });
});

describe('wait', () => {
  it('follows a SQL job to success: JSON state events with rising progress, then the verdict', async () => {
    const { driven } = await setup();
    const run = await driven(['wait', 'dli-sql', SQL_OK, '--json', ...FAST], 20_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const all = events(run);
    const states = all.filter((e) => e.type === 'state');
    expect(states.length).toBeGreaterThan(2);
    const progress = states.map((e) => e.progress).filter((p): p is number => typeof p === 'number');
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(all.at(-1)).toMatchObject({
      type: 'verdict',
      exitCode: 0,
      phase: 'succeeded',
      status: 'FINISHED',
    });
  });

  it('exits 1 when the job fails, one line per change and the verdict naming the status and message', async () => {
    const { driven } = await setup();
    const run = await driven(['wait', 'cdm', CLUSTER, 'obs2dws', ...FAST], 20_000);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^cdm job clusterId=\S+ jobName=obs2dws: RUNNING \(running, \d+%\)$/m);
    expect(run.stdout).toContain(
      '✗ cdm job clusterId=6ec9a0a4-76be-4262-8697-e7af1fac7920 jobName=obs2dws failed: status FAILED: GENERIC_JDBC_CONNECTOR_0001:Unable to get a connection',
    );
  });

  it('--until running: exits 0 once a streaming job runs, 1 when it ended instead', async () => {
    const { emulator, env } = await setup();
    emulator.admin.advanceClock(90_000);
    const running = await jobgate(['wait', 'dli-flink', '10001', '--until', 'running', '--quiet'], env);
    expect(running.code).toBe(0);
    expect(running.stdout).toBe(
      '✓ dli-flink job jobId=10001 is running (status job_running) after ' +
        running.stdout.split(' after ')[1],
    );
    emulator.admin.advanceClock(200_000);
    const ended = await jobgate(['wait', 'dli-flink', '10002', '--until', 'running', '--quiet'], env);
    expect(ended.code).toBe(1);
    expect(ended.stdout).toContain(
      '✗ dli-flink job jobId=10002 is not running: job_running_exception (failed)',
    );
  });

  it('exits 3 when the wait times out, naming the last status; 4 when that status is undocumented', async () => {
    const { emulator, env } = await setup();
    // Bare numbers are seconds, in every duration flag, as --help says.
    const slow = await jobgate(
      ['wait', 'dli-flink', '10001', '--timeout', '1', '--interval', '1', '--max-interval', '2'],
      env,
    );
    expect(slow.code).toBe(3);
    expect(slow.stdout).toContain(
      'timed out after 1s waiting for DLI Flink job to be finished; last status job_submitting',
    );
    emulator.admin.addJobs({
      kind: 'dli-flink',
      jobId: 555,
      steps: [{ status: 'job_running', extra: { status: 'job_levitating' } }],
    });
    const odd = await jobgate(['wait', 'dli-flink', '555', '--timeout', '500ms', ...FAST], env);
    expect(odd.code).toBe(4);
    expect(odd.stdout).toContain('last status job_levitating (unknown)');
  });

  it('Ctrl-C ends the wait at once with exit 130 and the last status', async () => {
    const { env } = await setup();
    const child = start(['wait', 'dli-flink', '10001', ...FAST], env);
    const done = finished(child);
    await output(child, /job_submitting/);
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    expect(run.stdout).toContain(
      'dli-flink job jobId=10001: interrupted; last status job_submitting (pending)',
    );
  });
});

describe('invalid usage and input: exit 2, naming the flag and what was expected', () => {
  it.each([
    [['wait', 'dli-flink', 'abc'], '--job-id: expected an integer Flink job id such as 104'],
    [['wait', 'dli-sql', 'nope'], '--job-id: expected a DLI SQL job id (a UUID'],
    [['wait', 'cdm', CLUSTER], '--job-name: required for a cdm job'],
    [
      ['wait', 'flink', '1'],
      `<kind>: expected one of ${JOB_KINDS.map((k) => k.name).join(', ')}, got "flink"`,
    ],
    [['wait', 'dli-flink', '1', '--timeout', 'soon'], '--timeout: expected a positive duration such as 30m'],
    [['wait', 'dli-flink', '1', '--until', 'done'], '--until: expected finished or running, got "done"'],
    [['wait', 'dli-flink', '1', '--job-name', 'x'], '--job-name: not an option of jobgate wait'],
    [['wait', 'dli-flink', '1', '2'], '"2": one argument too many; a dli-flink job is named by <job-id>'],
    [['list', 'flink', '--status', 'busy'], '--status: expected one of job_init'],
    [['frobnicate'], '"frobnicate": not a command'],
  ])('%j', async (args, message) => {
    const { env } = await setup();
    const run = await jobgate(args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`jobgate: ${message}`);
    expect(run.stdout).toBe('');
  });

  it('names the project flag and the variables when no project is given', async () => {
    const { emulator } = await setup();
    const run = await jobgate(['status', 'dli-flink', '1'], { JOBGATE_ENDPOINT: emulator.url });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--project-id: required; set it or HUAWEI_CLOUD_PROJECT_ID');
  });
});

describe('service errors and secrets', () => {
  it('exits 5 on an authentication failure without printing the secret key', async () => {
    const { env } = await setup();
    const secret = 'a-wrong-secret-key-that-must-not-show';
    const run = await jobgate(
      ['status', 'dli-flink', '10001', '--secret-key', secret, '--access-key', 'JOBGATEEMULATORAK00'],
      env,
    );
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('APIG.0301');
    expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('says an https:// endpoint that answers in plain HTTP is likely not an HTTPS server, after one connection', async () => {
    const { env } = await setup();
    // A server that answers every connection in plain HTTP, counting them.
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.on('error', () => {});
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const endpoint = `https://127.0.0.1:${port}`;
      const run = await jobgate(['wait', 'dli-flink', '10001', '--json', ...FAST], {
        ...env,
        JOBGATE_ENDPOINT: endpoint,
      });
      expect(run.code).toBe(5);
      const last = events(run).at(-1);
      expect(last).toMatchObject({ type: 'verdict', exitCode: 5 });
      expect(String(last?.message)).toMatch(/did not answer in TLS: is it a plain HTTP server\?/);
      expect(run.stdout + run.stderr).not.toMatch(/routines:|ssl3_get_record|wrong version number/);
      expect(events(run).filter((e) => e.type === 'transient-error')).toEqual([]);
      expect(connections).toBe(1);
    } finally {
      server.close();
    }
  });

  it('exits 5 for a job that does not exist', async () => {
    const { env } = await setup();
    const run = await jobgate(['wait', 'dli-flink', '99999', '--json'], env);
    expect(run.code).toBe(5);
    expect(events(run).at(-1)).toMatchObject({ type: 'verdict', exitCode: 5 });
    expect(String(events(run).at(-1)?.message)).toContain('DLI.0002');
  });

  it('prints a server message that echoes the secret and holds terminal escapes inert and redacted', async () => {
    const { emulator, env } = await setup();
    const secret = env.HUAWEI_CLOUD_SECRET_ACCESS_KEY as string;
    emulator.admin.addFaults({
      match: { path: '/streaming/jobs/10001' },
      type: 'respond',
      body: JSON.stringify({
        is_success: true,
        job_detail: {
          job_id: 10001,
          status: 'job_running',
          status_desc: `\u001b[2J\u001b]0;owned\u0007 ${secret}`,
        },
      }),
    });
    for (const args of [[], ['--json']]) {
      const run = await jobgate(['status', 'dli-flink', '10001', ...args], env);
      expect(run.code).toBe(0);
      expect(run.stdout).not.toContain(secret);
      expect(run.stdout).not.toContain('\u001b');
      expect(run.stdout).not.toContain('\u0007');
      expect(run.stdout).toContain('***');
    }
  });
});

describe('watch', () => {
  it('waits on a jobs file at once and exits with the worst verdict; --until running names the jobs not running', async () => {
    const { emulator, env } = await setup();
    const file = join(dir, 'jobs.yaml');
    writeFileSync(
      file,
      [
        'until: running',
        'jobs:',
        '  - kind: dli-flink',
        '    job_id: 10001',
        '  - kind: dli-flink',
        '    job_id: 10002',
        '  - kind: dataarts-realtime',
        '    job_name: realtime_sms_alerts',
        '',
      ].join('\n'),
    );
    emulator.admin.advanceClock(200_000);
    const run = await jobgate(['watch', '--file', file, '--json', ...FAST], env);
    expect(run.code).toBe(1);
    const summary = events(run).at(-1);
    expect(summary).toMatchObject({
      type: 'summary',
      exitCode: 1,
      jobs: 3,
      notRunning: ['dli-flink job jobId=10002'],
    });
  });

  it('counts in words that agree with the number (1 job, 1 Flink job), without colour off a terminal', async () => {
    const { emulator, env } = await setup();
    emulator.admin.addJobs({
      kind: 'dli-flink',
      jobId: 42_001,
      name: 'only_one',
      steps: [{ status: 'job_finish' }],
    });
    const one = await jobgate(['watch', 'dli-flink', '42001', ...FAST], env);
    const listed = await jobgate(['list', 'flink', '--name', 'only_one'], env);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('✓ dli-flink job jobId=42001 succeeded (status job_finish) after ');
    expect(one.stdout).toMatch(/^✓ 1 job: 1 succeeded$/m);
    expect(listed.stdout).toMatch(/^1 Flink job$/m);
    for (const run of [one, listed]) {
      expect(run.stdout).not.toMatch(/\bis (succeeded|failed|cancelled)\b|\b1 (jobs|requests|Flink jobs)\b/);
      expect(run.stdout).not.toContain('\u001b');
    }
  });

  it('names the entry and field of a bad jobs file', async () => {
    const { env } = await setup();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'jobs:\n  - kind: cdm\n    cluster_id: 6ec9a0a4-76be-4262-8697-e7af1fac7920\n');
    const run = await jobgate(['watch', '--file', file], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('jobs[0].job_name');
  });

  it('200 Flink jobs over one client are read through the job list, not one request per job', async () => {
    const { emulator, env } = await setup();
    const jobs = Array.from({ length: 200 }, (_, i) => ({
      kind: 'dli-flink' as const,
      jobId: 20_000 + i,
      steps: [{ status: 'job_running' as const }],
    }));
    emulator.admin.addJobs(jobs);
    emulator.admin.clearRequests();
    const child = start(
      ['watch', 'dli-flink', ...jobs.map((j) => String(j.jobId)), '--until', 'running', '--json'],
      env,
    );
    // A reader that falls behind: nothing is read until the command has exited or has been done
    // with the emulator for a second. Its events overflow the pipe; none may be lost or reordered.
    // The stream is paused before anything listens, so no chunk can pass unread in the meantime.
    child.stdout.pause();
    const done = finished(child);
    await Promise.race([once(child, 'exit'), quiet(emulator)]);
    child.stdout.resume();
    const run = await done;
    expect(run.code).toBe(0);
    const paths = emulator.admin.requests().map((r) => r.path);
    const lists = paths.filter((p) => p.endsWith('/streaming/jobs')).length;
    const details = paths.filter((p) => /\/streaming\/jobs\/\d+$/.test(p)).length;
    expect(lists).toBeGreaterThan(0);
    expect(lists + details).toBeLessThan(20);
    const all = events(run);
    expect(all.at(-1)).toMatchObject({ type: 'summary', exitCode: 0, jobs: 200, requests: lists + details });
    const verdicts = all.filter((e) => e.type === 'verdict');
    expect(new Set(verdicts.map((e) => e.job))).toEqual(
      new Set(jobs.map((j) => `dli-flink job jobId=${j.jobId}`)),
    );
    // Each job's last event is its verdict, before the summary.
    for (const job of jobs) {
      const own = all.filter((e) => e.job === `dli-flink job jobId=${job.jobId}`);
      expect(own.at(-1)?.type).toBe('verdict');
    }
  });
});

describe('list flink', () => {
  it('reads every page with the filters given', async () => {
    const { emulator, env } = await setup();
    emulator.admin.addJobs(
      Array.from({ length: 130 }, (_, i) => ({
        kind: 'dli-flink' as const,
        jobId: 30_000 + i,
        name: `batch_${i}`,
        steps: [{ status: 'job_running' as const }],
      })),
    );
    emulator.admin.clearRequests();
    const run = await jobgate(
      ['list', 'flink', '--status', 'job_running', '--name', 'batch_', '--json'],
      env,
    );
    expect(run.code).toBe(0);
    const all = events(run);
    expect(all.filter((e) => e.type === 'job')).toHaveLength(130);
    expect(all.at(-1)).toMatchObject({ type: 'summary', jobs: 130, requests: 2 });
    expect(emulator.admin.requests().every((r) => /status=job_running/.test(r.query ?? ''))).toBe(true);
  });

  it('passes every documented filter of the list API, from the flags named after them', async () => {
    const { emulator, env } = await setup();
    emulator.admin.clearRequests();
    const shape = FlinkJobListFilter.shape as Record<string, z.ZodType>;
    const sent: Record<string, string> = {};
    const flags: string[] = [];
    for (const [key, schema] of Object.entries(shape)) {
      if (key === 'limit' || key === 'offset') continue; // paging: every page is read
      const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      const inner = (schema as z.ZodOptional).unwrap() as z.ZodType & { options?: string[] };
      const value =
        inner.def.type === 'boolean'
          ? 'true'
          : inner.def.type === 'number'
            ? '7'
            : (inner.options?.at(-1) ?? `${key}-x`);
      sent[key] = value;
      flags.push(...(inner.def.type === 'boolean' ? [flag] : [flag, value]));
    }
    const run = await jobgate(['list', 'flink', ...flags, '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const query = new URLSearchParams(emulator.admin.requests()[0]?.query ?? '');
    const values = [...query.values()];
    for (const [key, value] of Object.entries(sent)) expect(values, key).toContain(value);
    expect(query.get('root_job_id')).toBe('7');
  });
});

describe('emulator', () => {
  it('serves from the same binary and stops on SIGTERM', async () => {
    const child = start(['emulator', '--port', '0', '--time-scale', '60', '--seed', '7', '--quiet']);
    const done = finished(child);
    const banner = await output(child, /Ctrl-C stops/);
    const url = /listening on (\S+)/.exec(banner)?.[1];
    expect(banner).toContain('seed 7');
    const health = (await (await fetch(`${url}/__emulator/health`)).json()) as { seed: number };
    expect(health.seed).toBe(7);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });
});
