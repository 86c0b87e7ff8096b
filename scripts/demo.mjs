// The demo: starts the emulator with its default scenario and runs the real
// Action bundle through the runner harness: waiting on a job that succeeds and
// on one that fails, running a SQL statement (submit, wait, pass), and running
// a migration whose workflow is cancelled (the job is stopped), printing what
// the workflow log and job summary would show; then the jobgate command
// watching several jobs at once, live on a terminal.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../packages/emulator/dist/index.js';
import { node24Path, runAction } from './action-harness.mjs';

// Thirty emulator minutes a minute: a job's few minutes of states pass in seconds, each one seen.
const TIME_SCALE = 30;
const root = fileURLToPath(new URL('..', import.meta.url));
const JOBGATE = join(root, 'packages', 'cli', 'dist', 'cli.js');

const steps = [
  {
    name: 'Wait for the daily revenue SQL job',
    expect: 'passed',
    inputs: { job_kind: 'dli-sql', job_id: '3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60' },
  },
  {
    name: 'Wait for the obs2dws migration',
    expect: 'failed',
    inputs: { job_kind: 'cdm', cluster_id: '6ec9a0a4-76be-4262-8697-e7af1fac7920', job_name: 'obs2dws' },
  },
  {
    name: 'Run a SQL statement',
    expect: 'passed',
    inputs: {
      job_kind: 'dli-sql',
      mode: 'run',
      sql: 'INSERT INTO dws.daily_revenue\nSELECT order_date, SUM(amount)\nFROM ods.orders\nGROUP BY order_date',
      queue: 'etl',
    },
  },
  {
    name: 'Run the mysql2obs migration, then cancel the workflow',
    expect: 'failed',
    inputs: {
      job_kind: 'cdm',
      mode: 'run',
      cluster_id: '6ec9a0a4-76be-4262-8697-e7af1fac7920',
      job_name: 'mysql2obs',
    },
    // What the runner does on a cancel, once the migration is seen running.
    cancelWhen: 'RUNNING (running',
  },
];

/** Shows workflow commands the way the Actions log renders them. */
function render(line) {
  const command = /^::([\w-]+)(?: [^:]*)?::(.*)$/.exec(line);
  if (!command) return `    ${line}`;
  const [, name, text] = command;
  switch (name) {
    case 'error':
      return `    Error: ${text}`;
    case 'warning':
      return `    Warning: ${text}`;
    case 'group':
      return `    ▸ ${text}`;
    case 'endgroup':
    case 'add-mask':
    case 'debug':
      return undefined;
    default:
      return `    ${text}`;
  }
}

/** The jobgate command watching several jobs of the default scenario at once. */
const WATCH = {
  name: 'jobgate watch: four jobs at once',
  expect: 'passed',
  jobs: [
    '  - kind: dli-sql',
    '    job_id: 3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60',
    '  - kind: cdm',
    '    cluster_id: 6ec9a0a4-76be-4262-8697-e7af1fac7920',
    '    job_name: jdbc2hive',
    '  - kind: dli-flink',
    '    job_id: 10001',
    '    until: running',
    '  - kind: dataarts-realtime',
    '    job_name: realtime_sms_alerts',
    '    until: running',
  ],
};

/** Runs the jobgate command with the terminal the demo has: live lines on a terminal, a line per change in a log. */
function jobgate(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [JOBGATE, ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...env },
    });
    child.on('close', (code) => resolve(code));
  });
}

// Node 24 runs the Action, as on GitHub's runners: fetched before the emulator's clock starts.
if (!existsSync(join(root, '.cache', 'node24', 'node_modules', 'node', 'bin', 'node')))
  console.log('Fetching Node 24 for the Action bundle (once, into .cache/node24)…');
node24Path();

const emulator = await startEmulator({ timeScale: TIME_SCALE });
const { accessKey, secretKey, projectId } = emulator.credentials;
console.log(
  `Emulator at ${emulator.url} (default scenario, ${TIME_SCALE}x time: a job's minute passes in 2 s)\n`,
);

const verdicts = [];
try {
  for (const step of steps) {
    emulator.admin.reset(); // each job's lifecycle starts now
    console.log(`── step: ${step.name}`);
    if (step.cancelWhen)
      console.log('  (the workflow is cancelled once the job runs: the runner sends SIGINT)');
    const cancel = step.cancelWhen
      ? { signal: { name: 'SIGINT', when: (stdout) => stdout.includes(step.cancelWhen) } }
      : {};
    const run = await runAction(
      {
        ...step.inputs,
        endpoint: emulator.url,
        project_id: projectId,
        access_key: accessKey,
        secret_key: secretKey,
        poll_interval: '1s',
        max_poll_interval: '5s',
      },
      cancel,
    );
    for (const line of run.stdout.split('\n').filter(Boolean)) {
      const shown = render(line);
      if (shown !== undefined) console.log(shown);
    }
    console.log('\n  Job summary:\n');
    console.log(
      run.summary
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n'),
    );
    const outcome = run.exitCode === 0 ? 'passed' : 'failed';
    verdicts.push({ ...step, outcome });
    const started = step.inputs.mode
      ? ` job=${JSON.stringify(JSON.parse(run.outputs.job || '{}').ref)} stopped=${run.outputs.stopped}`
      : '';
    console.log(
      `  outputs: status=${run.outputs.status} phase=${run.outputs.phase}${started} duration_seconds=${run.outputs.duration_seconds}\n`,
    );
  }

  emulator.admin.reset();
  console.log(`── step: ${WATCH.name}`);
  const dir = mkdtempSync(join(tmpdir(), 'jobgate-demo-'));
  try {
    const file = join(dir, 'jobs.yaml');
    writeFileSync(file, ['jobs:', ...WATCH.jobs, ''].join('\n'));
    console.log('  $ jobgate watch --file jobs.yaml --interval 1s\n');
    const code = await jobgate(['watch', '--file', file, '--interval', '1s', '--max-interval', '2s'], {
      JOBGATE_ENDPOINT: emulator.url,
      HUAWEI_CLOUD_PROJECT_ID: projectId,
      HUAWEI_CLOUD_ACCESS_KEY_ID: accessKey,
      HUAWEI_CLOUD_SECRET_ACCESS_KEY: secretKey,
    });
    console.log(`\n  exit code ${code}\n`);
    verdicts.push({ ...WATCH, outcome: code === 0 ? 'passed' : 'failed' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  await emulator.close();
}

let ok = true;
for (const v of verdicts) {
  const asExpected = v.outcome === v.expect;
  ok &&= asExpected;
  console.log(
    `${asExpected ? '✓' : '✗'} step "${v.name}" ${v.outcome}${asExpected ? ', as expected' : `, but was expected to ${v.expect === 'passed' ? 'pass' : 'fail'}`}`,
  );
}
console.log(
  ok
    ? '\nYou saw the GitHub Action pass on a finished job and fail on a failed one, run a SQL statement to success and stop a migration when its workflow was cancelled, and the jobgate command wait on four jobs at once; next: the README (the Action, the command line, the Node-RED nodes) and `node packages/cli/dist/cli.js emulator` to try your own.'
    : '\nSomething did not go as expected: see the steps above.',
);
process.exit(ok ? 0 : 1);
