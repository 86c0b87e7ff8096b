import { createHash } from 'node:crypto';

/** The gateway's window: "limit:50,time:1 second". */
const WINDOW_MS = 1000;
/**
 * A request counts from the moment it leaves until one window after its
 * answer is back, plus this margin: any request the gateway still counts when
 * the next one arrives is counted here too, whatever the network's jitter
 * or the two clocks' rounding.
 */
const WINDOW_MARGIN_MS = 10;

/**
 * Before the gateway has named a limit, the rate starts here (slow start) and
 * each answer that gets through while requests wait raises it by
 * SLOW_START_GROWTH: at that rate of answers a second, the rate doubles each
 * second. A burst of waits then finds out the limit with a few requests on the
 * wire, not with all the pool's connections full. A lone request, or a few,
 * leave at once (PACE_BURST).
 */
const INITIAL_RATE = 10;
const SLOW_START_GROWTH = 0.5;

/**
 * After a 429 the rate drops to this share of what it was (multiplicative
 * decrease), then rises while answers succeed (additive increase): by
 * FAST_SHARE of the gateway's limit a second back up to the rate the 429 cut
 * (the knee), then by SLOW_SHARE a second, a step that doubles every
 * PROBE_DOUBLING_MS without a 429 until it is FAST_SHARE again. Processes that
 * share a key and know nothing of each other converge under its limit this
 * way, each to a fair part of it, and stay long just under it between two
 * 429s; one whose neighbours have left soon climbs as fast as before.
 */
const DECREASE = 0.7;
const FAST_SHARE = 0.02;
const SLOW_SHARE = 0.005;
const PROBE_DOUBLING_MS = 4000;
/** The limit assumed for the additive step until the gateway names one (its default). */
const ASSUMED_LIMIT = 50;

/**
 * Requests leave at least 1/rate of a second apart once this many have left
 * together (a token bucket), or PACE_BURST_MS of the rate when that is more:
 * a queue of held requests reaches the gateway evenly, so that a window that
 * fills finds one request on the wire, not a burst, while a lone request or a
 * few still leave at once, and a high rate is not cut into one request per
 * turn of a busy event loop.
 */
const PACE_BURST = 4;
const PACE_BURST_MS = 50;

/**
 * Requests of one key at one origin that may be on the wire at once: the
 * connections of the shared pool (http/transport.ts). The others wait here,
 * where a 429 still holds them, not in the pool, where nothing could.
 */
export const MAX_IN_FLIGHT = 16;

/**
 * A request held back: a plain entry in the gate's queue. It has no timer of
 * its own (the gate's one timer also lets go the requests held past their
 * time limit) and is itself its signal's abort listener, so that holding ten
 * thousand requests keeps ten thousand small objects and their promises.
 */
class Held {
  gone = false;
  constructor(
    readonly resolve: (release: Release) => void,
    readonly reject: (reason: unknown) => void,
    readonly signal: AbortSignal | undefined,
    /** When it gives up (monotonic), and after how long. */
    readonly expiresAt: number,
    readonly holdMs: number,
    readonly leave: (entry: Held, reason: unknown) => void,
  ) {}

  /** The signal's abort: the request leaves the queue at once. */
  handleEvent(): void {
    this.leave(this, this.signal?.reason);
  }
}

/**
 * Called once the answer is back. `throttled` is true when that answer was a
 * 429: only answers that got through raise the rate.
 */
export type Release = (throttled?: boolean) => void;

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
 * The request budget of one access key at one origin, shared by every
 * transport in the process. Nothing is sent that the gate has not released:
 * at most MAX_IN_FLIGHT requests at once, at most `rate` per sliding second,
 * each counted until its answer is back, and paced 1/rate of a second apart
 * beyond a small burst. The rate is the configured one, or starts low and
 * doubles each second while requests wait (slow start) until the gateway's
 * first 429. A 429 pauses every request with the key for its Retry-After and
 * lowers the rate multiplicatively; answers that get through while requests
 * are waiting raise it additively, never above the limit the gateway named
 * (`limit:50,time:1 second`) or the configured one.
 */
