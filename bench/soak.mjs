// e. Fault soak: many waits at once while a fixed share of the emulator's answers are faulty (429 with
// Retry-After, 5xx, dropped connections, latency spikes, truncated bodies). Every wait must reach the
// verdict its job was scripted to reach, and none may run past its timeout.
import { benchScenario, loadEmulator, mixedJobs, round, runAlone, runWaiter, waitPlan } from './lib.mjs';

/**
 * Relative weights of the fault types. Throttling is the commonest fault a gateway client meets;
 * the plain 500 is there because the HTTP layer does not retry it and the wait loop must.
 */
const FAULT_WEIGHTS = {
  latency: 2,
  drop: 2,
  429: 3,
  500: 1,
  502: 1,
  503: 1,
  504: 1,
  truncate: 2,
};
const LATENCY_MS = 1500;
/**
 * The limit a 429 names ("limit:50,time:1 second"): the gateway's, as in the scale benchmark. Left
 * out, the emulator would name 10, and a client that believes it would crawl for reasons that are
 * not the soak's.
 */
const THROTTLE_LIMIT = 50;
/** Past its timeout by more than this (wall ms), a wait overran: timers and the last request's round trip. */
const OVERRUN_TOLERANCE_MS = 2000;

/**
 * Probabilities per type such that the share of answers hit by at least one fault is `rate`. Each fault
 * draws on its own, so the share is 1 − Π(1 − p); solved by bisection on the common factor.
 */
export function faultMix(rate, { weights = FAULT_WEIGHTS, throttleLimit = THROTTLE_LIMIT } = {}) {
  const entries = Object.entries(weights);
  const share = (k) => 1 - entries.reduce((p, [, w]) => p * (1 - w * k), 1);
  let lo = 0;
  let hi = 1 / Math.max(...entries.map(([, w]) => w));
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (share(mid) < rate) lo = mid;
    else hi = mid;
  }
  return entries.map(([type, w]) => ({
    type,
    probability: w * lo,
    ...(type === 'latency' ? { latencyMs: LATENCY_MS } : {}),
    ...(type === '429' ? { retryAfterSeconds: 1, limit: throttleLimit } : {}),
  }));
}

/**
 * Runs the soak and returns its figures. Defaults: 500 waits, 20% faulty answers, emulator time 20×
 * wall time, lifecycles of 1 to 4 emulator minutes (3 to 12 s of wall time).
 *
 * @param {{ waits?: number, seed?: number, faultRate?: number, timeScale?: number,
 *   minLifecycleMs?: number, maxLifecycleMs?: number, timeoutMarginMs?: number, throttleLimit?: number }} [options]
 */
export async function runSoak(options = {}) {
  const {
    waits = 500,
    seed = 1,
    faultRate = 0.2,
    timeScale = 20,
    minLifecycleMs = 60_000,
    maxLifecycleMs = 240_000,
    // Wall time a wait may take beyond its job's lifecycle: faults cost wall seconds (Retry-After,
    // latency, backoff), so this is comfortably more than a few of them in a row.
    timeoutMarginMs = 30_000,
    throttleLimit = THROTTLE_LIMIT,
  } = options;
  const { startEmulator } = await loadEmulator();
  const emulator = await startEmulator({
    scenario: await benchScenario({ faults: faultMix(faultRate, { throttleLimit }) }),
    timeScale,
    seed,
  });
  try {
    const jobs = mixedJobs({
      count: waits,
      seed,
      minMs: minLifecycleMs,
      maxMs: maxLifecycleMs,
      prefix: 'soak',
    });
    emulator.admin.addJobs(jobs.map((j) => j.job));
    const addedAt = Date.now();
    const plan = waitPlan({ emulator, jobs, timeScale, marginMs: timeoutMarginMs, seed });
    const longest = Math.max(...plan.waits.map((w) => w.timeoutMs));
    const result = await runWaiter(plan, { killAfterMs: longest + 30_000 });
    const log = emulator.admin.requests();
    return summarize({ jobs, plan, result, log, addedAt, timeScale, faultRate });
  } finally {
    await emulator.close();
  }
}

function summarize({ jobs, plan, result, log, addedAt, timeScale, faultRate }) {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const waitsById = new Map(plan.waits.map((w) => [w.id, w]));
  let correct = 0;
  let wrong = 0;
  let overruns = 0;
  let timeouts = 0;
  const errors = [];
  const lateness = [];
  for (const o of result.outcomes) {
    const job = byId.get(o.id);
    const wait = waitsById.get(o.id);
    if (o.outcome === job.expected) correct++;
    else if (o.outcome === 'succeeded' || o.outcome === 'failed') wrong++;
    else if (o.outcome === 'error')
      errors.push({ id: o.id, kind: job.ref.kind, error: o.error, code: o.code, message: o.message });
    if (o.outcome === 'timeout') timeouts++;
    // Every timeout is an overrun here: each job ends long before its wait's timeout.
    if (o.outcome === 'timeout' || o.endedAt - o.startedAt > wait.timeoutMs + OVERRUN_TOLERANCE_MS)
      overruns++;
    // How long after its job ended the wait ended, in emulator time.
    if (o.outcome === job.expected)
      lateness.push(((o.endedAt - addedAt) * timeScale - job.lifecycleMs) / 1000);
  }
  const faulty = log.filter((e) => e.fault).length;
  const n = result.outcomes.length;
  const figures = {
    waits: n,
    correct,
    wrongVerdicts: wrong,
    overruns,
    timeouts,
    errors: errors.length,
    errorSamples: errors.slice(0, 10),
    requests: log.length,
    faultyAnswers: faulty,
    faultyShare: log.length ? faulty / log.length : 0,
    faultRate,
    faultsByType: countBy(log.filter((e) => e.fault).map((e) => e.fault)),
    transientErrorsSeenByWaits: result.outcomes.reduce((s, o) => s + o.transientErrors, 0),
    httpRetries: result.http.retries,
    medianDetectionDelayS: lateness.length ? round(quantile(lateness, 0.5), 1) : undefined,
    p95DetectionDelayS: lateness.length ? round(quantile(lateness, 0.95), 1) : undefined,
    wallS: round(result.wallMs / 1000, 1),
    peakRssMb: round(result.maxRssKb / 1024, 1),
    processWarnings: result.warnings,
  };
  const rows = [
    {
      figure: 'waits with the right verdict',
      value: `${correct}/${n}`,
      target: `${n}/${n}`,
      pass: correct === n,
    },
    { figure: 'wrong verdicts', value: wrong, target: '0', pass: wrong === 0 },
    { figure: 'waits that overran their timeout', value: overruns, target: '0', pass: overruns === 0 },
    { figure: 'waits ended by an error', value: errors.length, target: '' },
    {
      figure: 'faulty answers',
      value: `${faulty}/${log.length} (${round((100 * faulty) / Math.max(1, log.length), 1)}%)`,
      target: `~${round(100 * faultRate, 0)}%`,
    },
    {
      figure: 'detection delay, median / p95 (job time)',
      value: `${figures.medianDetectionDelayS} / ${figures.p95DetectionDelayS}`,
      unit: 's',
    },
    { figure: 'wall time', value: figures.wallS, unit: 's' },
  ];
  return { name: 'soak', rows, figures };
}

function countBy(values) {
  const counts = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export const run = runSoak;

await runAlone(import.meta.url, runSoak);
