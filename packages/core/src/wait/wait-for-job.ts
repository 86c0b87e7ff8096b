import { setTimeout as sleep } from 'node:timers/promises';
import type { JobGateClient } from '../client.js';
import {
  AbortError,
  HuaweiCloudError,
  InputError,
  isRetryable,
  JobFailedError,
  type JobGateError,
  WaitTimeoutError,
} from '../errors.js';
import { MAX_TIMER_MS } from '../http/request-gate.js';
import { type JobRef, parseJobRef, readJobState } from '../kinds/index.js';
import { isTerminal, type JobState } from '../kinds/types.js';
import { PollSchedule } from './schedule.js';

export type WaitUntil = 'finished' | 'running';

export type WaitEvent =
  /** The state changed (phase, status, progress or message), including the first read. */
  | { type: 'state'; state: JobState; previous: JobState | undefined; polls: number; elapsedMs: number }
  /** A poll that saw nothing new. */
  | { type: 'poll'; state: JobState; polls: number; elapsedMs: number }
  /** A poll failed transiently; the wait goes on while the budget lasts. */
  | {
      type: 'transient-error';
      error: JobGateError;
      consecutive: number;
      budget: number;
      polls: number;
      elapsedMs: number;
    };

export interface WaitOptions {
  /** `finished`: a terminal phase. `running`: the job is running (streaming jobs); failure still ends the wait. */
  until?: WaitUntil;
  /** Default 60 minutes. */
  timeoutMs?: number;
  /** The shortest gap between polls and the first one. Default 5 s. */
  intervalMs?: number;
  /** The longest gap between polls. Default 60 s. */
  maxIntervalMs?: number;
  /** Consecutive polls that may fail transiently (after the HTTP layer's own retries). Default 5. */
  transientErrorBudget?: number;
  signal?: AbortSignal;
  onUpdate?: (event: WaitEvent) => void;
}

export const WAIT_DEFAULTS = {
  until: 'finished' as WaitUntil,
  timeoutMs: 60 * 60_000,
  intervalMs: 5_000,
  maxIntervalMs: 60_000,
  transientErrorBudget: 5,
};

/** Every duration is measured on the monotonic clock: a wall clock stepped back or forward changes nothing. */
const now = (): number => performance.now();

/** Waits in the process that have not had their first read yet. */
let starting = 0;

/**
 * When a wait's first read goes out: at once for a wait that starts alone (or
 * the first of many), and for a wait that starts while others are still
 * before their first read at a random point of its first interval, so that a
 * thousand waits started at once do not send a thousand requests in the same
 * millisecond. Call `firstReadDone` once the first read is over. Waits of a
 * kind that reads many jobs in one request are not spread: they share it.
 */
function firstReadDelay(intervalMs: number): number {
  starting++;
  return starting === 1 ? 0 : Math.floor(Math.random() * intervalMs);
}

function firstReadDone(): void {
  starting--;
}

/** Aborts `controller` once `end` (on the monotonic clock) has passed, re-arming past Node's longest timer; returns a cancel function. */
function abortAt(controller: AbortController, end: number): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = end - now();
    if (left <= 0) controller.abort();
    else timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  };
  arm();
  return () => clearTimeout(timer);
}

/**
 * Sleeps until `until` (monotonic clock). Without a signal it holds one timer and nothing else: a
 * thousand sleeping waits keep no listener each. With one, it rejects as soon as the signal aborts.
 */
function sleepUntil(until: number, signal: AbortSignal | undefined): Promise<void> {
  const left = until - now();
  if (left <= 0) return Promise.resolve();
  const ms = Math.min(Math.ceil(left), MAX_TIMER_MS);
  const slept = signal
    ? sleep(ms, undefined, { signal })
    : new Promise<void>((resolve) => setTimeout(resolve, ms));
  // A timer may fire a fraction of a millisecond early on the monotonic clock: sleep the rest.
  return slept.then(() => sleepUntil(until, signal));
}

function isTransient(error: unknown): error is JobGateError {
  // The HTTP layer does not retry a plain 500; across polls it is worth another look.
  return isRetryable(error) || (error instanceof HuaweiCloudError && error.status >= 500);
}

function sameState(a: JobState | undefined, b: JobState): boolean {
  return (
    !!a &&
    a.phase === b.phase &&
    a.status === b.status &&
    a.progress === b.progress &&
    a.message === b.message
  );
}

function checkPositive(field: string, value: number) {
  if (!Number.isFinite(value) || value <= 0)
    throw new InputError(field, `expected a positive number of milliseconds, got ${value}`);
}

