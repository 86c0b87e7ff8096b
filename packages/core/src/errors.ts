import type { ServiceName } from './endpoints.js';
import type { JobState } from './kinds/types.js';
import { redactor } from './redact.js';

/**
 * Every error the library throws is a JobGateError with a stable `code`, in
 * the manner of undici's error classes. None of them holds a request's
 * headers or the credentials, and every message passes the one redactor as
 * the error is made (before its stack is), so printing one cannot leak a
 * secret, whatever a server or a caller put into it.
 */
export class JobGateError extends Error {
  override name = 'JobGateError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(redactor.redact(message), options);
    this.code = code;
  }
}

/** Bad input: names the input and says what was expected. Never retried. */
export class InputError extends JobGateError {
  override name = 'InputError';
  readonly field: string;

  constructor(field: string, message: string) {
    super('JOBGATE_INVALID_INPUT', `${field}: ${message}`);
    this.field = field;
  }
}

export interface HuaweiCloudErrorInit {
  status: number;
  code: string;
  message: string;
  service: ServiceName;
  requestId?: string | undefined;
  retryable: boolean;
  retryAfterMs?: number | undefined;
}

/** An error answer from a Huawei Cloud service or its API gateway. */
export class HuaweiCloudError extends JobGateError {
  override name = 'HuaweiCloudError';
  readonly status: number;
  readonly service: ServiceName;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(init: HuaweiCloudErrorInit) {
    const id = init.requestId ? ` (request id ${init.requestId})` : '';
    super(init.code, `${init.service} answered HTTP ${init.status} ${init.code}: ${init.message}${id}`);
    this.status = init.status;
    this.service = init.service;
    this.requestId = init.requestId;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** The service's own words, without the prefix this class adds. */
  get serviceMessage(): string {
    return this.message.replace(/^.*?answered HTTP \d+ \S+: /, '').replace(/ \(request id [^)]*\)$/, '');
  }
}

/** A 2xx answer whose body is not JSON, or not the shape the API documents. */
export class ResponseFormatError extends JobGateError {
  override name = 'ResponseFormatError';
  readonly status: number;
  readonly service: ServiceName;
  readonly requestId: string | undefined;
  /** A body cut short or not JSON at all is a transport fault worth retrying. */
  readonly retryable: boolean;
  readonly excerpt: string;

  constructor(init: {
    status: number;
    service: ServiceName;
    requestId?: string | undefined;
    problem: string;
    excerpt: string;
    retryable: boolean;
  }) {
    super(
      'JOBGATE_BAD_RESPONSE',
      `${init.service} answered HTTP ${init.status} with ${init.problem}: ${JSON.stringify(init.excerpt)}`,
    );
    this.status = init.status;
    this.service = init.service;
    this.requestId = init.requestId;
    this.retryable = init.retryable;
    this.excerpt = init.excerpt;
  }
}

/**
 * IAM would not issue temporary credentials: its own words, and what to
 * check on the IAM side. Never retried: the same token gets the same answer.
 */
export class IdentityError extends JobGateError {
  override name = 'IdentityError';
  readonly status: number;
  readonly requestId: string | undefined;
  readonly retryable = false;

  constructor(init: {
    code: string;
    status: number;
    message: string;
    requestId?: string | undefined;
    cause?: unknown;
  }) {
    super(init.code, init.message, { cause: init.cause });
    this.status = init.status;
    this.requestId = init.requestId;
  }
}

/** The connection failed, was reset, or the request timed out. Retryable, unless another try cannot help (a TLS failure). */
export class NetworkError extends JobGateError {
  override name = 'NetworkError';
  readonly service: ServiceName;
  readonly retryable: boolean;

  constructor(
    service: ServiceName,
    code: string,
    message: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(code, `${service}: ${message}`, options);
    this.service = service;
    this.retryable = options?.retryable ?? true;
  }
}

export class RequestTimeoutError extends NetworkError {
  override name = 'RequestTimeoutError';

  constructor(service: ServiceName, timeoutMs: number, message = `no answer within ${timeoutMs} ms`) {
    super(service, 'JOBGATE_REQUEST_TIMEOUT', message);
  }
}

/** The caller's AbortSignal fired. */
export class AbortError extends JobGateError {
  override name = 'AbortError';

  constructor(reason?: unknown) {
    const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
    super('ABORT_ERR', `The operation was aborted: ${why}`);
  }
}

/** Whether an error is worth another attempt: throttling, 502/503/504, resets, timeouts. */
export function isRetryable(error: unknown): boolean {
  return (
    (error instanceof HuaweiCloudError ||
      error instanceof ResponseFormatError ||
      error instanceof NetworkError) &&
    error.retryable
  );
}

/** The job ended in a failed or cancelled phase. Carries the last state. */
export class JobFailedError extends JobGateError {
  override name = 'JobFailedError';
  readonly state: JobState;

  constructor(state: JobState) {
    const detail = state.message ? `: ${state.message}` : '';
    super(
      'JOBGATE_JOB_FAILED',
      `${describeJob(state)} ended ${state.phase} (status ${state.status})${detail}`,
    );
    this.state = state;
  }
}

/** The wait ran out of time. Carries the last state seen, if any was. */
export class WaitTimeoutError extends JobGateError {
  override name = 'WaitTimeoutError';
  readonly state: JobState | undefined;
  readonly timeoutMs: number;

  constructor(timeoutMs: number, state: JobState | undefined, what: string) {
    const last = state
      ? `last status ${state.status} (${state.phase}${state.progress !== undefined ? `, ${Math.round(state.progress * 100)}%` : ''})`
      : 'no state read yet';
    super(
      'JOBGATE_WAIT_TIMEOUT',
      `timed out after ${formatDuration(timeoutMs)} waiting for ${what}; ${last}`,
    );
    this.state = state;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A start whose outcome cannot be known: the request may have reached the service (a timeout, a reset,
 * a 5xx or a broken answer after it was sent), so it was not sent again, since a second start is a
 * second job. Look before starting again. Carries the failure as `cause`.
 */
export class StartOutcomeUnknownError extends JobGateError {
  override name = 'StartOutcomeUnknownError';
  readonly kind: string;

  constructor(kind: string, title: string, cause: JobGateError) {
    super(
      'JOBGATE_START_OUTCOME_UNKNOWN',
      `the ${title} start may have reached the service, so it was not sent again (a second start would start a second job); check whether it started before starting it again: ${cause.message}`,
      { cause },
    );
    this.kind = kind;
  }
}

/**
 * The job had to be stopped (the wait was aborted or timed out) and the stop failed: the job may still
 * be running. `cause` is the stop's failure; `reason` is why it had to be stopped, which stays the
 * verdict.
 */
export class StopFailedError extends JobGateError {
  override name = 'StopFailedError';
  readonly reason: JobGateError;
  readonly ref: Record<string, unknown>;

  constructor(ref: Record<string, unknown> & { kind: string }, reason: JobGateError, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'JOBGATE_STOP_FAILED',
      `${reason.message}; stopping ${describeJob({ kind: ref.kind, ref })} failed, so it may still be running: ${why}`,
      { cause },
    );
    this.reason = reason;
    this.ref = ref;
  }
}

export function describeJob(state: Pick<JobState, 'kind' | 'ref'>): string {
  const ids = Object.entries(state.ref)
    .filter(([k, v]) => k !== 'kind' && v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  return `${state.kind} job ${ids}`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  // Measured durations are fractional (performance.now()): shown in whole milliseconds.
  if (s < 60) return ms < 1000 ? `${Math.round(ms)} ms` : `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
}
