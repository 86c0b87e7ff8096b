/**
 * The HTTP face: one node:http server for every service. A request goes through the stages the real
 * path goes through: routing (unknown API: APIG.0101), network faults (latency, dropped connection),
 * gateway authentication, the project check, per-user throttling, gateway/backend faults, and finally
 * the service's own answer.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_PREFIX, handleAdmin } from './admin.js';
import { parseAuthorization } from './auth.js';
import type { Answer } from './errors.js';
import {
  apiNotFound,
  backendFailure,
  dliQueueBusy,
  gatewayError,
  htmlErrorPage,
  throttled,
} from './errors.js';
import type { Fault, FaultInput } from './faults.js';
import { iamRouteOf } from './iam.js';
import type { RouteMatch } from './routes.js';
import { decodePath, handleRoute, INVALID_JSON, matchRoute } from './routes.js';
import type {
  Credential,
  Dialect,
  Job,
  JobInput,
  OnStartRule,
  OnStartRuleInput,
  Scenario,
  ScenarioInput,
} from './scenario.js';
import { DEFAULT_DIALECT, resolveScenario } from './scenario.js';
import type { JobSummary, RequestLog, RequestLogEntry } from './state.js';
import { EmulatorState } from './state.js';

export interface EmulatorOptions {
  /** Default 127.0.0.1: the emulator accepts a fixed, published key and must not face a network. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** A scenario object, a path to a scenario JSON file, or nothing for the default scenario. */
  scenario?: ScenarioInput | Scenario | string;
  /** Emulator time runs this many times faster than wall time (600 runs ten minutes in a second). */
  timeScale?: number;
  /** Seed of the PRNG behind fault probabilities and request ids. */
  seed?: number;
  /**
   * Entries the request log keeps (default 10,000): past it the oldest are dropped and counted. 0 keeps
   * none. `onRequest` still sees every request.
   */
  requestLogSize?: number;
  /**
   * Access keys outside the scenario whose consecutive failures (and, separately, lockouts) are
   * remembered (default 10,000); past it the least recently failed is forgotten.
   */
  maxTrackedKeys?: number;
  /**
   * The shape of the answers of jobs that name no dialect: `sdk` (the official SDKs' models) or
   * `documented` (the API pages' examples). Default: the scenario's `dialect`, else `sdk`.
   */
  dialect?: Dialect;
  /** Called after each answered (or dropped) API request, e.g. to print a log line. */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface EmulatorAdmin {
  addJobs(jobs: JobInput | JobInput[]): Job[];
  /** Lifecycles of started jobs, tried before the scenario's own (see the scenario's `onStart`). */
  addOnStart(rules: OnStartRuleInput | OnStartRuleInput[]): OnStartRule[];
  advanceClock(ms: number): number;
  /** The kept entries of the request log, oldest first. */
  requests(): RequestLogEntry[];
  /** The request log with how many entries were dropped to stay within its capacity. */
  requestLog(): RequestLog;
  clearRequests(): void;
  addFaults(faults: FaultInput | FaultInput[]): Fault[];
  clearFaults(): void;
  reset(): void;
  jobs(): JobSummary[];
  /** Emulator time, epoch ms. */
  now(): number;
}

export interface Emulator {
  /** Base URL for every service, e.g. `http://127.0.0.1:39123` (no trailing slash). */
  url: string;
  host: string;
  port: number;
  /** The scenario's first credential, for convenience. */
  credentials: Credential;
  scenario: Scenario;
  /** The dialect of jobs that name none. */
  dialect: Dialect;
  admin: EmulatorAdmin;
  close(): Promise<void>;
}

/** Bodies above this are refused, like the gateway's "Request entity too large". */
const MAX_BODY_BYTES = 1024 * 1024;
/** The 429 fault's quoted limit when neither the fault nor the scenario gives one. */
const DEFAULT_QUOTED_LIMIT = 10;

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function payloadOf(answer: Answer): { text: string; contentType: string } {
  if (typeof answer.body === 'string') return { text: answer.body, contentType: 'text/plain' };
  return { text: JSON.stringify(answer.body), contentType: 'application/json;charset=UTF-8' };
}

function send(res: ServerResponse, answer: Answer, requestId: string): void {
  if (bodyless(answer.status)) {
    res.writeHead(answer.status, { 'X-Request-Id': requestId, ...answer.headers });
    res.end();
    return;
  }
  const { text, contentType } = payloadOf(answer);
  res.writeHead(answer.status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'X-Request-Id': requestId,
    ...answer.headers,
  });
  res.end(text);
}

/** A complete 200 response whose JSON body stops half way (chunked, so the HTTP framing stays valid). */
function sendTruncated(res: ServerResponse, answer: Answer, requestId: string): void {
  const bytes = Buffer.from(payloadOf(answer).text, 'utf8');
  res.writeHead(200, { 'Content-Type': 'application/json;charset=UTF-8', 'X-Request-Id': requestId });
  res.end(bytes.subarray(0, Math.floor(bytes.length / 2)));
}

