/**
 * The admin API under /__emulator/: test control that the real cloud does not have. No signature is
 * needed; answers are plain JSON (`{error}` on failure), never in a Huawei shape.
 */
import type { Answer } from './errors.js';
import { ScenarioError } from './scenario.js';
import type { EmulatorState } from './state.js';

export const ADMIN_PREFIX = '/__emulator/';

function json(status: number, body: unknown): Answer {
  return { status, body };
}

function parseBody(body: Uint8Array): { ok: true; value: unknown } | { ok: false; answer: Answer } {
  const text = Buffer.from(body).toString('utf8').trim();
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      answer: json(400, { error: `The body is not valid JSON: ${(error as Error).message}` }),
    };
  }
}

type AdminHandler = (state: EmulatorState, body: unknown) => Answer;

const ENDPOINTS: Record<string, Partial<Record<string, AdminHandler>>> = {
  health: {
    GET: (state) =>
      json(200, {
        status: 'ok',
        now: state.clock.now(),
        timeScale: state.clock.timeScale,
        seed: state.seed,
        jobs: state.store.all().length,
        requestLog: state.requestLogUsage(),
        accessKeys: state.auth.tracked(),
      }),
  },
  jobs: {
    GET: (state) => json(200, { jobs: state.jobs() }),
    POST: (state, body) => json(201, { added: state.addJobs(body).length }),
  },
  'on-start': {
    GET: (state) => json(200, { onStart: state.onStart }),
    POST: (state, body) => json(201, { added: state.addOnStart(body).length }),
  },
  'clock/advance': {
    POST: (state, body) => {
      const ms = (body as { ms?: unknown } | undefined)?.ms;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        return json(400, { error: 'ms: expected a non-negative number of milliseconds' });
      }
      return json(200, { now: state.advanceClock(ms) });
    },
  },
  requests: {
    GET: (state) => json(200, state.requestLog()),
    DELETE: (state) => {
      state.clearRequests();
      return json(200, { cleared: true });
    },
  },
  faults: {
    GET: (state) => json(200, { faults: state.faults.list() }),
    POST: (state, body) => json(201, { added: state.addFaults(body).length }),
    DELETE: (state) => {
      state.clearFaults();
      return json(200, { cleared: true });
    },
  },
  reset: {
    POST: (state) => {
      state.reset();
      return json(200, { reset: true, now: state.clock.now() });
    },
  },
};

export function handleAdmin(state: EmulatorState, method: string, rawPath: string, body: Uint8Array): Answer {
  const name = rawPath.slice(ADMIN_PREFIX.length).replace(/\/+$/, '');
  const endpoint = ENDPOINTS[name];
  if (!endpoint) return json(404, { error: `No admin endpoint ${rawPath}` });
  const handler = endpoint[method];
  if (!handler) {
    return {
      ...json(405, { error: `${method} is not allowed on ${rawPath}` }),
      headers: { Allow: Object.keys(endpoint).join(', ') },
    };
  }
  const parsed = parseBody(body);
  if (!parsed.ok) return parsed.answer;
  try {
    return handler(state, parsed.value);
  } catch (error) {
    if (error instanceof ScenarioError) return json(400, { error: error.message, issues: error.issues });
    if (error instanceof RangeError) return json(400, { error: error.message });
    throw error;
  }
}
