import {
  AbortError,
  InputError,
  JobFailedError,
  JobGateError,
  type Phase,
  WaitTimeoutError,
} from '@jobgate/core';

/** The command's exit codes, as `jobgate --help` and the README document them. */
export const EXIT = {
  /** The job succeeded (or is running, with `--until running`). */
  ok: 0,
  /** The job failed or was cancelled. */
  failed: 1,
  /** Invalid usage or input. */
  usage: 2,
  /** The wait timed out. */
  timeout: 3,
  /** The final status is one no document describes. */
  unknown: 4,
  /** A service, network or authentication error. */
  service: 5,
  /** Interrupted (Ctrl-C), as shells count it: 128 + SIGINT. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODE_HELP = `Exit codes:
  0    the job succeeded (or is running, with --until running)
  1    the job failed or was cancelled
  2    invalid usage or input
  3    the wait timed out (run --stop-on-timeout stops the job first)
  4    the final status is one no document describes
  5    a service, network or authentication error; a start whose outcome is unknown; a stop that failed
  130  interrupted (Ctrl-C; run stops the job first)
  watch exits with the highest code among its jobs.`;

/** Thrown for a command line the command cannot use; the message names the flag and what was expected. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A job's phase read once (`jobgate status`): ended badly 1, undocumented 4, anything else 0. */
export function exitCodeOfPhase(phase: Phase): ExitCode {
  if (phase === 'failed' || phase === 'cancelled') return EXIT.failed;
  if (phase === 'unknown') return EXIT.unknown;
  return EXIT.ok;
}

/** The exit code of an error a command ended with. */
export function exitCodeOfError(error: unknown): ExitCode {
  if (error instanceof UsageError || error instanceof InputError) return EXIT.usage;
  if (error instanceof JobFailedError) return EXIT.failed;
  if (error instanceof WaitTimeoutError)
    // A wait that ran out of time on a status no document describes: that status is the news.
    return error.state?.phase === 'unknown' ? EXIT.unknown : EXIT.timeout;
  if (error instanceof AbortError) return EXIT.interrupted;
  if (error instanceof JobGateError) return EXIT.service;
  return EXIT.service;
}