export class RequestGate {
  /** The configured rate: never exceeded. */
  readonly #configured: number | undefined;
  /** The most the rate may rise to: the configured rate and the gateway's named limit, the lower. */
  #ceiling: number | undefined;
  /** Requests per sliding second now. */
  #rate: number;
  /** Until the first 429 (and without a configured rate): the rate doubles each second of demand. */
  #slowStart: boolean;
  /** The rate the last 429 cut: the additive increase slows down once back at it. */
  #knee = Number.POSITIVE_INFINITY;
  /** When the rate got back to the knee: the slow step above it grows with the time it has lasted. */
  #aboveKneeSince: number | undefined;
  /** Requests that may leave at once (token bucket), as of #tokensAt. */
  #tokens: number;
  #tokensAt = now();
  #inFlight = 0;
  /** When the answers of the last window came back, oldest first (monotonic, so sorted). */
  #done: number[] = [];
  #doneHead = 0;
  #pausedUntil = 0;
  /** When the rate was last lowered: a 429 to a request sent before that is the same congestion. */
  #decreasedAt = Number.NEGATIVE_INFINITY;
  #queue: Held[] = [];
  #queueHead = 0;
  /** The same requests by their time limit, each list in the order they expire. */
  #byHold = new Map<number, { list: Held[]; head: number }>();
  #waiting = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  readonly #maxInFlight: number;
  /** Requests this gate held back; for figures. */
  delayed = 0;
  /** 429s that lowered the rate; for figures. */
  decreases = 0;

  constructor(requestsPerSecond?: number, maxInFlight: number = MAX_IN_FLIGHT) {
    this.#configured = requestsPerSecond;
    this.#ceiling = requestsPerSecond;
    this.#rate = requestsPerSecond ?? INITIAL_RATE;
    this.#slowStart = requestsPerSecond === undefined;
    this.#tokens = this.#burst();
    this.#maxInFlight = Math.max(1, Math.floor(maxInFlight));
  }

  /** Requests per sliding second now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.#rate));
  }

  /** The rate as the gate holds it (not rounded). */
  get rate(): number {
    return this.#rate;
  }

  /** Whether the gate is still finding the rate out (no 429 yet, no configured rate). */
  get slowStart(): boolean {
    return this.#slowStart;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
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
  acquire(signal?: AbortSignal, maxHoldMs: number = MAX_TIMER_MS): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#waiting === 0 && this.#waitTime(now()) <= 0) return Promise.resolve(this.#take());
    this.delayed++;
    return new Promise((resolve, reject) => {
      const hold = Math.max(0, Math.min(maxHoldMs, MAX_TIMER_MS));
      const entry = new Held(resolve, reject, signal, now() + hold, hold, this.#leave);
      signal?.addEventListener('abort', entry, { once: true });
      this.#queue.push(entry);
      this.#expiries(hold).push(entry);
      this.#waiting++;
      this.#schedule();
    });
  }

  /** A held request gives up (aborted or past its time limit), unsent. */
  readonly #leave = (entry: Held, reason: unknown): void => {
    if (entry.gone) return;
    this.#drop(entry, reason);
    this.#schedule();
  };

