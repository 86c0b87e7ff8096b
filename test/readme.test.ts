import { readFileSync } from 'node:fs';
import { startEmulator } from '@jobgate/emulator';
import { describe, expect, it } from 'vitest';
import { createClient, getJobState } from '../packages/core/src/index.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('the READMEs', () => {
  it('say wherever a duration is taken that a bare number is seconds', () => {
    const root = read('README.md');
    // The Action's timeout and poll intervals, and the command line's --timeout.
    expect(root).toMatch(/^\| `timeout` \|[^\n]*a bare number is seconds: `30` is 30 seconds/m);
    expect(root).toMatch(/^\| `poll_interval` \/ `max_poll_interval` \|[^\n]*`30` is 30 seconds/m);
    expect(root).toMatch(/^\| `jobgate wait [^\n]*a bare number is seconds: `--timeout 30` is 30 seconds/m);
    const cli = read('packages/cli/README.md');
    for (const flag of ['--timeout', '--interval', '--max-interval'])
      expect(cli, flag).toMatch(new RegExp(`^\\| \`${flag}\` +\\|[^\\n]*\`30\` is 30 seconds`, 'm'));
    expect(read('nodered/README.md')).toContain('a bare number is seconds: `30` is 30 seconds');
  });
});

describe('the README on the emulator', () => {
  it('resets every job with the request it shows', async () => {
    const line = read('README.md')
      .split('\n')
      .find((l) => l.includes('every job') && l.includes('__emulator/reset'));
    const [, method, url] =
      /`curl -X (\w+) (http:\/\/127\.0\.0\.1:8080\/__emulator\/reset)`/.exec(line ?? '') ?? [];
    expect(method).toBe('POST');
    const emulator = await startEmulator({ timeScale: 1 });
    const client = createClient({
      endpoint: emulator.url,
      projectId: emulator.credentials.projectId,
      credentials: emulator.credentials,
      env: {},
    });
    try {
      const flink = { kind: 'dli-flink', jobId: 10001 } as const;
      emulator.admin.advanceClock(300_000);
      expect((await getJobState(client, flink)).status).toBe('job_running');
      const reset = await fetch(String(url).replace('http://127.0.0.1:8080', emulator.url), { method });
      expect(reset.status).toBe(200);
      expect((await getJobState(client, flink)).status).toBe('job_submitting');
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  it('says how long the default jobs take at the time scale it names', () => {
    const text = read('README.md').replace(/\s+/g, ' ');
    expect(text).toContain(
      "At the default time scale (1, real time) the default scenario's jobs take one to four and a half minutes",
    );
    const scenario = JSON.parse(read('packages/emulator/scenarios/default.json')) as {
      jobs: { steps: { durationMs?: number }[] }[];
    };
    const lengths = scenario.jobs
      .map((job) => job.steps.reduce((sum, step) => sum + (step.durationMs ?? 0), 0))
      .filter((ms) => ms > 0);
    expect(Math.min(...lengths)).toBe(60_000);
    expect(Math.max(...lengths)).toBe(270_000);
  });
});
