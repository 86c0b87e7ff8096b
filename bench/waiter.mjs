// The waiting process of the scale and soak benchmarks, forked by runWaiter (bench/lib.mjs). It waits
// on every job of its plan at once with the built core, then reports each wait's outcome, what its
// HTTP layer saw, and its own peak RSS and CPU time: it holds nothing but the waits, so those figures
// are theirs (the emulator runs in the parent).
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

/** mulberry32, as in lib.mjs (not imported: this process loads nothing it does not need). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Warnings (a listener leak, say) are figures too: kept, with their stacks, for the report.
const warnings = [];
process.on('warning', (warning) => {
  if (warnings.length < 5)
    warnings.push({ name: warning.name, message: warning.message, stack: warning.stack });
});

async function run(plan) {
  const core = await import(pathToFileURL(plan.coreEntry).href);
  const { createClient, waitForJob, JobFailedError, WaitTimeoutError } = core;
  // What the process holds before any wait: Node and the loaded library.
  const baseRssKb = Math.round(process.memoryUsage().rss / 1024);

  // What the HTTP layer saw, across every client of this process.
  const http = { responses: 0, throttled: 0, throttledAfterFirst: 0, networkErrors: 0, retries: 0 };
  let firstThrottleSeenAt;
  const onEvent = (event) => {
    if (event.type === 'response') {
      http.responses++;
      if (event.status === 429) {
        const now = performance.now();
        // Sent after this process had already been told to slow down: a request beyond the limit.
        if (firstThrottleSeenAt !== undefined && now - (event.durationMs ?? 0) > firstThrottleSeenAt)
          http.throttledAfterFirst++;
        http.throttled++;
        firstThrottleSeenAt ??= now;
      }
    } else if (event.type === 'network-error') http.networkErrors++;
    else if (event.type === 'retry') http.retries++;
  };
  const random = prng(plan.seed ?? 1);
  const clientOptions = () => ({
    endpoint: plan.url,
    projectId: plan.projectId,
    credentials: plan.credentials,
    env: {},
    http: { random, onEvent, ...plan.http },
  });
  const shared = plan.clients === 'per-job' ? undefined : createClient(clientOptions());
  const clients = shared ? [shared] : [];

  // Where the peak lies: the JS heap, or buffers and sockets outside it.
  const peak = { heapUsedKb: 0, externalKb: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak.heapUsedKb = Math.max(peak.heapUsedKb, Math.round(m.heapUsed / 1024));
    peak.externalKb = Math.max(peak.externalKb, Math.round(m.external / 1024));
  }, 200);
  // BENCH_HEAP_SNAPSHOT_MS=N: a heap snapshot N ms into the waits (where the memory goes, for a profile).
  if (process.env.BENCH_HEAP_SNAPSHOT_MS) {
    const { writeHeapSnapshot } = await import('node:v8');
    setTimeout(
      () => console.error(`heap snapshot: ${writeHeapSnapshot()}`),
      Number(process.env.BENCH_HEAP_SNAPSHOT_MS),
    );
  }
  const cpuBefore = process.cpuUsage();
  const wallStart = performance.now();
  const outcomes = await Promise.all(
    plan.waits.map(async (wait) => {
      const client = shared ?? createClient(clientOptions());
      if (!shared) clients.push(client);
      let polls = 0;
      let transientErrors = 0;
      const startedAt = Date.now();
      const record = (fields) => ({
        id: wait.id,
        startedAt,
        endedAt: Date.now(),
        polls,
        transientErrors,
        ...fields,
      });
      try {
        const state = await waitForJob(client, wait.ref, {
          until: wait.until ?? 'finished',
          timeoutMs: wait.timeoutMs,
          intervalMs: wait.intervalMs,
          maxIntervalMs: wait.maxIntervalMs,
          onUpdate: (event) => {
            if (event.type === 'transient-error') transientErrors++;
            else polls++;
          },
        });
        return record({ outcome: 'succeeded', phase: state.phase, status: state.status });
      } catch (error) {
        if (error instanceof JobFailedError)
          return record({ outcome: 'failed', phase: error.state.phase, status: error.state.status });
        if (error instanceof WaitTimeoutError)
          return record({ outcome: 'timeout', status: error.state?.status, message: error.message });
        return record({
          outcome: 'error',
          error: error?.name ?? 'Error',
          code: error?.code,
          message: String(error?.message ?? error),
        });
      }
    }),
  );
  const wallMs = performance.now() - wallStart;
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpuBefore);
  const requestCount = clients.reduce((sum, c) => sum + (c.transport?.requestCount ?? 0), 0);
  await Promise.all(clients.map((c) => c.close()));
  return {
    outcomes,
    http: { ...http, requestCount },
    wallMs,
    // CPU of the waits (module loading excluded); peak RSS of the whole process (Linux: kilobytes).
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    maxRssKb: process.resourceUsage().maxRSS,
    baseRssKb,
    peakHeapUsedKb: peak.heapUsedKb,
    peakExternalKb: peak.externalKb,
    warnings,
  };
}

process.once('message', (message) => {
  if (message?.type !== 'plan') return;
  run(message.plan).then(
    (result) => process.send({ type: 'result', result }, () => process.exit(0)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
});