  /**
   * The held requests of one time limit, in the order they came: so also in
   * the order they expire. Transports of one gate have one or a few limits.
   */
  #expiries(holdMs: number): Held[] {
    let expiring = this.#byHold.get(holdMs);
    if (!expiring) {
      expiring = { list: [], head: 0 };
      this.#byHold.set(holdMs, expiring);
    }
    return expiring.list;
  }

  /**
   * Lets go, with GateTimeoutError, the held requests past their time limit
   * and drops those that already left; returns when the next one expires
   * (Infinity if none).
   */
  #expire(at: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const [holdMs, expiring] of this.#byHold) {
      const list = expiring.list;
      let head = expiring.head;
      for (; head < list.length; head++) {
        const entry = list[head] as Held;
        if (entry.gone) continue;
        if (entry.expiresAt > at) break;
        this.#drop(entry, new GateTimeoutError(Math.round(entry.holdMs)));
      }
      if (head === list.length) {
        this.#byHold.delete(holdMs);
        continue;
      }
      if (head > 1024 && head * 2 > list.length) {
        expiring.list = list.slice(head);
        head = 0;
      }
      expiring.head = head;
      next = Math.min(next, (expiring.list[head] as Held).expiresAt);
    }
    return next;
  }

  /** Takes a held request out of the count, unsent, and rejects it. */
  #drop(entry: Held, reason: unknown): void {
    entry.gone = true;
    this.#waiting--;
    entry.signal?.removeEventListener('abort', entry);
    entry.reject(reason);
  }

  /** Answers of the last window: drops those that left it (amortised O(1)). */
  #recentDone(at: number): number {
    const done = this.#done;
    const edge = at - WINDOW_MS - WINDOW_MARGIN_MS;
    let head = this.#doneHead;
    while (head < done.length && (done[head] as number) <= edge) head++;
    if (head > 1024 && head * 2 > done.length) {
      this.#done = done.slice(head);
      head = 0;
    }
    this.#doneHead = head;
    return this.#done.length - head;
  }

  /** Requests counted against the rate now: those in flight and those answered within the window. */
  #counted(at: number): number {
    return this.#inFlight + this.#recentDone(at);
  }

  /** Requests that may leave together at the present rate. */
  #burst(): number {
    return Math.max(PACE_BURST, (this.#rate * PACE_BURST_MS) / WINDOW_MS);
  }

  /** The token bucket filled up to `at`: 1/rate of a second per request, up to the burst. */
  #refill(at: number): void {
    const elapsed = Math.max(0, at - this.#tokensAt);
    this.#tokens = Math.min(this.#burst(), this.#tokens + (elapsed * this.#rate) / WINDOW_MS);
    this.#tokensAt = Math.max(this.#tokensAt, at);
  }

  /**
   * How long until the next request may leave, given the pause, the requests
   * in flight, the window and the pace; Infinity when only an answer can free
   * a place.
   */
  #waitTime(at: number): number {
    const paused = this.#pausedUntil - at;
    if (paused > 0) return paused;
    if (this.#inFlight >= this.#maxInFlight) return Number.POSITIVE_INFINITY;
    const over = this.#inFlight + this.#recentDone(at) - this.limit;
    let wait = 0;
    if (over >= 0) {
      // The answer whose leaving the window frees a place; none yet if they are all in flight.
      const freeing = this.#done[this.#doneHead + over];
      if (freeing === undefined) return Number.POSITIVE_INFINITY;
      wait = freeing + WINDOW_MS + WINDOW_MARGIN_MS - at + 1;
    }
    this.#refill(at);
    // A hair of rounding must not cost a whole extra millisecond.
    const missing = 1 - this.#tokens - 1e-9;
    return missing > 0 ? Math.max(wait, (missing * WINDOW_MS) / this.#rate) : wait;
  }

  #take(): Release {
    this.#refill(now());
    this.#tokens = Math.max(0, this.#tokens - 1);
    this.#inFlight++;
    let released = false;
    return (throttled = false) => {
      if (released) return;
      released = true;
      this.#inFlight--;
      this.#done.push(now());
      if (!throttled) this.#raise();
      // A finished request may free a place that a held one is waiting for.
      if (this.#waiting > 0) this.#schedule();
    };
  }

  /**
   * While the rate is what holds requests back (some wait, or the window is
   * full), each answer that got through raises it.
   */
  #raise(): void {
    if (this.#waiting === 0 && this.#counted(now()) < this.limit) return;
    const rate = this.#rate;
    let raised: number;
    if (this.#slowStart) raised = rate + SLOW_START_GROWTH;
    else {
      // `step / rate` per answer, at `rate` answers a second: `step` a second.
      let share = FAST_SHARE;
      if (rate >= this.#knee) {
        const at = now();
        this.#aboveKneeSince ??= at;
        share = Math.min(FAST_SHARE, SLOW_SHARE * 2 ** ((at - this.#aboveKneeSince) / PROBE_DOUBLING_MS));
      }
      raised = rate + ((this.#ceiling ?? ASSUMED_LIMIT) * share) / rate;
      // The fast climb stops at the knee: above it, only the slow one.
      if (rate < this.#knee) raised = Math.min(raised, this.#knee);
    }
    this.#rate = Math.min(this.#ceiling ?? Number.POSITIVE_INFINITY, raised);
  }

  #schedule(): void {
    const expiry = this.#waiting > 0 ? this.#expire(now()) : Number.POSITIVE_INFINITY;
    for (;;) {
      const next = this.#nextHeld();
      if (!next) break;
      const at = now();
      const wait = this.#waitTime(at);
      if (wait > 0) {
        const release = wait === Number.POSITIVE_INFINITY ? wait : at + Math.ceil(wait);
        const wake = Math.min(release, Math.ceil(expiry));
        if (wake === Number.POSITIVE_INFINITY) break;
        this.#arm(wake);
        return;
      }
      this.#queueHead++;
      this.#waiting--;
      next.gone = true;
      next.signal?.removeEventListener('abort', next);
      next.resolve(this.#take());
    }
    if (this.#waiting === 0) this.#byHold.clear();
    this.#disarm();
  }

  /** The first request still held, skipping those that left. */
  #nextHeld(): Held | undefined {
    const queue = this.#queue;
    let head = this.#queueHead;
    while (head < queue.length && (queue[head] as Held).gone) head++;
    if (head === queue.length) {
      this.#queue = [];
      head = 0;
    } else if (head > 1024 && head * 2 > queue.length) {
      this.#queue = queue.slice(head);
      head = 0;
    }
    this.#queueHead = head;
    return this.#queue[head];
  }

  /** One timer, re-armed only when the wake-up time moves. */
  #arm(at: number): void {
    if (this.#timer && this.#timerAt === at) return;
    this.#disarm();
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#schedule();
      },
      Math.min(Math.max(0, at - now()), MAX_TIMER_MS),
    );
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  /**
   * The gateway said 429: every request with this key waits `retryAfterMs`,
   * the limit it named (if any) caps the rate from now on, slow start ends,
   * and the rate drops to DECREASE of what it was (of what went out in the
   * last window, if less). 429s to requests that left before the last
   * decrease are the same congestion and lower nothing more. `sentAt` is when
   * the throttled request left (performance.now()).
   */
  throttled(retryAfterMs: number, namedLimit?: number, sentAt?: number): void {
    const at = now();
    this.#pausedUntil = Math.max(this.#pausedUntil, at + retryAfterMs);
    if (namedLimit !== undefined && namedLimit > 0)
      this.#ceiling = Math.min(this.#configured ?? Number.POSITIVE_INFINITY, namedLimit);
    const ceiling = this.#ceiling ?? Number.POSITIVE_INFINITY;
    if (sentAt === undefined || sentAt >= this.#decreasedAt) {
      // In slow start the rate may have run ahead of what the requests used.
      const base = Math.min(this.#slowStart ? this.#counted(at) : this.#rate, this.#rate, ceiling);
      this.#knee = base;
      this.#aboveKneeSince = undefined;
      this.#rate = Math.max(1, base * DECREASE);
      this.#slowStart = false;
      this.#decreasedAt = at;
      this.decreases++;
    } else this.#rate = Math.min(this.#rate, ceiling);
    if (this.#waiting > 0) this.#schedule();
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
