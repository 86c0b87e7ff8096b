import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import {
  type CredentialSource,
  type Credentials,
  fixedCredentials,
  isCredentialSource,
  isTokenAuth,
  type RequestCredentials,
  secretsOf,
} from '../auth/credentials.js';
import { encodeRfc3986, signRequest } from '../auth/signer.js';
import { boundParsed } from '../bounded.js';
import type { ServiceName } from '../endpoints.js';
import { extractErrorInfo } from '../error-schemas.js';
import {
  AbortError,
  HuaweiCloudError,
  InputError,
  isRetryable,
  type JobGateError,
  NetworkError,
  RequestTimeoutError,
  ResponseFormatError,
} from '../errors.js';
import { humanIssue, isWellFormed, parseInput } from '../inputs.js';
import { redact, redactor, urlSecrets } from '../redact.js';
import { readSuccessFlag } from '../schema-helpers.js';
import {
  type BackoffPolicy,
  backoffDelay,
  DEFAULT_BACKOFF,
  parseRetryAfter,
  throttleDelay,
} from './backoff.js';
import {
  GateTimeoutError,
  gateFor,
  limitFromThrottleMessage,
  MAX_IN_FLIGHT,
  MAX_TIMER_MS,
  type Release,
  type RequestGate,
} from './request-gate.js';
import { EnvHttpProxyAgent, requestOn } from './undici.js';

export type QueryValue = string | number | boolean | undefined;

export interface ApiRequest {
  service: ServiceName;
  baseUrl: URL;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path segments, unencoded: each is encoded exactly once, so no value can change the path. */
  segments: readonly string[];
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  json?: unknown;
  signal?: AbortSignal | undefined;
  /**
   * False for a request that must not be sent twice (a start: a second submit is a second job). It is
   * then retried only when the failure proves nothing reached the service: throttling (429,
   * APIG.0308) or a connection refused or not resolved. Never after a timeout, a reset or a 5xx.
   * Default true.
   */
  idempotent?: boolean;
  /**
   * Sees each answer's headers and parsed body before anything is made of
   * them (no excerpt, no error, no event): where an answer that issues
   * secrets has them learned the moment they exist.
   */
  onAnswer?: (answer: ApiAnswer) => void;
}

export interface ApiAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body as received (not yet bounded), or undefined when it is not JSON. */
  body: unknown;
}

export type HttpEvent =
  | {
      type: 'response';
      service: ServiceName;
      method: string;
      path: string;
      status: number;
      attempt: number;
      durationMs: number;
      requestId: string | undefined;
    }
  | {
      type: 'network-error';
      service: ServiceName;
      method: string;
      path: string;
      attempt: number;
      error: JobGateError;
    }
  | {
      type: 'retry';
      service: ServiceName;
      method: string;
      path: string;
      attempt: number;
      delayMs: number;
      error: JobGateError;
    };

export interface HttpOptions {
  /**
   * Per-attempt time limit: at most this long held back by the request budget
   * (then it fails unsent), and this long from sending to the whole body read. Default 30 s.
   */
  timeoutMs?: number;
  /** The largest answer body read; a larger one fails, unretried. Default 10 MiB. */
  maxBodyBytes?: number;
  /** The longest Retry-After obeyed; a server asking more gets this. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Attempts (first included) for throttling, 502/503/504, resets and timeouts. Default 4. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** An undici dispatcher; by default one keep-alive agent (a pool per origin) that honours HTTPS_PROXY and NO_PROXY. */
  dispatcher?: Dispatcher;
  userAgent?: string;
  /**
   * Requests per second for this access key at each origin, shared with every
   * client in the process using the same key. Unset: 10 a second, doubling
   * each second of demand until the gateway throttles, then under the limit it names.
   */
  rateLimit?: number;
  /** Source of randomness for jitter (tests and benchmarks pass a seeded one). */
  random?: () => number;
  /** Every answer, network error and retry: for logs and request counts. */
  onEvent?: (event: HttpEvent) => void;
}

