import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

const WINDOW_MS = 1000;
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
  /** Requests this gate held back at least once; for figures. */
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
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    let held = false;
    for (;;) {
      const now = Date.now();
      this.#sent = this.#sent.filter((r) => r.end > now - WINDOW_MS);
      let wait = this.#pausedUntil - now;
      if (wait <= 0 && this.#limit !== undefined && this.#sent.length >= this.#limit) {
        const oldest = Math.min(...this.#sent.map((r) => r.end));
        // All of them still in flight: look again shortly.
        wait = Number.isFinite(oldest) ? oldest + WINDOW_MS - now + 1 : 25;
      }
      if (wait <= 0) {
        const entry = { end: Number.POSITIVE_INFINITY };
        this.#sent.push(entry);
        return () => {
          entry.end = Date.now();
        };
      }
      if (!held) {
        held = true;
        this.delayed++;
      }
      await sleep(wait, undefined, { signal });
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
