import { z } from 'zod';
import { lazySchema } from './lazy-schema.js';

// Plain decimal notation only: the services send ids, counters and epoch-ms
// timestamps as digit strings, never in exponent or hex form.
const DECIMAL = /^-?\d+(\.\d+)?$/;

const quote = (value: string): string => JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);

/**
 * The one reading of DLI's `is_success`, for the transport's failure check
 * and every schema alike. The Flink examples (seeds 000, 001) send the string
 * "true", the SQL progress example (seed 002) a boolean, and the tables
 * document a Boolean: so `true` and the string "true" (any case, padded) are
 * success. Every other value present (false, "false" however padded or cased,
 * 0, "no", "", a number, an object) is failure: a flag that is not clearly
 * true never lets an answer pass. Missing (or null) is "absent": a failure
 * only where the page makes the field mandatory, which the schema enforces.
 */
export type SuccessFlag = 'success' | 'failure' | 'absent';

export function readSuccessFlag(value: unknown): SuccessFlag {
  if (value === undefined || value === null) return 'absent';
  if (value === true) return 'success';
  if (typeof value === 'string' && value.trim().toLowerCase() === 'true') return 'success';
  return 'failure';
}

const flagIssue = (value: unknown) =>
  `expected is_success true or "true", got ${value === undefined ? 'nothing' : quote(JSON.stringify(value) ?? String(value))}`;

/** A mandatory `is_success`: true only when clearly true; missing or null is a malformed answer. */
export const successFlag = lazySchema(() =>
  z.unknown().transform((value, ctx): boolean => {
    const flag = readSuccessFlag(value);
    if (flag === 'absent') {
      ctx.addIssue({ code: 'custom', message: flagIssue(value) });
      return z.NEVER;
    }
    return flag === 'success';
  }),
);

/** An optional `is_success`: undefined when absent, else true only when clearly true. */
export const optionalSuccessFlag = lazySchema(() =>
  z
    .unknown()
    .transform((value): boolean | undefined => {
      const flag = readSuccessFlag(value);
      return flag === 'absent' ? undefined : flag === 'success';
    })
    .optional(),
);

/**
 * Other DLI booleans (checkpoint_enabled, has_savepoint, …) arrive as
 * booleans or as "true"/"false" strings; they decide nothing.
 */
export const booleanish = lazySchema(() =>
  z
    .union([z.boolean(), z.string()], { error: 'expected a boolean or the string "true" or "false"' })
    .transform((value, ctx) => {
      if (typeof value === 'boolean') return value;
      const normalized = value.trim().toLowerCase();
      if (normalized === 'true') return true;
      if (normalized === 'false') return false;
      ctx.addIssue({
        code: 'custom',
        message: `expected a boolean or the string "true" or "false", got ${quote(value)}`,
      });
      return z.NEVER;
    }),
);

/**
 * CDM documents Long/Integer/Float fields but its own example sends
 * `"creation-date": "1536905778725"` (seed 004), so any number a Huawei
 * service returns may arrive as a decimal string. Precision above 2^53 is
 * lost; no documented field comes near it.
 */
export const numberish = lazySchema(() =>
  z
    .union([z.number(), z.string()], { error: 'expected a number or a numeric string' })
    .transform((value, ctx) => {
      if (typeof value === 'number') return value;
      const trimmed = value.trim();
      if (DECIMAL.test(trimmed)) return Number(trimmed);
      ctx.addIssue({
        code: 'custom',
        message: `expected a number or a string holding a decimal number, got ${quote(value)}`,
      });
      return z.NEVER;
    }),
);

/**
 * Timestamps. DLI sends epoch-ms numbers and `null` for a job that never
 * started (seed 000); CDM sends epoch-ms as strings (seed 004); DataArts
 * "may be epoch-ms numbers or strings" (reference section 3) and DLI SQL
 * sub-jobs send Java `Date.toString()` text such as
 * "Mon Jul 27 17:24:03 CST 2020" (seed 002). Numeric strings become numbers;
 * any other non-empty string is kept as sent rather than guessed at.
 */
export const epochMillis = lazySchema(() =>
  z
    .union([z.number(), z.string(), z.null()], {
      error: 'expected an epoch-ms number, a date string or null',
    })
    .transform((value, ctx) => {
      if (value === null || typeof value === 'number') return value;
      const trimmed = value.trim();
      if (DECIMAL.test(trimmed)) return Number(trimmed);
      if (trimmed !== '') return value;
      ctx.addIssue({ code: 'custom', message: 'expected an epoch-ms number, a date string or null, got ""' });
      return z.NEVER;
    }),
);