const EXCERPT_LENGTH = 200;
/** Redacted before cutting: a secret straddling the cut must not survive as a prefix. */
const EXCERPT_SOURCE = 8192;
export const HTTP_DEFAULTS = {
  timeoutMs: 30_000,
  maxBodyBytes: 10 * 1024 * 1024,
  maxRetryAfterMs: 60_000,
};

const ms = (what: string, min: number) =>
  z
    .number({ error: `expected ${what}` })
    .int(`expected ${what}`)
    .min(min, `expected ${what}`)
    .max(MAX_TIMER_MS, `expected ${what}`);
const isFunction = (v: unknown) => typeof v === 'function';

/** Every HTTP option, checked when a client is made: a bad one is an InputError naming it. */
const HttpOptionsSchema = z.object({
  timeoutMs: ms('a whole number of milliseconds from 1 to 2147483647', 1).optional(),
  maxBodyBytes: z
    .number()
    .int('expected a whole number of bytes from 1024 to 1073741824')
    .min(1024, 'expected a whole number of bytes from 1024 to 1073741824')
    .max(2 ** 30, 'expected a whole number of bytes from 1024 to 1073741824')
    .optional(),
  maxRetryAfterMs: ms('a whole number of milliseconds from 0 to 2147483647', 0).optional(),
  maxAttempts: z
    .number()
    .int('expected a whole number of attempts from 1 to 20')
    .min(1, 'expected a whole number of attempts from 1 to 20')
    .max(20, 'expected a whole number of attempts from 1 to 20')
    .optional(),
  baseDelayMs: ms('a whole number of milliseconds from 0 to 2147483647', 0).optional(),
  maxDelayMs: ms('a whole number of milliseconds from 0 to 2147483647', 0).optional(),
  dispatcher: z
    .custom<Dispatcher>(
      (v) => typeof v === 'object' && v !== null && isFunction((v as Dispatcher).dispatch),
      'expected an undici Dispatcher',
    )
    .optional(),
  userAgent: z
    .string({ error: 'expected a user agent of visible ASCII characters' })
    .regex(/^[\x20-\x7e]{1,256}$/, 'expected a user agent of visible ASCII characters')
    .optional(),
  rateLimit: z
    .number({ error: 'expected requests per second, a number above 0' })
    .positive('expected requests per second, a number above 0')
    .max(1e6, 'expected requests per second, at most 1000000')
    .optional(),
  random: z.custom<() => number>(isFunction, 'expected a function returning numbers in [0, 1)').optional(),
  onEvent: z.custom<(event: HttpEvent) => void>(isFunction, 'expected a function').optional(),
});

/** Checks HTTP options; the error names the option (`http.timeoutMs`). */
export function parseHttpOptions(options: HttpOptions | undefined): HttpOptions {
  const valid = parseInput(HttpOptionsSchema, options ?? {}, 'http') as HttpOptions;
  const base = valid.baseDelayMs ?? DEFAULT_BACKOFF.baseDelayMs;
  if (valid.maxDelayMs !== undefined && valid.maxDelayMs < base)
    throw new InputError(
      'http.maxDelayMs',
      `expected at least baseDelayMs (${base}), got ${valid.maxDelayMs}`,
    );
  return valid;
}
/**
 * Many waits polling at once queue for a few keep-alive connections instead
 * of opening one socket each: status requests are small and quick. They queue
 * in the request gate, which lets no more than this many out at once.
 */
const MAX_CONNECTIONS_PER_ORIGIN = MAX_IN_FLIGHT;
const USER_AGENT = 'jobgate (+https://github.com/jobgate)';

/** Throttling codes of the API gateway (HTTP 429). */
const THROTTLE_CODES = new Set(['APIG.0308', 'APIGW.0308']);
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/** Network failures that happen before a byte of the request leaves: no connection was ever made. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** A short, redacted excerpt: redacted first, then cut, so no part of a secret is left at the cut. */
function excerpt(text: string, extra: readonly string[]): string {
  const flat = redact(text.slice(0, EXCERPT_SOURCE), { extra }).replace(/\s+/g, ' ').trim();
  const cut = flat.length > EXCERPT_LENGTH || text.length > EXCERPT_SOURCE;
  return cut ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** DLI's HTTP 200 with an `is_success` that is not clearly true: the one reading every schema uses. */
function isDliFailure(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('is_success' in body))
    return false;
  return readSuccessFlag((body as { is_success: unknown }).is_success) === 'failure';
}

