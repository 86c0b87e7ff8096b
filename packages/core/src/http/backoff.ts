export interface BackoffPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 20_000 };

/**
 * Capped exponential backoff with "equal jitter": half the step is fixed so
 * that retries never pile up at zero, half is random so that many clients
 * throttled at once do not come back in step.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Huawei advises waiting 2 to 5 seconds after an APIG.0308 throttling answer
 * that carries no Retry-After.
 */
export function throttleDelay(random: () => number = Math.random): number {
  return Math.round(2000 + random() * 3000);
}

/** Retry-After as seconds or as an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
