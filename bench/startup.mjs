// a. Start-up: the committed Action bundle on Node 24, spawned the way the runner spawns it, against an
// already-finished job. Figures: time from spawn to the first request reaching the emulator, and to the
// end of the step, each beside `node -e 0` on the same Node; and the bundle's size.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { node24Path, parseFileCommands, readManifest } from '../scripts/action-harness.mjs';
import { benchScenario, loadEmulator, median, root, round, runAlone } from './lib.mjs';

const JOB_ID = '5b0c1f7e-2d3a-4e5f-8a9b-0c1d2e3f4a5b';
const MB = 1_000_000;

/** Spawns `args` on Node 24 and resolves with the spawn time (Date.now(), the emulator log's clock) and the exit time. */
function timedSpawn(args, env) {
  return new Promise((resolve, reject) => {
    const spawnedAt = Date.now();
    const child = spawn(node24Path(), args, { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      const exitedAt = Date.now();
      clearTimeout(killer);
      resolve({ spawnedAt, exitedAt, code, stdout, stderr });
    });
  });
}

/** The runner's environment for main: inputs as INPUT_* with action.yml's defaults, the file commands. */
function runnerEnv(manifest, inputs, dir) {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
  };
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_PATH']) {
    env[name] = join(dir, name.toLowerCase());
    writeFileSync(env[name], '');
  }
  for (const [name, spec] of Object.entries(manifest.inputs)) {
    const value = inputs[name] ?? spec.default;
    if (value !== undefined) env[`INPUT_${name.toUpperCase()}`] = String(value);
  }
  return env;
}

/**
 * @param {{ runs?: number }} [options] runs of each measurement (median taken; at least 10)
 */
export async function runStartup(options = {}) {
  const runs = Math.max(10, options.runs ?? 15);
  const manifest = readManifest();
  const mainScript = manifest.runs.main;
  const { startEmulator } = await loadEmulator();
  const emulator = await startEmulator({ scenario: await benchScenario() });
  const dir = mkdtempSync(join(tmpdir(), 'jobgate-bench-'));
  try {
    emulator.admin.addJobs({ kind: 'dli-sql', jobId: JOB_ID, steps: [{ status: 'FINISHED' }] });
    const c = emulator.credentials;
    const env = runnerEnv(
      manifest,
      {
        job_kind: 'dli-sql',
        job_id: JOB_ID,
        endpoint: emulator.url,
        project_id: c.projectId,
        access_key: c.accessKey,
        secret_key: c.secretKey,
      },
      dir,
    );

    // One of each first, unmeasured: the file cache, not start-up, would be timed otherwise.
    await timedSpawn(['-e', '0'], env);
    await timedSpawn([mainScript], env);

    const bare = [];
    const firstRequest = [];
    const step = [];
    for (let i = 0; i < runs; i++) {
      // Interleaved, so that drift in the machine's load touches both alike.
      const empty = await timedSpawn(['-e', '0'], env);
      bare.push(empty.exitedAt - empty.spawnedAt);

      emulator.admin.clearRequests();
      const run = await timedSpawn([mainScript], env);
      const outputs = parseFileCommands(readFileSync(env.GITHUB_OUTPUT, 'utf8'));
      writeFileSync(env.GITHUB_OUTPUT, '');
      if (run.code !== 0 || outputs.phase !== 'succeeded') {
        throw new Error(
          `the Action did not pass (exit ${run.code}, phase ${outputs.phase}):\n${run.stdout}\n${run.stderr}`,
        );
      }
      const first = emulator.admin.requests()[0];
      if (!first) throw new Error('the Action made no request');
      firstRequest.push(Date.parse(first.time) - run.spawnedAt);
      step.push(run.exitedAt - run.spawnedAt);
    }

    const bareMs = median(bare);
    const firstMs = median(firstRequest);
    const stepMs = median(step);
    const mainBytes = statSync(join(root, mainScript)).size;
    const postBytes = manifest.runs.post ? statSync(join(root, manifest.runs.post)).size : 0;
    const ratio = firstMs / bareMs;
    const rows = [
      { figure: '`node -e 0` on Node 24, median', value: bareMs, unit: 'ms' },
      { figure: 'spawn to first request, median', value: firstMs, unit: 'ms' },
      {
        figure: 'first request ÷ `node -e 0`',
        value: `${round(ratio, 2)}×`,
        target: '≤ 3×',
        pass: ratio <= 3,
      },
      {
        figure: 'whole step, job already finished, median',
        value: `${stepMs} ms (${round(stepMs / bareMs, 2)}×)`,
      },
      {
        figure: 'main bundle (action/dist/main/index.js)',
        value: round(mainBytes / MB, 2),
        unit: 'MB',
        target: '≤ 1.5 MB',
        pass: mainBytes <= 1.5 * MB,
      },
      {
        figure: 'main + post bundles',
        value: round((mainBytes + postBytes) / MB, 2),
        unit: 'MB',
        target: '≤ 1.5 MB',
        pass: mainBytes + postBytes <= 1.5 * MB,
      },
    ];
    return {
      name: 'startup',
      rows,
      figures: {
        node: node24Path(),
        runs,
        bareMs: bare,
        firstRequestMs: firstRequest,
        stepMs: step,
        medians: { bareMs, firstMs, stepMs, ratio },
        mainBytes,
        postBytes,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await emulator.close();
  }
}

export const run = runStartup;

await runAlone(import.meta.url, runStartup);