/** The signature part of an Authorization value: a per-request secret to redact from that request's answer. */
function signatureOf(headers: Record<string, string>): string[] {
  const match = /Signature=([0-9a-f]+)/i.exec(headers.Authorization ?? '');
  return match?.[1] ? [match[1]] : [];
}

class BodyTooLargeError extends Error {
  readonly size: number;
  constructor(size: number) {
    super('body too large');
    this.size = size;
  }
}

/** Reads a body up to `max` bytes; more fails at once, without reading the rest. */
async function readBody(
  body: AsyncIterable<Buffer> & { destroy(): void },
  declared: string | undefined,
  max: number,
): Promise<string> {
  const length = declared === undefined ? Number.NaN : Number(declared);
  if (length > max) {
    body.destroy();
    throw new BodyTooLargeError(length);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      throw new BodyTooLargeError(size);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * One keep-alive agent (a pool per origin, proxies from the environment) for
 * every transport in the process that brings none of its own, so that a
 * thousand clients share sockets; closed when the last of them closes.
 */
let shared: { agent: EnvHttpProxyAgent; users: number } | undefined;

function acquireSharedDispatcher(): Dispatcher {
  shared ??= {
    agent: new EnvHttpProxyAgent({ keepAliveTimeout: 30_000, connections: MAX_CONNECTIONS_PER_ORIGIN }),
    users: 0,
  };
  shared.users++;
  return shared.agent;
}

async function releaseSharedDispatcher(): Promise<void> {
  if (!shared) return;
  shared.users--;
  if (shared.users > 0) return;
  const { agent } = shared;
  shared = undefined;
  await agent.close();
}

function parseAnswer(text: string): { isJson: boolean; body: unknown } {
  try {
    return { isJson: true, body: JSON.parse(text) };
  } catch {
    return { isJson: false, body: undefined };
  }
}

function isThrottle(error: unknown): error is HuaweiCloudError {
  return error instanceof HuaweiCloudError && (error.status === 429 || THROTTLE_CODES.has(error.code));
}

/**
 * Whether a failed attempt proves the service never acted on it: the gateway throttled it, or no
 * connection was made. A timeout, a reset, a 5xx or a broken answer may follow a request the service
 * received and acted on.
 */
export function provesNotReceived(error: unknown): boolean {
  if (isThrottle(error)) return true;
  return (
    error instanceof NetworkError && !(error instanceof RequestTimeoutError) && NOT_SENT_CODES.has(error.code)
  );
}

/** Throws the InputError of a path or query text that cannot be sent (a lone surrogate). */
function checkSendable(segments: readonly string[], query?: Record<string, QueryValue>): void {
  const texts = [...segments, ...Object.entries(query ?? {}).flatMap(([k, v]) => [k, String(v ?? '')])];
  const bad = texts.find((t) => !isWellFormed(t));
  if (bad !== undefined)
    throw new InputError(
      'request',
      'expected text of whole Unicode characters in the path and query (a lone surrogate cannot be sent)',
    );
}

export function buildUrl(baseUrl: URL, segments: readonly string[], query?: Record<string, QueryValue>): URL {
  checkSendable(segments, query);
  const base = baseUrl.pathname.replace(/\/+$/, '');
  const url = new URL(baseUrl.origin);
  url.pathname = `${base}/${segments.map(encodeRfc3986).join('/')}`;
  const pairs = Object.entries(query ?? {}).filter(
    (entry): entry is [string, string | number | boolean] => entry[1] !== undefined,
  );
  url.search = pairs
    .map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(String(value))}`)
    .join('&');
  return url;
}

/**
 * Signed requests with bounded, jittered retries. Authentication failures
 * (401), bad requests, 403 and 404 are never retried: five failed signatures
 * lock the access key for five minutes.
 */
export class HttpTransport {
  readonly #source: CredentialSource;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  #closed = false;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #maxRetryAfterMs: number;
  readonly #policy: BackoffPolicy;
  readonly #random: () => number;
  readonly #userAgent: string;
  readonly #onEvent: ((event: HttpEvent) => void) | undefined;
  readonly #identity: string;
  readonly #rateLimit: number | undefined;
  /** The gate of each origin this transport has reached: found once, not hashed per request. */
  readonly #gates = new Map<string, RequestGate>();
  /** Requests sent, retries included. */
  requestCount = 0;

  /**
   * `credentials` fixed, or a source that renews them; a source's own
   * secrets are learned by it as they are issued.
   */
  constructor(credentials: Credentials | CredentialSource, rawOptions: HttpOptions = {}) {
    const options = parseHttpOptions(rawOptions);
    this.#source = isCredentialSource(credentials)
      ? credentials
      : fixedCredentials(credentials as RequestCredentials);
    // Every secret is known to the one redactor before the first request, proxy passwords included.
    redactor.learn(
      ...(isCredentialSource(credentials) ? [] : secretsOf(credentials)),
      ...['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].flatMap((n) =>
        urlSecrets(process.env[n]),
      ),
    );
    this.#ownsDispatcher = !options.dispatcher;
    this.#dispatcher = options.dispatcher ?? acquireSharedDispatcher();
    this.#timeoutMs = options.timeoutMs ?? HTTP_DEFAULTS.timeoutMs;
    this.#maxBodyBytes = options.maxBodyBytes ?? HTTP_DEFAULTS.maxBodyBytes;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? HTTP_DEFAULTS.maxRetryAfterMs;
    this.#policy = {
      maxAttempts: options.maxAttempts ?? DEFAULT_BACKOFF.maxAttempts,
      baseDelayMs: options.baseDelayMs ?? DEFAULT_BACKOFF.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
    };
    this.#random = options.random ?? Math.random;
    this.#userAgent = options.userAgent ?? USER_AGENT;
    this.#onEvent = options.onEvent;
    this.#identity = this.#source.identity;
    this.#rateLimit = options.rateLimit;
  }

  /** The request budget this transport shares with every other one using its key at `origin`. */
  gate(origin: string): RequestGate {
    let gate = this.#gates.get(origin);
    if (!gate) {
      gate = gateFor(origin, this.#identity, this.#rateLimit);
      this.#gates.set(origin, gate);
    }
    return gate;
  }

  /**
   * Sends the request, retrying transient failures, and returns the body
   * parsed by `schema`. Bounded in time: each attempt by `timeoutMs` held by the request budget and
   * `timeoutMs` for its answer, each pause between attempts by
   * `maxDelayMs` or the capped Retry-After, and at most `maxAttempts` of them.
   */
  requestJson<S extends z.ZodType>(req: ApiRequest, schema: S): Promise<z.output<S>> {
    // Not an async function: one suspended frame fewer for each request held by the gate.
    return this.request(req, schema).then((answer) => answer.body);
  }

  /** As `requestJson`, with the answer's headers. */
  async request<S extends z.ZodType>(
    req: ApiRequest,
    schema: S,
  ): Promise<{ body: z.output<S>; headers: Record<string, string | string[] | undefined> }> {
    checkSendable(req.segments, req.query);
    // The URL is made when the request is first let go: thousands of waits held by the gate at once
    // would each keep one otherwise. Its origin is the base URL's.
    const gate = this.gate(req.baseUrl.origin);
    let url: URL | undefined;
    const urlOf = (): URL => {
      url ??= buildUrl(req.baseUrl, req.segments, req.query);
      return url;
    };
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted) throw new AbortError(req.signal.reason);
      // Renewing temporary credentials has its own retries: its failure is final here.
      const credentials = await this.#source.current(req.signal);
      if (req.signal?.aborted) throw new AbortError(req.signal.reason);
      let release: Release;
      try {
        release = await gate.acquire(req.signal, this.#timeoutMs);
      } catch (error) {
        if (!(error instanceof GateTimeoutError)) throw new AbortError(req.signal?.reason);
        release = () => {};
        const timeout = new RequestTimeoutError(
          req.service,
          this.#timeoutMs,
          `held back by the request budget (the gateway throttled this key) for ${this.#timeoutMs} ms, the request's time limit; not sent`,
        );
        if (attempt >= this.#policy.maxAttempts) throw timeout;
        this.#emitRetry(req, urlOf().pathname, attempt, 0, timeout);
        continue;
      }
      const sentAt = performance.now();
      try {
        // Held at most timeoutMs by the budget, then timeoutMs for the answer: a request let go at the
        // end of its hold is not sent with too little time to be answered.
        const result = await this.#attempt(req, urlOf(), schema, credentials, attempt, this.#timeoutMs);
        release();
        return result;
      } catch (error) {
        if (isThrottle(error)) {
          // Every request with this key waits, not only this one: the gate holds them all. Told before
          // this request's place is given back, so that no held request leaves in between.
          gate.throttled(
            this.#retryDelay(error, attempt),
            limitFromThrottleMessage(error.serviceMessage),
            sentAt,
          );
        }
        release(isThrottle(error));
        // Temporary credentials the gateway refused (expired early, on a clock
        // that runs ahead of ours): sent once more with renewed ones. The
        // request never reached the service, and the next key is a new one.
        if (
          error instanceof HuaweiCloudError &&
          error.status === 401 &&
          credentials &&
          !renewed &&
          this.#source.refused?.(credentials)
        ) {
          renewed = true;
          this.#emitRetry(req, urlOf().pathname, attempt, 0, error);
          continue;
        }
        if (
          error instanceof AbortError ||
          !isRetryable(error) ||
          attempt >= this.#policy.maxAttempts ||
          (req.idempotent === false && !provesNotReceived(error))
        )
          throw error;
        // After a throttle the gate already holds this request until the pause ends.
        const throttled = isThrottle(error);
        const delayMs = throttled ? gate.pauseLeft() : this.#retryDelay(error as JobGateError, attempt);
        this.#emitRetry(req, urlOf().pathname, attempt, Math.round(delayMs), error as JobGateError);
        if (!throttled) {
          try {
            await sleep(delayMs, undefined, { signal: req.signal });
          } catch {
            throw new AbortError(req.signal?.reason);
          }
        }
      }
    }
  }

  #emitRetry(req: ApiRequest, path: string, attempt: number, delayMs: number, error: JobGateError): void {
    this.#onEvent?.({
      type: 'retry',
      service: req.service,
      method: req.method,
      path,
      attempt,
      delayMs,
      error,
    });
  }

  /** How long to wait before the next attempt: never longer than the caps, whatever a server asks. */
  #retryDelay(error: JobGateError, attempt: number): number {
    if (isThrottle(error)) {
      // Retry-After is the server's word, up to a cap; a little jitter keeps throttled clients apart.
      return error.retryAfterMs !== undefined
        ? Math.min(error.retryAfterMs, this.#maxRetryAfterMs) + Math.round(this.#random() * 250)
        : throttleDelay(this.#random);
    }
    if (error instanceof HuaweiCloudError && error.retryAfterMs !== undefined) {
      return Math.min(error.retryAfterMs, this.#policy.maxDelayMs, this.#maxRetryAfterMs);
    }
    return backoffDelay(attempt, this.#policy, this.#random);
  }

  #headers(
    req: ApiRequest,
    url: URL,
    body: string | undefined,
    credentials: RequestCredentials | undefined,
  ): Record<string, string> {
    const headers: Record<string, string> = { ...req.headers };
    if (body !== undefined) headers['Content-Type'] = 'application/json;charset=UTF-8';
    let out: Record<string, string>;
    if (!credentials) {
      out = headers;
    } else if (isTokenAuth(credentials)) {
      out = { ...headers, 'X-Auth-Token': credentials.authToken };
    } else {
      // User-Agent is added after signing: proxies may rewrite it.
      out = signRequest({ method: req.method, url, headers, body: body ?? '' }, credentials);
    }
    out['User-Agent'] = this.#userAgent;
    return out;
  }

  async #attempt<S extends z.ZodType>(
    req: ApiRequest,
    url: URL,
    schema: S,
    credentials: RequestCredentials | undefined,
    attempt: number,
    timeoutMs: number,
  ): Promise<{ body: z.output<S>; headers: Record<string, string | string[] | undefined> }> {
    const body = req.json === undefined ? undefined : JSON.stringify(req.json);
    const headers = this.#headers(req, url, body, credentials);
    // This request's own signature is a secret too: the answer to it may echo it back.
    const extra = signatureOf(headers);
    // One controller per attempt, aborted by its time limit or by the caller's signal: a listener on the
    // caller's signal for the attempt's length rather than AbortSignal.any, which costs far more.
    const attemptAbort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        attemptAbort.abort();
      },
      Math.min(timeoutMs, MAX_TIMER_MS),
    );
    const outer = req.signal;
    const forward = () => attemptAbort.abort(outer?.reason);
    if (outer?.aborted) forward();
    else outer?.addEventListener('abort', forward, { once: true });
    const signal = attemptAbort.signal;
    const started = performance.now();
    const path = url.pathname;
    this.requestCount++;
    let status = 0;
    let text: string;
    let responseHeaders: Record<string, string | string[] | undefined>;
    try {
      const res = await requestOn.call(this.#dispatcher, {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers,
        body,
        signal,
      });
      status = res.statusCode;
      responseHeaders = res.headers;
      text = await readBody(res.body, header(res.headers, 'content-length'), this.#maxBodyBytes);
    } catch (cause) {
      if (req.signal?.aborted) throw new AbortError(req.signal.reason);
      if (cause instanceof BodyTooLargeError) {
        throw new ResponseFormatError({
          status,
          service: req.service,
          problem: `a body larger than the ${this.#maxBodyBytes} bytes allowed (http.maxBodyBytes); at least ${cause.size} bytes were sent, and it was not read further`,
          excerpt: '',
          retryable: false,
        });
      }
      if ((cause as { code?: string }).code === 'UND_ERR_INVALID_ARG') {
        throw new InputError('request', redact((cause as Error).message, { extra }));
      }
      const tls = timedOut ? undefined : tlsProblem(cause, url);
      const error = timedOut
        ? new RequestTimeoutError(req.service, this.#timeoutMs)
        : tls
          ? new NetworkError(req.service, tls.code, redact(tls.message, { extra }), {
              cause,
              retryable: false,
            })
          : new NetworkError(
              req.service,
              (cause as { code?: string }).code ?? 'JOBGATE_NETWORK',
              redact(`request failed: ${(cause as Error).message ?? String(cause)}`, { extra }),
              { cause },
            );
      this.#onEvent?.({
        type: 'network-error',
        service: req.service,
        method: req.method,
        path,
        attempt,
        error,
      });
      throw error;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', forward);
    }
    // A 204 has no body.
    const answer = status === 204 ? { isJson: true, body: undefined } : parseAnswer(text);
    // Secrets an answer issues are learned before anything of it is kept, logged or shown.
    req.onAnswer?.({ status, headers: responseHeaders, body: answer.body });
    const rawId = header(responseHeaders, 'x-request-id');
    const requestId = rawId === undefined ? undefined : redact(rawId, { extra });
    this.#onEvent?.({
      type: 'response',
      service: req.service,
      method: req.method,
      path,
      status,
      attempt,
      durationMs: Math.round(performance.now() - started),
      requestId,
    });
    const data = this.#interpret(
      req.service,
      status,
      text,
      answer,
      responseHeaders,
      requestId,
      schema,
      extra,
    );
    return { body: data, headers: responseHeaders };
  }

  #interpret<S extends z.ZodType>(
    service: ServiceName,
    status: number,
    text: string,
    answer: { isJson: boolean; body: unknown },
    headers: Record<string, string | string[] | undefined>,
    headerRequestId: string | undefined,
    schema: S,
    extra: readonly string[],
  ): z.output<S> {
    const { isJson } = answer;
    // What the library keeps of an answer is bounded and redacted, once, here: the parsed body is
    // ours alone (onAnswer has only read it), so what needs no change is kept rather than copied.
    const parsed = isJson ? boundParsed(answer.body, { extra }) : undefined;
    const safeExcerpt = () => excerpt(text, extra);
    if (status < 200 || status >= 300) {
      const info = isJson ? extractErrorInfo(parsed) : undefined;
      const code = info?.code ?? `HTTP.${status}`;
      throw new HuaweiCloudError({
        status,
        code,
        message: info?.message ?? (safeExcerpt() || 'no error text'),
        service,
        requestId: headerRequestId ?? info?.requestId,
        retryable: RETRYABLE_STATUS.has(status) || THROTTLE_CODES.has(code),
        retryAfterMs: parseRetryAfter(header(headers, 'retry-after')),
      });
    }
    if (!isJson) {
      throw new ResponseFormatError({
        status,
        service,
        requestId: headerRequestId,
        problem: 'a body that is not JSON (cut short?)',
        excerpt: safeExcerpt(),
        retryable: true,
      });
    }
    // DLI reports some failures as HTTP 200 with is_success false.
    if (isDliFailure(parsed)) {
      const info = extractErrorInfo(parsed);
      throw new HuaweiCloudError({
        status,
        code: info?.code ?? 'DLI.REQUEST_FAILED',
        message: info?.message || 'is_success is not true and no message was given',
        service,
        requestId: headerRequestId ?? info?.requestId,
        retryable: false,
      });
    }
    const result = schema.safeParse(parsed, { error: humanIssue });
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown problem';
      throw new ResponseFormatError({
        status,
        service,
        requestId: headerRequestId,
        problem: `a body that does not match the documented shape (${where})`,
        excerpt: safeExcerpt(),
        retryable: false,
      });
    }
    return result.data;
  }

  /** Lets go of the connections: the last transport using the shared agent closes it. */
  async close(): Promise<void> {
    if (this.#ownsDispatcher && !this.#closed) {
      this.#closed = true;
      await releaseSharedDispatcher();
    }
  }
}

