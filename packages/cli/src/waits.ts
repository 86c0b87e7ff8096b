import {
  AbortError,
  formatDuration,
  JobFailedError,
  type JobGateClient,
  type JobRef,
  type JobState,
  type WaitEvent,
  WaitTimeoutError,
  type WaitUntil,
  waitForJob,
} from '@jobgate/core';
import type { WaitSettings } from './args.js';
import { EXIT, type ExitCode, exitCodeOfError } from './exit-codes.js';
import { type Job, type Reporter, stateText } from './report.js';

export interface WaitItem {
  job: Job;
  ref: JobRef;
  until: WaitUntil;
}

/** What a wait's end says, in words: the verdict line's text. */
export function endText(job: Job, until: WaitUntil, error: unknown): string {
  if (error instanceof JobFailedError) {
    const s = error.state;
    return until === 'running'
      ? `${job.label} is not running: ${stateText(s)}`
      : `${job.label} ${s.phase}: status ${s.status}${s.message ? `: ${s.message}` : ''}`;
  }
  if (error instanceof WaitTimeoutError)
    return `${job.label}: ${error.message}${error.state?.phase === 'unknown' ? ' (a status no document describes)' : ''}`;
  if (error instanceof AbortError)
    return `${job.label}: interrupted${job.state ? `; last status ${stateText(job.state)}` : ''}`;
  return `${job.label}: ${error instanceof Error ? error.message : String(error)}`;
}

/** The wait loop's events, shown by the reporter: state changes, polls, transient errors. */
export function showWaitEvent(reporter: Reporter, job: Job): (event: WaitEvent) => void {
  return (event) => {
    if (event.type === 'state') reporter.state(job, event.state, event.elapsedMs);
    else if (event.type === 'poll') job.state = event.state;
    else reporter.transient(job, event.error.message, event.consecutive, event.budget, event.elapsedMs);
  };
}

/** A wait that passed, in words: `… succeeded (status FINISHED) after 1m30s`. */
export function passText(job: Job, state: JobState): string {
  const elapsed = formatDuration(Math.round(performance.now() - job.startedAt));
  const verb = state.phase === 'running' ? 'is running' : 'succeeded';
  return `${job.label} ${verb} (status ${state.status}) after ${elapsed}`;
}

/**
 * Waits on every job at once on one client, so that reads are shared where
 * the kind allows it and one request budget serves them all. Resolves with
 * each job's exit code; never rejects.
 */
export async function runWaits(
  client: JobGateClient,
  items: readonly WaitItem[],
  settings: Omit<WaitSettings, 'until'>,
  reporter: Reporter,
  signal: AbortSignal,
): Promise<ExitCode[]> {
  reporter.start();
  return Promise.all(
    items.map(async ({ job, ref, until }): Promise<ExitCode> => {
      try {
        const state = await waitForJob(client, ref, {
          until,
          timeoutMs: settings.timeoutMs,
          intervalMs: settings.intervalMs,
          maxIntervalMs: settings.maxIntervalMs,
          signal,
          onUpdate: showWaitEvent(reporter, job),
        });
        reporter.end(job, EXIT.ok, passText(job, state));
        return EXIT.ok;
      } catch (error) {
        if (error instanceof JobFailedError || error instanceof WaitTimeoutError)
          job.state = error.state ?? job.state;
        const code = exitCodeOfError(error);
        reporter.end(job, code, endText(job, until, error));
        return code;
      }
    }),
  );
}
