// a. Start-up: the committed Action bundle on Node 24, spawned the way the runner spawns it, against an
// already-finished job, and the core unbundled as Node-RED and library users load it. Figures: time from
// spawn to the first outgoing connection, to the first request reaching the emulator, and to the end of
// the step, each beside `node -e 0` on the same Node; and the bundle's size.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { node24Path, parseFileCommands, readManifest } from '../scripts/action-harness.mjs';
import { benchScenario, coreEntry, loadEmulator, median, root, round, runAlone } from './lib.mjs';

const JOB_ID = '5b0c1f7e-2d3a-4e5f-8a9b-0c1d2e3f4a5b';
const MB = 1_000_000;
/** The preload that ends a process at its first outgoing connection, with this code. */
const FIRST_CONNECT = join(root, 'bench', 'first-connect.cjs');
const CONNECTED = 42;
const CORE_START = join(root, 'bench', 'core-start.mjs');

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
 * @param {{ runs?: number }} [options] paired runs of each measurement (median taken; at least 20)
 */
export async function runStartup(options = {}) {
  const runs = Math.max(20, options.runs ?? 21);
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
    const coreEnv = { ...env, BENCH_CORE_ENTRY: pathToFileURL(coreEntry).href };
    const coreWait = [CORE_START, 'wait', emulator.url, c.projectId, c.accessKey, c.secretKey, JOB_ID];

    /** Spawn to the first request the emulator logged. */
    const firstRequestOf = (run, what) => {
      const first = emulator.admin.requests()[0];
      if (!first)
        throw new Error(`${what} made no request (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
      return Date.parse(first.time) - run.spawnedAt;
    };

    const measures = {
      bare: async () => {
        const run = await timedSpawn(['-e', '0'], env);
        return run.exitedAt - run.spawnedAt;
      },
      actionConnect: async () => {
        const run = await timedSpawn(['--require', FIRST_CONNECT, mainScript], env);
        if (run.code !== CONNECTED)
          throw new Error(
            `the Action ended before connecting (exit ${run.code}):\n${run.stdout}\n${run.stderr}`,
          );
        writeFileSync(env.GITHUB_OUTPUT, '');
        return run.exitedAt - run.spawnedAt;
      },
      action: async (runEnv = env) => {
        emulator.admin.clearRequests();
        const run = await timedSpawn([mainScript], runEnv);
        const outputs = parseFileCommands(readFileSync(env.GITHUB_OUTPUT, 'utf8'));
        writeFileSync(env.GITHUB_OUTPUT, '');
        if (run.code !== 0 || outputs.phase !== 'succeeded') {
          throw new Error(
            `the Action did not pass (exit ${run.code}, phase ${outputs.phase}):\n${run.stdout}\n${run.stderr}`,
          );
        }
        return { first: firstRequestOf(run, 'the Action'), step: run.exitedAt - run.spawnedAt };
      },
      // A runner that starts with an empty temporary directory (a fresh hosted runner): the compile cache
      // the Action enables is empty, and written as the step ends.
      actionCold: async () => {
        const cache = mkdtempSync(join(dir, 'compile-cache-'));
        const { first } = await measures.action({ ...env, NODE_COMPILE_CACHE: cache });
        rmSync(cache, { recursive: true, force: true });
        return first;
      },
      coreImport: async () => {
        const run = await timedSpawn([CORE_START, 'import'], coreEnv);
        if (run.code !== 0) throw new Error(`importing the core failed:\n${run.stderr}`);
        return run.exitedAt - run.spawnedAt;
      },
      coreRequest: async () => {
        emulator.admin.clearRequests();
        const run = await timedSpawn(coreWait, coreEnv);
        if (run.code !== 0)
          throw new Error(`the core's first read failed (exit ${run.code}):\n${run.stderr}`);
        return firstRequestOf(run, 'the core');
      },
    };

    // One of each first, unmeasured: the file cache, not start-up, would be timed otherwise.
    for (const measure of Object.values(measures)) await measure();

    const samples = {
      bare: [],
      actionConnect: [],
      firstRequest: [],
      step: [],
      firstRequestCold: [],
      coreImport: [],
      coreRequest: [],
    };
    for (let i = 0; i < runs; i++) {
      // Interleaved, so that drift in the machine's load touches each alike.
      samples.bare.push(await measures.bare());
      samples.actionConnect.push(await measures.actionConnect());
      const action = await measures.action();
      samples.firstRequest.push(action.first);
      samples.step.push(action.step);
      samples.firstRequestCold.push(await measures.actionCold());
      samples.coreImport.push(await measures.coreImport());
      samples.coreRequest.push(await measures.coreRequest());
    }

    const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
    const times = (value) => `${value} ms (${round(value / m.bare, 2)}×)`;
    // What a step loads: its entry, and the bundle the entry loads (the step's, beside it in dist/step).
    const distDir = dirname(dirname(join(root, mainScript)));
    const stepBundle = join(distDir, 'step', 'index.js');
    const mainBytes =
      statSync(join(root, mainScript)).size + (existsSync(stepBundle) ? statSync(stepBundle).size : 0);
    // Everything the Action ships: every bundle in action/dist (main, post, and those loaded on demand).
    const allBytes = readdirSync(distDir)
      .map((name) => join(distDir, name, 'index.js'))
      .filter((file) => existsSync(file))
      .reduce((sum, file) => sum + statSync(file).size, 0);
    const connectRatio = m.actionConnect / m.bare;
    const ratio = m.firstRequest / m.bare;
    const rows = [
      { figure: `\`node -e 0\` on Node 24, median of ${runs}`, value: m.bare, unit: 'ms' },
      { figure: 'Action: spawn to first outgoing connection, median', value: times(m.actionConnect) },
      {
        figure: 'Action: first outgoing connection ÷ `node -e 0`',
        value: `${round(connectRatio, 2)}×`,
        target: '≤ 2.5×',
        pass: connectRatio <= 2.5,
      },
      {
        figure: 'Action: spawn to first request reaching the emulator, median',
        value: m.firstRequest,
        unit: 'ms',
      },
      {
        figure: 'Action: first request ÷ `node -e 0`',
        value: `${round(ratio, 2)}×`,
        target: '≤ 3×',
        pass: ratio <= 3,
      },
      {
        figure: 'Action: spawn to first request with an empty compile cache (a fresh runner), median',
        value: times(m.firstRequestCold),
      },
      { figure: 'Action: whole step, job already finished, median', value: times(m.step) },
      {
        figure: "core unbundled: spawn to `import('@jobgate/core')` done and exit, median",
        value: times(m.coreImport),
      },
      {
        figure: 'core unbundled: spawn to first request reaching the emulator, median',
        value: times(m.coreRequest),
      },
      {
        figure: 'what the main step loads (action/dist/main and the step bundle it loads)',
        value: round(mainBytes / MB, 2),
        unit: 'MB',
        target: '≤ 1.5 MB',
        pass: mainBytes <= 1.5 * MB,
      },
      {
        figure: 'every bundle the Action ships (main, post, and the OIDC and YAML ones loaded on demand)',
        value: round(allBytes / MB, 2),
        unit: 'MB',
        target: '≤ 1.5 MB',
        pass: allBytes <= 1.5 * MB,
      },
    ];
    return {
      name: 'startup',
      rows,
      figures: {
        node: node24Path(),
        runs,
        loadAverage: loadavg(),
        samples,
        medians: { ...m, connectRatio, ratio },
        mainBytes,
        allBytes,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await emulator.close();
  }
}

export const run = runStartup;

await runAlone(import.meta.url, runStartup);
