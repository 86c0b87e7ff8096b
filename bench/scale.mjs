// d. Scale: 1,000 jobs of the four kinds waited on at once by one process, under the gateway's per-AK
// request-rate limit. The waits run in a child process (bench/waiter.mjs) so that its peak RSS and CPU
// time are theirs alone; the emulator, its request log and the figures stay in this process.
import {
  benchScenario,
  loadEmulator,
  median,
  mixedJobs,
  round,
  runAlone,
  runWaiter,
  waitPlan,
} from './lib.mjs';

const MB = 1024; // maxRSS is in kilobytes

/**
 * How much later than its job's end a wait may end, in wall time, before it times out: throttling at
 * 50 requests per second makes a round of 1,000 first polls alone last 20 s.
 */
const TIMEOUT_MARGIN_MS = 120_000;

async function variant({
  clients,
  waits,
  seed,
  timeScale,
  rateLimit,
  clientRateLimit,
  minLifecycleMs,
  maxLifecycleMs,
}) {
  const { startEmulator } = await loadEmulator();
  const emulator = await startEmulator({ scenario: await benchScenario({ rateLimit }), timeScale, seed });
  try {
    const jobs = mixedJobs({
      count: waits,
      seed,
      minMs: minLifecycleMs,
      maxMs: maxLifecycleMs,
      prefix: 'scale',
    });
    emulator.admin.addJobs(jobs.map((j) => j.job));
    const addedAt = Date.now();
    // The core's own `http.rateLimit` (requests per second per AK), when the benchmark is told one;
    // by default the client learns the limit from the gateway's first 429, as users' clients do.
    const http = clientRateLimit ? { rateLimit: clientRateLimit } : undefined;
    const plan = waitPlan({ emulator, jobs, timeScale, marginMs: TIMEOUT_MARGIN_MS, clients, seed, http });
    const longest = Math.max(...plan.waits.map((w) => w.timeoutMs));
    const result = await runWaiter(plan, { killAfterMs: longest + 30_000 });
    return figuresOf({ jobs, result, log: emulator.admin.requests(), addedAt, timeScale, clients });
  } finally {
    await emulator.close();
  }
}

function figuresOf({ jobs, result, log, addedAt, timeScale, clients }) {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const outcomes = { correct: 0, wrong: 0, timeout: 0, error: 0 };
  const errorSamples = [];
  const delays = [];
  for (const o of result.outcomes) {
    const job = byId.get(o.id);
    if (o.outcome === job.expected) {
      outcomes.correct++;
      delays.push(((o.endedAt - addedAt) * timeScale - job.lifecycleMs) / 1000);
    } else if (o.outcome === 'succeeded' || o.outcome === 'failed') outcomes.wrong++;
    else {
      outcomes[o.outcome]++;
      if (errorSamples.length < 10) errorSamples.push({ kind: job.ref.kind, ...o });
    }
  }
  const throttled = log.filter((e) => e.status === 429);
  const rateLimited = log.filter((e) => e.fault === 'rate-limit');
  const byRoute = {};
  for (const e of log) byRoute[e.route ?? 'other'] = (byRoute[e.route ?? 'other'] ?? 0) + 1;
  const sorted = [...delays].sort((a, b) => a - b);
  return {
    clients,
    waits: result.outcomes.length,
    ...outcomes,
    errorSamples,
    requests: log.length,
    requestsByRoute: byRoute,
    answered429: throttled.length,
    // As the issue words it: every rate-limit rejection after the first one, in arrival order.
    rateLimited429AfterFirst: Math.max(0, rateLimited.length - 1),
    // As the issue words it: requests this process sent after it had received its first 429, that the
    // gateway then rejected as over the limit (those already in flight when the first 429 came back
    // could not have known).
    beyondLimitAfterFirst429: result.http.throttledAfterFirst,
    client429: result.http.throttled,
    processWarnings: result.warnings,
    peakRssMb: round(result.maxRssKb / MB, 1),
    rssBeforeWaitsMb: round(result.baseRssKb / MB, 1),
    peakHeapUsedMb: round(result.peakHeapUsedKb / MB, 1),
    peakExternalMb: round(result.peakExternalKb / MB, 1),
    cpuS: round((result.cpuUserMs + result.cpuSystemMs) / 1000, 2),
    wallS: round(result.wallMs / 1000, 1),
    medianDetectionDelayS: sorted.length ? round(median(sorted), 1) : undefined,
    maxDetectionDelayS: sorted.length ? round(sorted[sorted.length - 1], 1) : undefined,
  };
}

