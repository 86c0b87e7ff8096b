import { setTimeout as sleep } from 'node:timers/promises';
import { type Dispatcher, EnvHttpProxyAgent, request as undiciRequest } from 'undici';
import type { z } from 'zod';
import { type Credentials, isTokenAuth, secretsOf } from '../auth/credentials.js';
import { encodeRfc3986, signRequest } from '../auth/signer.js';
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
import { redact } from '../redact.js';
import {
  type BackoffPolicy,
  backoffDelay,
  DEFAULT_BACKOFF,
  parseRetryAfter,
  throttleDelay,
} from './backoff.js';
import { gateFor, limitFromThrottleMessage, type RequestGate } from './request-gate.js';

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
  /** Per-attempt time limit, from sending to the whole body read. Default 30 s. */
  timeoutMs?: number;
  /** Attempts (first included) for throttling, 502/503/504, resets and timeouts. Default 4. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** An undici dispatcher; by default one keep-alive agent (a pool per origin) that honours HTTPS_PROXY and NO_PROXY. */
  dispatcher?: Dispatcher;
  userAgent?: string;
  /**
   * Requests per second for this access key at each origin, shared with every
   * client in the process using the same key. Unset: no limit until the
   * gateway throttles, then the limit it names.
   */
  rateLimit?: number;
  /** Source of randomness for jitter (tests and benchmarks pass a seeded one). */
  random?: () => number;
  /** Every answer, network error and retry: for logs and request counts. */
  onEvent?: (event: HttpEvent) => void;
}

const EXCERPT_LENGTH = 200;
/**
 * Many waits polling at once queue for a few keep-alive connections instead
 * of opening one socket each: status requests are small and quick.
 */
const MAX_CONNECTIONS_PER_ORIGIN = 16;
const USER_AGENT = 'jobgate (+https://github.com/jobgate)';

