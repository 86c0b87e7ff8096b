import { z } from 'zod';
import type { CallOptions } from '../api-context.js';
import type { JobGateClient } from '../client.js';
import {
  AbortError,
  HuaweiCloudError,
  isRetryable,
  JobFailedError,
  type JobGateError,
  StartOutcomeUnknownError,
  StopFailedError,
  WaitTimeoutError,
} from '../errors.js';
import { MAX_TIMER_MS } from '../http/request-gate.js';
import { provesNotReceived } from '../http/transport.js';
import { parseInput } from '../inputs.js';
import {
  type JobRef,
  type JobStartSpec,
  type JobStopRequest,
  parseStartSpec,
  parseStopOptions,
  parseStopRequest,
  stateFrom,
} from '../kinds/index.js';
import { isTerminal, type JobKind, type JobState } from '../kinds/types.js';
import { checkWaitOptions, type WaitEvent, type WaitOptions, waitForJob } from '../wait/wait-for-job.js';

const StopTimeout = z
  .number({ error: 'expected a whole number of milliseconds from 1 to 2147483647' })
  .int('expected a whole number of milliseconds from 1 to 2147483647')
  .min(1, 'expected a whole number of milliseconds from 1 to 2147483647')
  .max(MAX_TIMER_MS, 'expected a whole number of milliseconds from 1 to 2147483647');

/** Where a start failed in a way that may have followed its arrival: a timeout, a reset, a 5xx, a broken answer. */
function mayHaveStarted(error: unknown): error is JobGateError {
  if (provesNotReceived(error)) return false;
  return isRetryable(error) || (error instanceof HuaweiCloudError && error.status >= 500);
}

async function launch(
  client: JobGateClient,
  kind: JobKind,
  spec: Record<string, unknown>,
  options: CallOptions,
): Promise<{ ref: JobRef; state: JobState | undefined }> {
  const start = kind.start;
  if (!start) throw new Error(`${kind.name} declares no start`);
  let started: Awaited<ReturnType<typeof start.start>>;
  try {
    started = await start.start(client, spec, options);
  } catch (error) {
    if (mayHaveStarted(error)) throw new StartOutcomeUnknownError(kind.name, kind.title, error);
    throw error;
  }
  const ref = { kind: kind.name, ...started.ref } as JobRef;
  return { ref, state: started.observation ? stateFrom(kind, started.ref, started.observation) : undefined };
}

/**
 * Starts a job of any kind that can be started, and resolves with the reference of what was started
 * (`{kind: 'dli-sql', jobId}` for a submitted statement, `{kind: 'dataarts-batch', jobName,
 * instanceId}` for a batch run, ...), ready for `waitForJob` and `stopJob`.
 *
 * The spec is checked first (an InputError names the field). The start is sent once: it is retried
 * only when the answer proves nothing was started (throttling, a refused connection). When it may have
 * reached the service but no answer says what happened (a timeout, a reset, a 5xx), it rejects with
 * StartOutcomeUnknownError rather than start a second job.
 */
export async function startJob(
  client: JobGateClient,
  spec: JobStartSpec,
  options: CallOptions = {},
): Promise<JobRef> {
  // Checked before any request: a bad field is an InputError naming it.
  const { kind, spec: valid } = parseStartSpec(spec);
  return (await launch(client, kind, valid, options)).ref;
}

/**
 * Stops a job: its reference, plus the kind's stop options where it has any
 * (`{kind: 'dli-flink', jobId: 104, triggerSavepoint: true}`). Resolves once the service has accepted
 * the stop; the job then passes through its stopping states (see `waitForJob`).
 */
export async function stopJob(
  client: JobGateClient,
  request: JobStopRequest,
  options: CallOptions = {},
): Promise<void> {
  const { kind, ref, options: stopOptions } = parseStopRequest(request);
  await kind.stop?.stop(client, ref, stopOptions, options);
}

