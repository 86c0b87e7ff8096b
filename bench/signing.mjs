// b. Signing: signRequest calls per second for a typical DLI request, as the HTTP layer makes it (a GET
// with a URL object, no body, the date taken at each call).
import { performance } from 'node:perf_hooks';
import { loadCore, median, round, runAlone } from './lib.mjs';

const PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const CREDENTIALS = {
  accessKey: 'JOBGATEEMULATORAK00',
  secretKey: 'jobgate-emulator-secret-key-not-for-production',
};

/** Calls `fn` for `ms` of wall time, checking the clock every 256 calls; returns calls per second. */
function rate(fn, ms) {
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 256; i++) fn();
    calls += 256;
    now = performance.now();
  }
  return (calls * 1000) / (now - start);
}

/**
 * @param {{ rounds?: number, roundMs?: number }} [options] median over `rounds` rounds of `roundMs` each
 */
export async function runSigning(options = {}) {
  const { rounds = 5, roundMs = 400 } = options;
  const { signRequest } = await loadCore();
  // The SQL progress poll: the request a DLI SQL wait makes most.
  const url = new URL(
    `https://dli.cn-north-4.myhuaweicloud.com/v1/${PROJECT}/jobs/85798b38-ae44-48eb-bb90-7cf0dcdafe7b/progress`,
  );
  const request = { method: 'GET', url, headers: {}, body: '' };
  let sink = 0;
  const sign = () => {
    sink += signRequest(request, CREDENTIALS).Authorization.length;
  };
  rate(sign, 200); // warm-up: let the JIT settle before anything is counted
  const rates = Array.from({ length: rounds }, () => rate(sign, roundMs));
  if (sink === 0) throw new Error('signRequest returned nothing');
  const perSecond = median(rates);
  return {
    name: 'signing',
    rows: [
      {
        figure: '`signRequest` for a DLI SQL progress GET, median',
        value: Math.round(perSecond),
        unit: 'calls/s',
      },
      { figure: 'time per call', value: round(1e6 / perSecond, 1), unit: 'µs' },
    ],
    figures: { rates: rates.map(Math.round), perSecond, node: process.version },
  };
}

export const run = runSigning;

await runAlone(import.meta.url, runSigning);
