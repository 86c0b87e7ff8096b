// What every benchmark shares: the built packages, the emulator's credentials, a seeded PRNG, the jobs
// the scale and soak benchmarks wait on, the child process that does the waiting, and the table.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const resultsDir = join(root, 'bench', 'results');

/**
 * The benchmarks measure what ships: the built packages. BENCH_CORE_DIST points at another build of
 * core (say `tsc -p packages/core/tsconfig.build.json --outDir /tmp/core-next`) to compare without
 * touching packages/core/dist.
 */
export const coreEntry = process.env.BENCH_CORE_DIST
  ? resolve(process.env.BENCH_CORE_DIST, 'index.js')
  : join(root, 'packages', 'core', 'dist', 'index.js');
export const emulatorEntry = join(root, 'packages', 'emulator', 'dist', 'index.js');

export async function loadCore() {
  return import(pathToFileURL(coreEntry).href);
}

export async function loadEmulator() {
  return import(pathToFileURL(emulatorEntry).href);
}

/** A scenario with the default scenario's credentials and no jobs: each benchmark adds its own. */
export async function benchScenario({ rateLimit, faults } = {}) {
  const { loadScenarioFile, DEFAULT_SCENARIO_PATH } = await loadEmulator();
  const base = loadScenarioFile(DEFAULT_SCENARIO_PATH);
  return {
    description: 'JobGate benchmark',
    credentials: base.credentials,
    jobs: [],
    ...(rateLimit ? { rateLimit: { perAkPerSecond: rateLimit } } : {}),
    ...(faults ? { faults } : {}),
  };
}

/** mulberry32: the same seed gives the same jobs, the same jitter and so the same figures. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function round(value, digits = 2) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

const CLUSTER_ID = '6ec9a0a4-76be-4262-8697-e7af1fac7920';
const KINDS = ['dli-flink', 'dli-sql', 'dataarts-realtime', 'cdm'];

function uuid(random) {
  const hex = (n) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

/**
 * Scripted lifecycles, each ending `lifecycleMs` (emulator time) after it is added: a short pending
 * step, a running step (with progress rising linearly where the kind reports progress), then the final
 * status. Failing jobs alternate between a failure and a cancellation, both of which must end a wait
 * with JobFailedError.
 */
function lifecycle(kind, lifecycleMs, outcome) {
  const pending = Math.round(lifecycleMs * 0.15);
  const running = lifecycleMs - pending;
  switch (kind) {
    case 'dli-flink':
      return [
        { status: 'job_submitting', durationMs: pending },
        { status: 'job_running', durationMs: running },
        outcome === 'succeeded'
          ? { status: 'job_finish' }
          : outcome === 'failed'
            ? { status: 'job_running_exception', statusDesc: 'OutOfMemoryError' }
            : { status: 'job_cancel_success' },
      ];
    case 'dli-sql':
      return [
        { status: 'LAUNCHING', durationMs: pending },
        { status: 'RUNNING', durationMs: running, progress: 0 },
        outcome === 'succeeded'
          ? { status: 'FINISHED' }
          : { status: outcome === 'failed' ? 'FAILED' : 'CANCELLED', message: 'DLI.0005: bench failure' },
      ];
    case 'dataarts-realtime':
      return [
        { status: 'STARTING', durationMs: pending },
        { status: 'NORMAL', durationMs: running },
        { status: outcome === 'succeeded' ? 'STOPPED' : outcome === 'failed' ? 'EXCEPTION' : 'DISABLE' },
      ];
    case 'cdm':
      return [
        { status: 'BOOTING', durationMs: pending },
        { status: 'RUNNING', durationMs: running, progress: 0 },
        outcome === 'succeeded'
          ? { status: 'SUCCEEDED' }
          : outcome === 'failed'
            ? { status: 'FAILED', progress: -1, errorSummary: 'GENERIC_JDBC_CONNECTOR_0001' }
            : { status: 'STOPPED' },
      ];
  }
}

/**
 * `count` jobs of the four kinds in turn, half of each kind succeeding, lifecycles drawn uniformly from
 * [minMs, maxMs] of emulator time. Returns the emulator's job inputs and, for each, the reference to
 * wait on and the verdict a correct wait reaches.
 */