function rowsOf(f) {
  const label = f.clients === 'per-job' ? 'one client per wait' : 'one shared client';
  const rss = f.peakRssMb;
  return [
    {
      figure: `${label}: right verdicts`,
      value: `${f.correct}/${f.waits}`,
      target: `${f.waits}/${f.waits}`,
      pass: f.correct === f.waits,
    },
    { figure: `${label}: wrong verdicts`, value: f.wrong, target: '0', pass: f.wrong === 0 },
    { figure: `${label}: timeouts / errors`, value: `${f.timeout} / ${f.error}` },
    {
      figure: `${label}: requests (Flink detail / Flink list / other)`,
      value: `${f.requests} (${f.requestsByRoute['dli.flink.detail'] ?? 0} / ${f.requestsByRoute['dli.flink.list'] ?? 0} / ${
        f.requests - (f.requestsByRoute['dli.flink.detail'] ?? 0) - (f.requestsByRoute['dli.flink.list'] ?? 0)
      })`,
    },
    { figure: `${label}: 429 answers received`, value: f.answered429 },
    {
      figure: `${label}: requests sent after the first 429 and rejected over the limit`,
      value: f.beyondLimitAfterFirst429,
      target: '0',
      pass: f.beyondLimitAfterFirst429 === 0,
    },
    { figure: `${label}: rate-limit 429s after the first, in all`, value: f.rateLimited429AfterFirst },
    {
      figure: `${label}: peak RSS of the waiting process (before the waits ${f.rssBeforeWaitsMb} MB, peak heap ${f.peakHeapUsedMb} MB)`,
      value: rss,
      unit: 'MB',
      target: '≤ 150 MB',
      pass: rss <= 150,
    },
    { figure: `${label}: CPU time / wall time`, value: `${f.cpuS} / ${f.wallS}`, unit: 's' },
    {
      figure: `${label}: detection delay median / max (job time)`,
      value: `${f.medianDetectionDelayS} / ${f.maxDetectionDelayS}`,
      unit: 's',
    },
  ];
}

/**
 * @param {{ waits?: number, seed?: number, timeScale?: number, rateLimit?: number, clientRateLimit?: number,
 *   clients?: 'shared' | 'per-job' | 'both', minLifecycleMs?: number, maxLifecycleMs?: number }} [options]
 */
export async function runScale(options = {}) {
  const settings = {
    waits: options.waits ?? 1000,
    seed: options.seed ?? 1,
    // 20: lifecycles of 1 to 10 emulator minutes last 3 to 30 s of wall time.
    timeScale: options.timeScale ?? 20,
    rateLimit: options.rateLimit ?? 50,
    clientRateLimit: options.clientRateLimit,
    minLifecycleMs: options.minLifecycleMs ?? 60_000,
    maxLifecycleMs: options.maxLifecycleMs ?? 600_000,
  };
  const modes =
    options.clients === 'shared' || options.clients === 'per-job' ? [options.clients] : ['shared', 'per-job'];
  const variants = [];
  for (const clients of modes) variants.push(await variant({ ...settings, clients }));
  return {
    name: 'scale',
    rows: variants.flatMap(rowsOf),
    figures: { settings, variants },
  };
}

export const run = runScale;

await runAlone(import.meta.url, runScale);
