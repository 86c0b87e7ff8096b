import { createHash } from 'node:crypto';

const WINDOW_MS = 1000;

interface Held {
  resolve(release: () => void): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
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
    return Math.max(0, this.#pausedUntil - Date.now());
  }

  /**
   * Resolves when a request may be sent, with a function to call once its
   * answer is back. Until then the request counts as arriving now: a request
   * that leaves at the edge of a window may reach the gateway in the next one.
   * Requests held back leave in the order they came, woken by one timer.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#queue.length === 0 && this.#waitTime(Date.now()) <= 0) return Promise.resolve(this.#take());
    this.delayed++;
    return new Promise((resolve, reject) => {
      const entry: Held = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        entry.onAbort = () => {
          this.#queue = this.#queue.filter((e) => e !== entry);
          reject(signal.reason);
          this.#schedule();
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#queue.push(entry);
      this.#schedule();
    });
  }

  /** How long until the next request may leave, given the pause and the window. */
  #waitTime(now: number): number {
    this.#sent = this.#sent.filter((r) => r.end > now - WINDOW_MS);
    let wait = this.#pausedUntil - now;
    if (wait <= 0 && this.#limit !== undefined && this.#sent.length >= this.#limit) {
      const oldest = Math.min(...this.#sent.map((r) => r.end));
      // All of them still in flight: look again shortly.
      wait = Number.isFinite(oldest) ? oldest + WINDOW_MS - now + 1 : 25;
    }
    return wait;
  }

  #take(): () => void {
    const entry = { end: Number.POSITIVE_INFINITY };
    this.#sent.push(entry);
    return () => {
      entry.end = Date.now();
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
      const wait = this.#waitTime(Date.now());
      if (wait > 0) {
        this.#timer = setTimeout(() => this.#schedule(), wait);
        return;
      }
      this.#queue.shift();
      if (next.signal && next.onAbort) next.signal.removeEventListener('abort', next.onAbort);
      next.resolve(this.#take());
    }
  }

  /**
   * The gateway said 429: everyone waits `retryAfterMs`, and the rate drops to
   * the limit it named, or to half of what went out in the last second.
   */
  throttled(retryAfterMs: number, namedLimit?: number): void {
    const now = Date.now();
    this.#pausedUntil = Math.max(this.#pausedUntil, now + retryAfterMs);
    const recent = this.#sent.filter((r) => r.end > now - WINDOW_MS).length;
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