export function mixedJobs({ count, seed, minMs, maxMs, prefix = 'bench' }) {
  const random = prng(seed);
  const jobs = [];
  for (let i = 0; i < count; i++) {
    const kind = KINDS[i % KINDS.length];
    const lifecycleMs = Math.round(minMs + random() * (maxMs - minMs));
    // Within each kind, every other job fails; of those, one in four is cancelled instead.
    const n = Math.floor(i / KINDS.length);
    const outcome = n % 2 === 0 ? 'succeeded' : n % 8 === 7 ? 'cancelled' : 'failed';
    const steps = lifecycle(kind, lifecycleMs, outcome);
    let job;
    let ref;
    switch (kind) {
      case 'dli-flink': {
        const jobId = 200_000 + i;
        job = { kind, jobId, name: `${prefix}_flink_${i}`, steps };
        ref = { kind, jobId };
        break;
      }
      case 'dli-sql': {
        const jobId = uuid(random);
        job = { kind, jobId, steps };
        ref = { kind, jobId };
        break;
      }
      case 'dataarts-realtime': {
        const jobName = `${prefix}_rt_${i}`;
        job = { kind, jobName, nodes: [{ name: 'MRS_Flink_Job' }], steps };
        ref = { kind, jobName };
        break;
      }
      case 'cdm': {
        const jobName = `${prefix}_cdm_${i}`;
        job = { kind, clusterId: CLUSTER_ID, jobName, steps };
        ref = { kind, clusterId: CLUSTER_ID, jobName };
        break;
      }
    }
    jobs.push({
      id: i,
      job,
      ref,
      lifecycleMs,
      expected: outcome === 'succeeded' ? 'succeeded' : 'failed',
    });
  }
  return jobs;
}

/**
 * Runs waits in a child Node process (bench/waiter.mjs) so that its peak RSS and CPU time are the
 * waits' own and not the emulator's, which stays in this process. `plan` is what waiter.mjs reads; the
 * child is killed after `killAfterMs` so that no benchmark can hang.
 */
/**
 * The waiter's instructions for `jobs` on `emulator`: the product's default schedule (5 s, 60 s) and
 * each job's lifecycle plus `marginMs` as its timeout, all in emulator time.
 */
export function waitPlan({ emulator, jobs, timeScale, marginMs, clients = 'shared', seed, http }) {
  const c = emulator.credentials;
  return {
    url: emulator.url,
    projectId: c.projectId,
    credentials: { accessKey: c.accessKey, secretKey: c.secretKey },
    clients,
    seed,
    ...(http ? { http } : {}),
    waits: jobs.map((j) => ({
      id: j.id,
      ref: j.ref,
      intervalMs: 5000 / timeScale,
      maxIntervalMs: 60_000 / timeScale,
      timeoutMs: j.lifecycleMs / timeScale + marginMs,
    })),
  };
}

export function runWaiter(plan, { killAfterMs }) {
  return new Promise((resolvePromise, reject) => {
    const child = fork(join(root, 'bench', 'waiter.mjs'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // The waits' own heap, not one inherited from flags given to the bench.
      execArgv: [],
      serialization: 'advanced',
    });
    let result;
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('message', (message) => {
      if (message?.type === 'result') result = message.result;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      if (result) resolvePromise(result);
      else reject(new Error(`waiter exited without a result (code ${code}, signal ${signal})`));
    });
    child.send({ type: 'plan', plan: { coreEntry, ...plan } });
  });
}

/** One table for every benchmark: | benchmark | figure | value | target | pass |. */
export function formatTable(results) {
  const lines = ['| benchmark | figure | value | target | pass |', '|---|---|---|---|---|'];
  for (const { name, rows } of results) {
    for (const row of rows) {
      const value = row.unit ? `${formatValue(row.value)} ${row.unit}` : formatValue(row.value);
      const pass = row.pass === true ? 'pass' : row.pass === false ? '**FAIL**' : '';
      lines.push(`| ${name} | ${row.figure} | ${value} | ${row.target ?? ''} | ${pass} |`);
    }
  }
  return lines.join('\n');
}

function formatValue(value) {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(round(value, 2));
  return String(value);
}

export function writeResult(result) {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${result.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/** `--waits=50 --seed=3` → { waits: 50, seed: 3 }; numbers where they parse. */
export function parseArgs(argv = process.argv.slice(2)) {
  const options = {};
  for (const arg of argv) {
    const match = /^--([\w-]+)(?:=(.*))?$/.exec(arg);
    if (!match) continue;
    const key = match[1].replace(/-(\w)/g, (_, c) => c.toUpperCase());
    const value = match[2] ?? 'true';
    options[key] = value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return options;
}

/** True when the module at `url` is the script node was started with. */
export function isMain(url) {
  return !!process.argv[1] && resolve(process.argv[1]) === fileURLToPath(url);
}

/** Runs one benchmark from the command line: prints its rows and writes its JSON. */
export async function runAlone(url, run) {
  if (!isMain(url)) return;
  const result = await run(parseArgs());
  writeResult(result);
  console.log(formatTable([result]));
}
