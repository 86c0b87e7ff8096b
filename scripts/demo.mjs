// The demo: starts the emulator with its default scenario and runs the real
// Action bundle through the runner harness twice, for a job that succeeds and
// for one that fails, printing what the workflow log and job summary would show.
import { startEmulator } from '../packages/emulator/dist/index.js';
import { runAction } from './action-harness.mjs';

const TIME_SCALE = 60; // one emulator minute a second

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

const emulator = await startEmulator({ timeScale: TIME_SCALE });
const { accessKey, secretKey, projectId } = emulator.credentials;
console.log(`Emulator at ${emulator.url} (default scenario, ${TIME_SCALE}x time)\n`);

const verdicts = [];
try {
  for (const step of steps) {
    emulator.admin.reset(); // each job's lifecycle starts now
    console.log(`── step: ${step.name}`);
    const run = await runAction({
      ...step.inputs,
      endpoint: emulator.url,
      project_id: projectId,
      access_key: accessKey,
      secret_key: secretKey,
      poll_interval: '1s',
      max_poll_interval: '5s',
    });
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
    console.log(
      `  outputs: status=${run.outputs.status} phase=${run.outputs.phase} duration_seconds=${run.outputs.duration_seconds}\n`,
    );
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
process.exit(ok ? 0 : 1);