export type RunEvent =
  | WaitEvent
  /** The start was accepted: the reference of what was started. */
  | { type: 'started'; ref: JobRef }
  /** The wait was aborted or timed out: the job is being stopped. */
  | { type: 'stopping'; ref: JobRef; reason: 'abort' | 'timeout' }
  /** The service accepted the stop. */
  | { type: 'stopped'; ref: JobRef };

export interface RunOptions extends Omit<WaitOptions, 'onUpdate'> {
  /** Stop the job when the wait times out (it is always stopped when the signal aborts). Default false. */
  stopOnTimeout?: boolean;
  /** The kind's stop options for that stop, such as `{ triggerSavepoint: true }` for a Flink job. */
  stop?: Record<string, unknown>;
  /**
   * How long the stop may take, retries included. Default 7 s: a GitHub runner sends SIGTERM 7.5 s
   * after the cancel.
   */
  stopTimeoutMs?: number;
  onUpdate?: (event: RunEvent) => void;
}

export const RUN_DEFAULTS = { stopOnTimeout: false, stopTimeoutMs: 7_000 };

/**
 * Starts a job, waits for it (`waitForJob`, with the same options and verdicts), and resolves with its
 * final state. When the signal aborts, or the wait times out and `stopOnTimeout` is set, the job is
 * stopped before the promise rejects with the abort or the timeout. A stop that fails rejects with
 * StopFailedError (its `reason` the abort or timeout, its `cause` the stop's failure): reported, never
 * swallowed, and never a pass.
 *
 * A statement that runs synchronously (DDL, DCL) is already final when its start answers: its state
 * comes from the answer, without a wait.
 */
export async function runJob(
  client: JobGateClient,
  spec: JobStartSpec,
  options: RunOptions = {},
): Promise<JobState> {
  const { stopOnTimeout, stop, stopTimeoutMs, onUpdate, ...waitOptions } = options;
  // Everything is checked before anything starts: the spec, the stop options, the wait options.
  const { kind, spec: valid } = parseStartSpec(spec);
  const stopOptions = parseStopOptions(kind, stop ?? {});
  const stopAfterMs = parseInput(StopTimeout, stopTimeoutMs ?? RUN_DEFAULTS.stopTimeoutMs, 'stopTimeoutMs');
  checkWaitOptions(waitOptions);
  // The start itself is not cut short by the signal: once sent it may have started a job, and only
  // its answer names the job to stop.
  const { ref, state } = await launch(client, kind, valid, {});
  onUpdate?.({ type: 'started', ref });
  const stopIt = async (reason: 'abort' | 'timeout', cause: JobGateError): Promise<never> => {
    onUpdate?.({ type: 'stopping', ref, reason });
    try {
      // The caller's signal may be what fired: the stop has its own time limit.
      await stopJob(client, { ...ref, ...stopOptions } as JobStopRequest, {
        signal: AbortSignal.timeout(stopAfterMs),
      });
    } catch (stopError) {
      throw new StopFailedError(ref as Record<string, unknown> & { kind: string }, cause, stopError);
    }
    onUpdate?.({ type: 'stopped', ref });
    throw cause;
  };
  if (state && isTerminal(state.phase)) {
    onUpdate?.({ type: 'state', state, previous: undefined, polls: 0, elapsedMs: 0 });
    if (state.phase === 'succeeded' && (waitOptions.until ?? 'finished') === 'finished') return state;
    throw new JobFailedError(state);
  }
  if (options.signal?.aborted) return stopIt('abort', new AbortError(options.signal.reason));
  try {
    return await waitForJob(client, ref, { ...waitOptions, ...(onUpdate ? { onUpdate } : {}) });
  } catch (error) {
    if (error instanceof AbortError) return stopIt('abort', error);
    if (error instanceof WaitTimeoutError && stopOnTimeout) return stopIt('timeout', error);
    throw error;
  }
}