/** Throttling codes of the API gateway (HTTP 429). */
const THROTTLE_CODES = new Set(['APIG.0308', 'APIGW.0308']);
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isDliFailure(body: unknown): body is { is_success: false | 'false' } {
  if (typeof body !== 'object' || body === null || !('is_success' in body)) return false;
  const flag = (body as { is_success: unknown }).is_success;
  return flag === false || (typeof flag === 'string' && flag.toLowerCase() === 'false');
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

function isThrottle(error: unknown): error is HuaweiCloudError {
  return error instanceof HuaweiCloudError && (error.status === 429 || THROTTLE_CODES.has(error.code));
}

export function buildUrl(baseUrl: URL, segments: readonly string[], query?: Record<string, QueryValue>): URL {
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
  readonly #credentials: Credentials;
  readonly #secrets: string[];
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  #closed = false;
  readonly #timeoutMs: number;
  readonly #policy: BackoffPolicy;
  readonly #random: () => number;
  readonly #userAgent: string;
  readonly #onEvent: ((event: HttpEvent) => void) | undefined;
  readonly #identity: string;
  readonly #rateLimit: number | undefined;
  /** Requests sent, retries included. */
  requestCount = 0;

  constructor(credentials: Credentials, options: HttpOptions = {}) {
    this.#credentials = credentials;
    this.#secrets = secretsOf(credentials);
    this.#ownsDispatcher = !options.dispatcher;
    this.#dispatcher = options.dispatcher ?? acquireSharedDispatcher();
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#policy = {
      maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULT_BACKOFF.maxAttempts),
      baseDelayMs: options.baseDelayMs ?? DEFAULT_BACKOFF.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
    };
    this.#random = options.random ?? Math.random;
    this.#userAgent = options.userAgent ?? USER_AGENT;
    this.#onEvent = options.onEvent;
    this.#identity = isTokenAuth(credentials)
      ? `token:${credentials.authToken}`
      : `ak:${credentials.accessKey}`;
    this.#rateLimit = options.rateLimit;
  }

  /** The request budget this transport shares with every other one using its key at `origin`. */
  gate(origin: string): RequestGate {
    return gateFor(origin, this.#identity, this.#rateLimit);
  }

  /** Sends the request, retrying transient failures, and returns the body parsed by `schema`. */
  async requestJson<S extends z.ZodType>(req: ApiRequest, schema: S): Promise<z.output<S>> {
    const url = buildUrl(req.baseUrl, req.segments, req.query);
    const path = url.pathname;
    const gate = this.gate(url.origin);
    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted) throw new AbortError(req.signal.reason);
      let release: () => void;
      try {
        release = await gate.acquire(req.signal);
      } catch {
        throw new AbortError(req.signal?.reason);
      }
      try {
        const result = await this.#attempt(req, url, schema, attempt);
        release();
        return result;
      } catch (error) {
        release();
        if (isThrottle(error)) {
          // Every request with this key waits, not only this one: the gate holds them all.
          gate.throttled(this.#retryDelay(error, attempt), limitFromThrottleMessage(error.serviceMessage));
        }
        if (error instanceof AbortError || !isRetryable(error) || attempt >= this.#policy.maxAttempts)
          throw error;
        // After a throttle the gate already holds this request until the pause ends.
        const throttled = isThrottle(error);
        const delayMs = throttled ? gate.pauseLeft() : this.#retryDelay(error as JobGateError, attempt);
        this.#onEvent?.({
          type: 'retry',
          service: req.service,
          method: req.method,
          path,
          attempt,
          delayMs,
          error: error as JobGateError,
        });
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

  #retryDelay(error: JobGateError, attempt: number): number {
    if (isThrottle(error)) {
      // Retry-After is the server's word; a little jitter keeps throttled clients apart.
      return error.retryAfterMs !== undefined
        ? error.retryAfterMs + Math.round(this.#random() * 250)
        : throttleDelay(this.#random);
    }
    if (error instanceof HuaweiCloudError && error.retryAfterMs !== undefined) {
      return Math.min(error.retryAfterMs, this.#policy.maxDelayMs);
    }
    return backoffDelay(attempt, this.#policy, this.#random);
  }

  #headers(req: ApiRequest, url: URL, body: string | undefined): Record<string, string> {
    const headers: Record<string, string> = { ...req.headers };
    if (body !== undefined) headers['Content-Type'] = 'application/json;charset=UTF-8';
    let out: Record<string, string>;
    if (isTokenAuth(this.#credentials)) {
      out = { ...headers, 'X-Auth-Token': this.#credentials.authToken };
    } else {
      // User-Agent is added after signing: proxies may rewrite it.
      out = signRequest({ method: req.method, url, headers, body: body ?? '' }, this.#credentials);
    }
    out['User-Agent'] = this.#userAgent;
    return out;
  }

  async #attempt<S extends z.ZodType>(
    req: ApiRequest,
    url: URL,
    schema: S,
    attempt: number,
  ): Promise<z.output<S>> {
    const body = req.json === undefined ? undefined : JSON.stringify(req.json);
    const headers = this.#headers(req, url, body);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout.signal]) : timeout.signal;
    const started = performance.now();
    const path = url.pathname;
    this.requestCount++;
    let status: number;
    let text: string;
    let responseHeaders: Record<string, string | string[] | undefined>;
    try {
      const res = await undiciRequest(url, {
        method: req.method,
        headers,
        body,
        signal,
        dispatcher: this.#dispatcher,
      });
      status = res.statusCode;
      responseHeaders = res.headers;
      text = await res.body.text();
    } catch (cause) {
      if (req.signal?.aborted) throw new AbortError(req.signal.reason);
      if ((cause as { code?: string }).code === 'UND_ERR_INVALID_ARG') {
        throw new InputError('request', redact((cause as Error).message, this.#secrets));
      }
      const error = timeout.signal.aborted
        ? new RequestTimeoutError(req.service, this.#timeoutMs)
        : new NetworkError(
            req.service,
            (cause as { code?: string }).code ?? 'JOBGATE_NETWORK',
            redact(`request failed: ${(cause as Error).message ?? String(cause)}`, this.#secrets),
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
    }
    const requestId = header(responseHeaders, 'x-request-id');
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
    return this.#interpret(req.service, status, text, responseHeaders, requestId, schema);
  }

  #interpret<S extends z.ZodType>(
    service: ServiceName,
    status: number,
    text: string,
    headers: Record<string, string | string[] | undefined>,
    requestId: string | undefined,
    schema: S,
  ): z.output<S> {
    let parsed: unknown;
    let isJson = true;
    try {
      parsed = JSON.parse(text);
    } catch {
      isJson = false;
    }
    const safeExcerpt = () => redact(excerpt(text), this.#secrets);
    if (status < 200 || status >= 300) {
      const info = isJson ? extractErrorInfo(parsed) : undefined;
      const code = info?.code ?? `HTTP.${status}`;
      throw new HuaweiCloudError({
        status,
        code,
        message: redact(info?.message ?? (safeExcerpt() || 'no error text'), this.#secrets),
        service,
        requestId: requestId ?? info?.requestId,
        retryable: RETRYABLE_STATUS.has(status) || THROTTLE_CODES.has(code),
        retryAfterMs: parseRetryAfter(header(headers, 'retry-after')),
      });
    }
    if (!isJson) {
      throw new ResponseFormatError({
        status,
        service,
        requestId,
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
        message: redact(info?.message || 'is_success is false and no message was given', this.#secrets),
        service,
        requestId: requestId ?? info?.requestId,
        retryable: false,
      });
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown problem';
      throw new ResponseFormatError({
        status,
        service,
        requestId,
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