/** Checks the wait options and fills in the defaults; the error names the bad option. */
export function checkWaitOptions(options: WaitOptions): {
  until: WaitUntil;
  timeoutMs: number;
  intervalMs: number;
  maxIntervalMs: number;
  budget: number;
} {
  const until = options.until ?? WAIT_DEFAULTS.until;
  if (until !== 'finished' && until !== 'running')
    throw new InputError('until', `expected "finished" or "running", got ${JSON.stringify(until)}`);
  const timeoutMs = options.timeoutMs ?? WAIT_DEFAULTS.timeoutMs;
  const intervalMs = options.intervalMs ?? WAIT_DEFAULTS.intervalMs;
  const maxIntervalMs = options.maxIntervalMs ?? Math.max(intervalMs, WAIT_DEFAULTS.maxIntervalMs);
  const budget = options.transientErrorBudget ?? WAIT_DEFAULTS.transientErrorBudget;
  checkPositive('timeoutMs', timeoutMs);
  checkPositive('intervalMs', intervalMs);
  checkPositive('maxIntervalMs', maxIntervalMs);
  if (!Number.isInteger(budget) || budget < 0)
    throw new InputError(
      'transientErrorBudget',
      `expected a whole number of 0 or more, got ${String(budget)}`,
    );
  if (maxIntervalMs < intervalMs)
    throw new InputError(
      'maxIntervalMs',
      `expected at least intervalMs (${intervalMs}), got ${maxIntervalMs}`,
    );
  return { until, timeoutMs, intervalMs, maxIntervalMs, budget };
}

/**
 * Polls a job until it reaches what `until` asks for, then resolves with its
 * state. A failed or cancelled job throws JobFailedError; running out of time
 * throws WaitTimeoutError; a permanent error (not found, 401) ends the wait
 * at once; the signal aborts everything, the request in flight included.
 */
export async function waitForJob(
  client: JobGateClient,
  ref: JobRef,
  options: WaitOptions = {},
): Promise<JobState> {
  const { until, timeoutMs, intervalMs, maxIntervalMs, budget } = checkWaitOptions(options);
  // Validate the reference before the first request.
  const { kind, ref: checked } = parseJobRef(ref);

  const started = now();
  const end = started + timeoutMs;
  const schedule = new PollSchedule({ minIntervalMs: intervalMs, maxIntervalMs });
  let last: JobState | undefined;
  let polls = 0;
  let consecutiveErrors = 0;

  const stopped = (): never => {
    if (options.signal?.aborted) throw new AbortError(options.signal.reason);
    throw new WaitTimeoutError(
      timeoutMs,
      last,
      `${kind.title} to be ${until === 'running' ? 'running' : 'finished'}`,
    );
  };
  // One deadline for the whole wait, joined with the caller's signal (AbortSignal.any adds no listener
  // to it: many waits may share one): each read takes it. Without a caller's signal, sleeps need no
  // listener either: they end at the deadline by themselves.
  const deadline = new AbortController();
  const cancelDeadline = abortAt(deadline, end);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  const over = () => signal.aborted || now() >= end;
  /** Sleeps `ms`, never past the deadline; ends the wait if the caller aborts. */
  const pause = (ms: number) =>
    sleepUntil(Math.min(now() + ms, end), options.signal && signal).catch(stopped);

  // Reads of a kind that batches are shared by the waits that start together: those are not spread.
  let first = !kind.fetchMany;
  const spread = first ? firstReadDelay(intervalMs) : 0;
  try {
    if (spread > 0) await pause(spread);
    for (;;) {
      if (over()) stopped();
      let delay: number;
      try {
        // Waits that run side by side on one client share reads where the kind allows it.
        let read: JobState;
        try {
          read = await readJobState(client, kind, checked, { signal, batch: true });
        } finally {
          if (first) firstReadDone();
          first = false;
        }
        // A job that ended without a progress of its own (CDM answers -1 on failure) keeps the last
        // one it reported: how far it got.
        const state =
          isTerminal(read.phase) && read.progress === undefined && last?.progress !== undefined
            ? { ...read, progress: last.progress }
            : read;
        polls++;
        consecutiveErrors = 0;
        const elapsedMs = Math.round(now() - started);
        const previous = last;
        last = state;
        if (sameState(previous, state)) options.onUpdate?.({ type: 'poll', state, polls, elapsedMs });
        else options.onUpdate?.({ type: 'state', state, previous, polls, elapsedMs });

        if (until === 'running' && state.phase === 'running') return state;
        // Waiting until running, a job that already ended (even cleanly) is not running: that is no pass.
        if (state.phase === 'succeeded' && until === 'finished') return state;
        if (isTerminal(state.phase)) throw new JobFailedError(state);
        delay = schedule.next(state, now());
      } catch (error) {
        if (error instanceof JobFailedError) throw error;
        if (over()) stopped();
        if (!isTransient(error)) throw error;
        polls++;
        consecutiveErrors++;
        options.onUpdate?.({
          type: 'transient-error',
          error,
          consecutive: consecutiveErrors,
          budget,
          polls,
          elapsedMs: Math.round(now() - started),
        });
        if (consecutiveErrors > budget) throw error;
        delay = intervalMs;
      }
      await pause(delay);
    }
  } finally {
    if (first) firstReadDone();
    cancelDeadline();
  }
}
