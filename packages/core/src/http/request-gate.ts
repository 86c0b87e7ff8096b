import { createHash } from 'node:crypto';

const WINDOW_MS = 1000;

interface Held {
  resolve(release: () => void): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Gives up holding the request once its own time limit is over. */
  expiry: NodeJS.Timeout | undefined;
}

/** Node fires a longer timer after 1 ms: no timer is ever armed past this. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Durations are measured on the monotonic clock: a wall clock stepped back or forward changes nothing. */
const now = (): number => performance.now();

/** A request held by the gate longer than its own time limit allows: it was never sent. */
export class GateTimeoutError extends Error {
  override name = 'GateTimeoutError';
  readonly heldMs: number;

  constructor(heldMs: number) {
    super(`held back by the request budget for ${heldMs} ms, the request's own time limit`);
    this.heldMs = heldMs;
  }
}
/**
 * The gateway counts arrivals, we count departures; a margin keeps network
 * jitter from pushing a burst over its limit.
 */
const SAFETY = 0.8;

/**
 * The request budget of one access key at one origin, shared by every
 * transport in the process. Before the gateway throttles it lets everything
 * through (or applies the configured rate); after an APIG.0308 it pauses all
 * requests for the Retry-After, and from then on keeps to the limit the
 * gateway named ("limit:50,time:1 second"), counted over a sliding second.
 */
export class RequestGate {
  #limit: number | undefined;
  /** Requests of the last second and those still in flight; `end` is when the answer came back. */
  #sent: { end: number }[] = [];
  #pausedUntil = 0;
  #queue: Held[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Requests this gate held back; for figures. */
  delayed = 0;

  constructor(requestsPerSecond?: number) {
    if (requestsPerSecond !== undefined) this.#limit = Math.max(1, Math.floor(requestsPerSecond));
  }

  get limit(): number | undefined {
    return this.#limit;
  }

  /** How long every request with this key is held for a throttle, from now. */
  pauseLeft(): number {
    return Math.max(0, this.#pausedUntil - now());
  }

  /**
   * Resolves when a request may be sent, with a function to call once its
   * answer is back. Until then the request counts as arriving now: a request
   * that leaves at the edge of a window may reach the gateway in the next one.
   * Requests held back leave in the order they came, woken by one timer.
   * A request held longer than `maxHoldMs` is let go with GateTimeoutError,
   * unsent: time in the gate counts against the request's own time limit.
   */
  acquire(signal?: AbortSignal, maxHoldMs: number = MAX_TIMER_MS): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#queue.length === 0 && this.#waitTime(now()) <= 0) return Promise.resolve(this.#take());
    this.delayed++;
    return new Promise((resolve, reject) => {
      const entry: Held = { resolve, reject, signal, onAbort: undefined, expiry: undefined };
      const leave = (reason: unknown) => {
        this.#queue = this.#queue.filter((e) => e !== entry);
        this.#settle(entry);
        reject(reason);
        this.#schedule();
      };
      if (signal) {
        entry.onAbort = () => leave(signal.reason);
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      const hold = Math.max(0, Math.min(maxHoldMs, MAX_TIMER_MS));
      entry.expiry = setTimeout(() => leave(new GateTimeoutError(Math.round(hold))), hold);
      this.#queue.push(entry);
      this.#schedule();
    });
  }

  #settle(entry: Held): void {
    if (entry.signal && entry.onAbort) entry.signal.removeEventListener('abort', entry.onAbort);
    if (entry.expiry) clearTimeout(entry.expiry);
  }

  /** How long until the next request may leave, given the pause and the window. */
  #waitTime(at: number): number {
    this.#sent = this.#sent.filter((r) => r.end > at - WINDOW_MS);
    let wait = this.#pausedUntil - at;
    if (wait <= 0 && this.#limit !== undefined && this.#sent.length >= this.#limit) {
      const oldest = Math.min(...this.#sent.map((r) => r.end));
      // All of them still in flight: look again shortly.
      wait = Number.isFinite(oldest) ? oldest + WINDOW_MS - at + 1 : 25;
    }
    return wait;
  }

  #take(): () => void {
    const entry = { end: Number.POSITIVE_INFINITY };
    this.#sent.push(entry);
    return () => {
      entry.end = now();
      // A finished request may free a slot that a held one is waiting for.
      if (this.#queue.length > 0) this.#schedule();
    };
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (;;) {
      const next = this.#queue[0];
      if (!next) return;
      const wait = this.#waitTime(now());
      if (wait > 0) {
        this.#timer = setTimeout(() => this.#schedule(), Math.min(Math.ceil(wait), MAX_TIMER_MS));
        return;
      }
      this.#queue.shift();
      this.#settle(next);
      next.resolve(this.#take());
    }
  }

  /**
   * The gateway said 429: everyone waits `retryAfterMs`, and the rate drops to
   * the limit it named, or to half of what went out in the last second.
   */
  throttled(retryAfterMs: number, namedLimit?: number): void {
    const at = now();
    this.#pausedUntil = Math.max(this.#pausedUntil, at + retryAfterMs);
    const recent = this.#sent.filter((r) => r.end > at - WINDOW_MS).length;
    const next = namedLimit !== undefined ? Math.floor(namedLimit * SAFETY) : Math.floor((recent || 2) / 2);
    this.#limit = Math.max(1, Math.min(this.#limit ?? Number.POSITIVE_INFINITY, next));
    if (this.#queue.length > 0) this.#schedule();
  }
}

/** "…policy user over ratelimit,limit:50,time:1 second" → 50 per second. */
export function limitFromThrottleMessage(message: string): number | undefined {
  const match = /limit:\s*(\d+)\s*,\s*time:\s*(\d+)\s*(second|minute)/i.exec(message);
  if (!match) return undefined;
  const [, count, span, unit] = match;
  const seconds = Number(span) * (unit?.toLowerCase() === 'minute' ? 60 : 1);
  return seconds > 0 ? Number(count) / seconds : undefined;
}

const gates = new Map<string, RequestGate>();

/**
 * The gate of one identity at one origin. Keyed by a hash, so that no token
 * or key sits in the table in clear.
 */
export function gateFor(origin: string, identity: string, requestsPerSecond?: number): RequestGate {
  const key = createHash('sha256').update(`${origin}\n${identity}`).digest('hex');
  let gate = gates.get(key);
  if (!gate) {
    gate = new RequestGate(requestsPerSecond);
    gates.set(key, gate);
  }
  return gate;
}