/** HTTP forbids a body after these statuses; Node's server drops it and so must the framing headers. */
function bodyless(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

/**
 * A `respond` fault's scripted answer: its status, its headers over the emulator's own, and exactly its
 * body bytes. Returns the status sent.
 */
function sendScripted(res: ServerResponse, fault: Fault, requestId: string): number {
  const status = fault.status ?? 200;
  const bytes =
    fault.bodyBase64 !== undefined
      ? Buffer.from(fault.bodyBase64, 'base64')
      : Buffer.from(fault.body ?? '', 'utf8');
  // Header names are case-insensitive: a scripted one replaces the emulator's own, whatever its case.
  const scripted = new Set(Object.keys(fault.headers ?? {}).map((name) => name.toLowerCase()));
  const headers: Record<string, string | number> = { ...fault.headers };
  if (!scripted.has('x-request-id')) headers['X-Request-Id'] = requestId;
  // The body's length frames it, unless the script frames it its own way (chunked, or a wrong length).
  if (!bodyless(status) && !scripted.has('content-length') && !scripted.has('transfer-encoding')) {
    headers['Content-Length'] = bytes.length;
  }
  res.writeHead(status, headers);
  res.end(bodyless(status) ? undefined : bytes);
  return status;
}

function errorCodeOf(answer: Answer): string | undefined {
  const body = answer.body as
    | { error_code?: unknown; errCode?: unknown; error?: { code?: unknown } }
    | undefined;
  if (answer.status < 400 || typeof body !== 'object' || body === null) return undefined;
  const code = body.error_code ?? body.errCode ?? body.error?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}

function faultAnswer(fault: Fault, state: EmulatorState, requestId: string): Answer | undefined {
  switch (fault.type) {
    case '429':
      return throttled(
        fault.limit ?? state.rateLimiter?.limit ?? DEFAULT_QUOTED_LIMIT,
        fault.retryAfterSeconds ?? 2,
        requestId,
      );
    case '500':
    case '502':
    case '503':
    case '504':
      return backendFailure(Number(fault.type) as 500 | 502 | 503 | 504, requestId);
    case 'non-json':
      return htmlErrorPage(fault.status === 200 ? 200 : 502);
    case 'dli-0999':
      return dliQueueBusy();
    default:
      return undefined;
  }
}

/** A request body as JSON: undefined when empty, INVALID_JSON when it is not JSON. */
function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID_JSON;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function handleRequest(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  onRequest: EmulatorOptions['onRequest'],
  dialect: Dialect,
): Promise<void> {
  const startedAt = performance.now();
  const time = new Date().toISOString();
  const emulatorTime = state.clock.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q === -1 ? '' : rawUrl.slice(q + 1);
  const requestId = state.nextRequestId();
  const body = await readBody(req);

  if (rawPath.startsWith(ADMIN_PREFIX)) {
    send(
      res,
      body === undefined
        ? { status: 413, body: { error: 'Request entity too large' } }
        : handleAdmin(state, method, rawPath, body),
      requestId,
    );
    return;
  }

  const log: Omit<RequestLogEntry, 'seq' | 'status' | 'durationMs'> = {
    time,
    emulatorTime,
    method,
    path: rawPath,
    query: rawQuery,
    requestId,
  };
  const finish = (answer: Answer | undefined, extra: Partial<RequestLogEntry> = {}) => {
    if (answer) send(res, answer, requestId);
    const errorCode = answer ? errorCodeOf(answer) : undefined;
    const entry = state.record({
      ...log,
      status: answer?.status ?? 0,
      durationMs: Math.round(performance.now() - startedAt),
      ...(errorCode ? { errorCode } : {}),
      ...extra,
    });
    onRequest?.(entry);
  };

  if (body === undefined) {
    finish(gatewayError(413, 'APIG.0201', 'Request entity too large.', requestId));
    return;
  }
  const segments = decodePath(rawPath);
  if (!segments) {
    finish(
      gatewayError(
        400,
        'APIG.0201',
        'API request error: the path is not validly percent-encoded.',
        requestId,
      ),
    );
    return;
  }
  const iamRoute = iamRouteOf(method, rawPath);
  const match: RouteMatch | undefined = iamRoute ? undefined : matchRoute(method, segments);
  if (!match && !iamRoute) {
    finish(apiNotFound(requestId));
    return;
  }
  log.route = iamRoute ?? match?.name;

  // Faults match on the AK the request claims, before it is verified, as a network fault would.
  const authorization = headerValue(req.headers.authorization);
  const claimedKey = authorization ? parseAuthorization(authorization)?.accessKey : undefined;
  const faultContext = { method, path: rawPath, accessKey: claimedKey };
  const arrival = state.faults.arrival(faultContext);
  const latency = arrival.latencyMs > 0 ? { fault: 'latency' as const, latencyMs: arrival.latencyMs } : {};
  if (arrival.latencyMs > 0) await sleep(arrival.latencyMs);
  if (arrival.drop) {
    req.socket.destroy();
    finish(undefined, { ...latency, fault: 'drop' });
    return;
  }

  if (iamRoute) {
    // IAM's exchanges carry their own proof (an id token, an IAM token): no gateway signature, no rate limit.
    const iamFault = state.faults.gateway(faultContext);
    if (iamFault?.type === 'respond') {
      const status = sendScripted(res, iamFault, requestId);
      finish(undefined, { ...latency, fault: 'respond', status });
      return;
    }
    const faulty = iamFault ? faultAnswer(iamFault, state, requestId) : undefined;
    if (iamFault && faulty) {
      finish(faulty, { ...latency, fault: iamFault.type });
      return;
    }
    const answer = state.iam.handle(iamRoute, req.headers, body);
    finish(answer, { ...latency, ...(iamRoute === 'iam.security-token' ? { auth: 'token' as const } : {}) });
    return;
  }
  if (!match) return;

  const auth = state.auth.authenticate({ method, rawPath, rawQuery, headers: req.headers, body });
  if (!auth.ok) {
    finish(gatewayError(auth.status, auth.code, auth.message, requestId), {
      ...latency,
      ...(auth.accessKey ? { accessKey: auth.accessKey } : {}),
      reason: auth.reason,
    });
    return;
  }
  const who =
    auth.method === 'aksk'
      ? { auth: 'aksk' as const, accessKey: auth.accessKey }
      : { auth: 'token' as const };

  const headerProject = headerValue(req.headers['x-project-id']);
  if (
    match.projectId !== auth.projectId ||
    (headerProject !== undefined && headerProject !== auth.projectId)
  ) {
    finish(
      gatewayError(
        403,
        'APIG.0302',
        `The IAM user is not authorized to access the API: the project id ${
          match.projectId !== auth.projectId ? 'in the path' : 'in X-Project-Id'
        } is not the credential's project.`,
        requestId,
      ),
      { ...latency, ...who },
    );
    return;
  }

  if (state.rateLimiter) {
    const key = auth.method === 'aksk' ? `ak:${auth.accessKey}` : `token:${auth.tokenIndex}`;
    const verdict = state.rateLimiter.hit(key, Date.now());
    if (!verdict.ok) {
      finish(throttled(state.rateLimiter.limit, verdict.retryAfterSeconds, requestId), {
        ...latency,
        ...who,
        fault: 'rate-limit',
      });
      return;
    }
  }

  const fault = state.faults.gateway(faultContext);
  if (fault?.type === 'respond') {
    const status = sendScripted(res, fault, requestId);
    finish(undefined, { ...latency, ...who, fault: 'respond', status });
    return;
  }
  const faulty = fault ? faultAnswer(fault, state, requestId) : undefined;
  if (fault && faulty) {
    finish(faulty, { ...latency, ...who, fault: fault.type });
    return;
  }

  const answer = handleRoute(match, {
    store: state.store,
    now: state.clock.now(),
    query: new URLSearchParams(rawQuery),
    headers: req.headers,
    dialect,
    body: parseJsonBody(body),
    onStart: state.onStart,
    newJobId: () => state.nextJobId(),
  });
  if (fault?.type === 'truncate') {
    sendTruncated(res, answer, requestId);
    finish(undefined, { ...latency, ...who, fault: 'truncate', status: 200 });
    return;
  }
  finish(answer, { ...latency, ...who });
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const scenario = resolveScenario(options.scenario);
  const state = new EmulatorState(scenario, {
    timeScale: options.timeScale ?? 1,
    seed: options.seed ?? 1,
    requestLogSize: options.requestLogSize,
    maxTrackedKeys: options.maxTrackedKeys,
  });
  const dialect = options.dialect ?? scenario.dialect ?? DEFAULT_DIALECT;

  const server = createServer((req, res) => {
    handleRequest(state, req, res, options.onRequest, dialect).catch((error: unknown) => {
      // An emulator bug: answer like a failing backend rather than hanging the client.
      if (!res.headersSent) {
        send(
          res,
          gatewayError(500, 'APIG.0103', `Emulator error: ${(error as Error).message}`, 'emulator'),
          'emulator',
        );
      } else res.destroy();
    });
  });
  const address = await listen(server, options.port ?? 0, host);
  const urlHost = address.address.includes(':') ? `[${address.address}]` : address.address;
  const credentials = scenario.credentials[0] as Credential;

  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    credentials,
    scenario,
    dialect,
    admin: {
      addJobs: (jobs) => state.addJobs(jobs),
      addOnStart: (rules) => state.addOnStart(rules),
      advanceClock: (ms) => state.advanceClock(ms),
      requests: () => state.requests(),
      requestLog: () => state.requestLog(),
      clearRequests: () => state.clearRequests(),
      addFaults: (faults) => state.addFaults(faults),
      clearFaults: () => state.clearFaults(),
      reset: () => state.reset(),
      jobs: () => state.jobs(),
      now: () => state.clock.now(),
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}
