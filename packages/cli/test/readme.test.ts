import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@jobgate/emulator';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { envFor, finished, jobgate, output, start } from './helpers.js';

// Every example runs as a child process, some of them for one poll interval (5 s by default).
vi.setConfig({ testTimeout: 120_000 });

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const rootReadme = read('README.md');
const cliReadme = read('packages/cli/README.md');

/** The examples of the root README's command table (its last column), and the CLI README's `jobgate` lines. */
const tableExamples = rootReadme
  .split('\n')
  .filter((line) => line.startsWith('| `jobgate '))
  .map((line) => {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    return {
      command: /^`jobgate (\w+)/.exec(cells[1] ?? '')?.[1],
      example: cells.at(-2)?.replace(/^`|`$/g, ''),
    };
  });
const examples = [
  ...new Set([
    ...tableExamples.map((e) => e.example ?? ''),
    ...cliReadme
      .split('\n')
      .filter((line) => line.startsWith('jobgate '))
      .map((line) => line.replace(/\s+#.*$/, '').replace(/\s*&$/, '')),
  ]),
];

/** Words as a shell splits them: single quotes keep spaces. */
const words = (line: string) =>
  [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '').slice(1);

/**
 * Where the default scenario's clock stands when an example runs, and how fast it then moves: by
 * default five minutes in, when every job has played out. An example that acts on a job still going
 * names its moment.
 */
interface Moment {
  at: number;
  timeScale: number;
  /** Moves the clock on once the output shows a job still going, so that the next poll sees it end. */
  later?: { seen: RegExp; advanceMs: number };
}
const MOMENTS: [RegExp, Moment][] = [
  // Jobs that run (until running), and a migration that ends once it has been seen running.
  [
    /^jobgate watch --file jobs\.yaml/,
    { at: 200_000, timeScale: 1, later: { seen: /jdbc2hive: RUNNING/, advanceMs: 80_000 } },
  ],
  [/^jobgate watch dli-flink 10001 10002 --until running/, { at: 90_000, timeScale: 1 }],
  // A started job plays its minute or two within the first poll interval.
  [/^jobgate run /, { at: 300_000, timeScale: 600 }],
  // A job can be stopped while it runs.
  [/^jobgate stop dli-sql /, { at: 60_000, timeScale: 1 }],
];

const dir = mkdtempSync(join(tmpdir(), 'jobgate-readme-'));
const emulators: Emulator[] = [];
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  rmSync(dir, { recursive: true, force: true });
});

/** The files the examples name: the README's jobs.yaml and a statement in q.sql. */
const yaml = /```yaml\n(# jobs\.yaml[\s\S]*?)```/.exec(cliReadme)?.[1];
writeFileSync(join(dir, 'jobs.yaml'), yaml ?? '');
writeFileSync(join(dir, 'q.sql'), 'SELECT order_date, SUM(amount) FROM sales.orders GROUP BY order_date');

async function runExample(example: string) {
  const moment: Moment = MOMENTS.find(([pattern]) => pattern.test(example))?.[1] ?? {
    at: 300_000,
    timeScale: 1,
  };
  const emulator = await startEmulator({ timeScale: moment.timeScale });
  emulators.push(emulator);
  emulator.admin.advanceClock(moment.at);
  // The jobs the examples name that the default scenario does not hold.
  emulator.admin.addJobs([
    {
      kind: 'dli-flink',
      jobId: 104,
      name: 'orders_104',
      // Running, to be waited on or stopped; stopped, to be run again.
      steps: [{ status: /^jobgate run dli-flink 104/.test(example) ? 'job_cancel_success' : 'job_running' }],
    },
    {
      kind: 'dataarts-batch',
      jobName: 'daily_sales_report',
      instanceId: 132_343,
      steps: [{ status: 'running' }],
    },
  ]);
  const child = start(words(example), envFor(emulator), dir);
  const done = finished(child);
  if (moment.later) {
    const { seen, advanceMs } = moment.later;
    await output(child, seen);
    emulator.admin.advanceClock(advanceMs);
  }
  return done;
}

describe('the READMEs', () => {
  it('document every command of jobgate --help in the command table, each with an example', async () => {
    const help = await jobgate(['--help']);
    const commands = [...help.stdout.matchAll(/^ {2}jobgate (\w+)/gm)].map((m) => m[1]);
    expect(commands.length).toBeGreaterThanOrEqual(7);
    for (const command of new Set(commands)) {
      const row = tableExamples.find((e) => e.command === command);
      expect(row, command).toBeDefined();
      expect(row?.example, command).toMatch(new RegExp(`^jobgate ${command}\\b`));
    }
  });

  it('give the exit codes jobgate --help gives', async () => {
    const help = (await jobgate(['--help'])).stdout;
    for (const code of [0, 1, 2, 3, 4, 5]) {
      expect(help).toMatch(new RegExp(`^ {2}${code} `, 'm'));
      expect(rootReadme).toMatch(new RegExp(`Exit codes:[\\s\\S]*[\\s;]${code}\\s`));
      expect(cliReadme).toMatch(new RegExp(`^\\| ${code} +\\|`, 'm'));
    }
  });

  it.concurrent.each(examples.filter((e) => !e.startsWith('jobgate emulator')))(
    'run as written against the emulator: %s',
    async (example) => {
      const run = await runExample(example);
      expect(run.stderr, example).toBe('');
      expect(run.code, `${example}\n${run.stdout}`).toBe(0);
    },
  );

  it.each(examples.filter((e) => e.startsWith('jobgate emulator')))(
    'start the emulator as written (on a free port): %s',
    async (example) => {
      const args = words(example).map((w, i, all) => (all[i - 1] === '--port' ? '0' : w));
      const child = start(args);
      const done = finished(child);
      const banner = await output(child, /Ctrl-C stops/);
      const scale = args[args.indexOf('--time-scale') + 1];
      expect(banner).toContain(`time scale ${scale},`);
      child.kill('SIGTERM');
      expect((await done).code).toBe(0);
    },
  );
});

describe('the libraries', () => {
  it('names every dependency of the command in its README, with what it is for', () => {
    const manifest = JSON.parse(read('packages/cli/package.json')) as {
      dependencies: Record<string, string>;
    };
    const section = cliReadme.slice(cliReadme.indexOf('## Libraries'));
    for (const name of Object.keys(manifest.dependencies))
      expect(section, name).toMatch(new RegExp(`^\\| \`${name}\` \\| [^|]+ \\| [^|]+ \\|$`, 'm'));
  });
});
