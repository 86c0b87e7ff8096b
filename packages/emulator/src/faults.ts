import { z } from 'zod';
import type { Prng } from './prng.js';

/**
 * Fault types. The numeric ones answer that HTTP status in the gateway's error shape; `dli-0999` answers
 * the DLI progress API's documented busy-queue error so that clients can be shown falling back to the
 * SQL status API; `respond` answers exactly the status, headers and body bytes the fault gives.
 */
export const FaultTypeSchema = z.enum([
  '429',
  '500',
  '502',
  '503',
  '504',
  'drop',
  'latency',
  'truncate',
  'non-json',
  'dli-0999',
  'respond',
]);

export const FaultMatchSchema = z.strictObject({
  /** A substring of the raw request path, or a glob (`*` = any characters) over the whole path. */
  path: z.string().min(1).optional(),
  method: z.string().min(1).optional(),
  accessKey: z.string().min(1).optional(),
});

// What Node's HTTP server accepts in a header name and value (RFC 9110 token; no CR, LF or NUL).
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const RESPOND_ONLY = ['headers', 'body', 'bodyBase64'] as const;

export const FaultSchema = z
  .strictObject({
    match: FaultMatchSchema.optional(),
    type: FaultTypeSchema,
    /** Share of matching requests that get the fault, drawn from the seeded PRNG. */
    probability: z.number().min(0).max(1).optional(),
    /** Apply to the next N matching requests, then retire. */
    count: z.int().positive().optional(),
    /** For `latency`: how long to hold the request (wall milliseconds). */
    latencyMs: z.int().nonnegative().optional(),
    /** For `429`: the Retry-After header; Huawei advises waiting 2 to 5 s after APIG.0308. */
    retryAfterSeconds: z.int().nonnegative().optional(),
    /** For `429`: the limit quoted in the message (defaults to the scenario's rate limit, else 10). */
    limit: z.int().positive().optional(),
    /**
     * For `respond`: the status sent (100..599, default 200). For `non-json`: the status sent with the HTML
     * page, 200 or 502 (a captive 200 page, or a proxy's 502 page; default 502).
     */
    status: z.int().min(100).max(599).optional(),
    /** For `respond`: response headers, sent as given (they replace the emulator's own of the same name). */
    headers: z
      .record(
        z.string(),
        z
          .string()
          .regex(HEADER_VALUE, 'Not a valid HTTP header value (no CR, LF or other control characters)'),
      )
      .optional(),
    /** For `respond`: the body, sent as its UTF-8 bytes. */
    body: z.string().optional(),
    /** For `respond`: the body as base64 (standard alphabet, padded), sent as those bytes: any bytes at all. */
    bodyBase64: z.base64('expected base64 text (standard alphabet, padded)').optional(),
  })
  .superRefine((fault, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (
      fault.type === 'non-json' &&
      fault.status !== undefined &&
      fault.status !== 200 &&
      fault.status !== 502
    ) {
      issue(['status'], 'For non-json: 200 or 502');
    }
    if (fault.type !== 'respond') {
      for (const key of RESPOND_ONLY) if (fault[key] !== undefined) issue([key], 'Only for type respond');
      return;
    }
    if (fault.body !== undefined && fault.bodyBase64 !== undefined) {
      issue(['bodyBase64'], 'Give body or bodyBase64, not both');
    }
    for (const name of Object.keys(fault.headers ?? {})) {
      if (!HEADER_NAME.test(name)) issue(['headers', name], 'Not a valid HTTP header name');
    }
  });

export type FaultType = z.infer<typeof FaultTypeSchema>;
export type Fault = z.infer<typeof FaultSchema>;

/** What a fault is matched against. */
export interface FaultContext {
  method: string;
  /** The raw path as received, without the query. */
  path: string;
  accessKey?: string | undefined;
}

/**
 * The phases of a request at which faults fire. Network faults (latency, dropped connections) happen
 * on arrival, before authentication; throttling and backend failures happen at the gateway after it has
 * authenticated the caller, so a badly signed request still gets its 401.
 */