/** Certificate problems as Node names them; any of them means the server's certificate was refused. */
const CERTIFICATE_CODES =
  /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE)|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;

/**
 * A TLS failure said in terms of what is likely wrong, rather than OpenSSL's
 * text. Another try cannot help with any of them, so none is retried.
 */
function tlsProblem(cause: unknown, url: URL): { code: string; message: string } | undefined {
  const errors = [cause, (cause as { cause?: unknown } | undefined)?.cause].filter(
    (e): e is Error & { code?: string } => e instanceof Error,
  );
  const found = errors.find(
    (e) =>
      (typeof e.code === 'string' && (e.code.startsWith('ERR_SSL_') || CERTIFICATE_CODES.test(e.code))) ||
      (e.code === 'EPROTO' && /SSL|TLS/i.test(e.message)),
  );
  if (!found) return undefined;
  const code = found.code ?? 'EPROTO';
  const origin = url.origin;
  if (
    /WRONG_VERSION_NUMBER|wrong version number|packet length too long|HTTP_REQUEST/i.test(
      `${code} ${found.message}`,
    )
  )
    return {
      code,
      message: `${origin} did not answer in TLS: is it a plain HTTP server? An https:// endpoint needs an HTTPS server (http:// is accepted for loopback addresses only) (${code})`,
    };
  if (CERTIFICATE_CODES.test(code))
    return {
      code,
      message: `the TLS certificate of ${origin} was refused (${code}): check the endpoint's host name, or trust a private certificate authority with NODE_EXTRA_CA_CERTS`,
    };
  return {
    code,
    message: `the TLS handshake with ${origin} failed (${code}): check that the endpoint is an HTTPS server that accepts TLS 1.2 or newer`,
  };
}