const ARRIVAL_TYPES: ReadonlySet<FaultType> = new Set(['latency', 'drop']);

interface ActiveFault {
  fault: Fault;
  remaining: number | undefined;
}

export class FaultInjector {
  readonly #prng: Prng;
  #active: ActiveFault[] = [];

  constructor(prng: Prng, faults: readonly Fault[] = []) {
    this.#prng = prng;
    this.add(faults);
  }

  add(faults: readonly Fault[]): void {
    for (const fault of faults) this.#active.push({ fault, remaining: fault.count });
  }

  clear(): void {
    this.#active = [];
  }

  list(): Array<Fault & { remaining?: number }> {
    return this.#active.map(({ fault, remaining }) =>
      remaining === undefined ? { ...fault } : { ...fault, remaining },
    );
  }

  /** Arrival faults: the total added latency and whether to drop the connection. */
  arrival(ctx: FaultContext): { latencyMs: number; drop: Fault | undefined } {
    let latencyMs = 0;
    let drop: Fault | undefined;
    for (const active of this.#firing(ctx, true)) {
      if (active.type === 'latency') latencyMs += active.latencyMs ?? 1000;
      else if (!drop) drop = active;
    }
    return { latencyMs, drop };
  }

  /** The first gateway-phase fault that fires for this request, if any. */
  gateway(ctx: FaultContext): Fault | undefined {
    return this.#firing(ctx, false)[0];
  }

  /**
   * Faults of one phase that fire, in configuration order. Only faults that can still apply consume a
   * PRNG draw, and only when their probability is below 1, so that adding a certain fault does not shift
   * the random sequence of the others. Once one non-latency fault fires, later ones are not consulted.
   */
  #firing(ctx: FaultContext, arrival: boolean): Fault[] {
    const fired: Fault[] = [];
    let answered = false;
    for (const active of this.#active) {
      const { fault } = active;
      if (ARRIVAL_TYPES.has(fault.type) !== arrival) continue;
      if (answered && fault.type !== 'latency') continue;
      if (!matches(fault, ctx)) continue;
      const probability = fault.probability ?? 1;
      if (probability < 1 && this.#prng.next() >= probability) continue;
      if (active.remaining !== undefined) active.remaining -= 1;
      fired.push(fault);
      if (fault.type !== 'latency') answered = true;
    }
    this.#active = this.#active.filter((a) => a.remaining === undefined || a.remaining > 0);
    return fired;
  }
}

function matches(fault: Fault, ctx: FaultContext): boolean {
  const match = fault.match;
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== ctx.method.toUpperCase()) return false;
  if (match.accessKey && match.accessKey !== ctx.accessKey) return false;
  if (match.path && !pathMatches(match.path, ctx.path)) return false;
  return true;
}

export function pathMatches(pattern: string, path: string): boolean {
  if (!pattern.includes('*')) return path.includes(pattern);
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(path);
}

/**
 * The gateway's per-user flow control ("policy user over ratelimit"): at most `limit` admitted requests
 * per key in any sliding one-second window of wall time. Rejected requests do not count, so a client that
 * backs off gets through again.
 *
 * Bounded by construction: keys are authenticated callers only (the scenario's AKs and tokens, never a
 * key a request merely claims), and each keeps at most `limit` times, those of the last second.
 */
export class RateLimiter {
  readonly limit: number;
  readonly #hits = new Map<string, number[]>();

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Admits the request, or returns the seconds until the window has room again. */
  hit(key: string, nowMs: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const windowStart = nowMs - 1000;
    const hits = (this.#hits.get(key) ?? []).filter((t) => t > windowStart);
    if (hits.length >= this.limit) {
      this.#hits.set(key, hits);
      const oldest = hits[0] ?? nowMs;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + 1000 - nowMs) / 1000)) };
    }
    hits.push(nowMs);
    this.#hits.set(key, hits);
    return { ok: true };
  }

  clear(): void {
    this.#hits.clear();
  }
}

export type FaultInput = z.input<typeof FaultSchema>;
