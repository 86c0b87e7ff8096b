import { type RedactOptions, redactor } from './redact.js';

/**
 * The one bound on what the library keeps of a server's answer. No field a
 * service documents is nested more than a few levels deep, so anything deeper
 * than MAX_DEPTH is replaced by a marker, and a value is walked at most
 * MAX_NODES nodes (the body cap bounds an answer's size already). Every string
 * and key is redacted on the way. What comes out is plain JSON data that any
 * face can clone, serialise or print without running out of stack.
 */
export const MAX_DEPTH = 32;
export const MAX_NODES = 200_000;
export const TOO_DEEP = '[omitted: nested too deep]';
export const TOO_MANY = '[omitted: too many values]';

export interface BoundOptions extends RedactOptions {
  maxDepth?: number;
  maxNodes?: number;
}

/**
 * A copy of `value` as plain JSON data: depth- and node-bounded, every string
 * redacted; functions, symbols and undefined dropped, bigints as strings,
 * non-finite numbers as null, cycles cut.
 */
export function boundValue(value: unknown, options: BoundOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? MAX_DEPTH;
  let budget = options.maxNodes ?? MAX_NODES;
  const seen = new Set<object>();
  const redactText = (s: string) => redactor.redact(s, options);

  const walk = (v: unknown, depth: number): unknown => {
    if (--budget < 0) return TOO_MANY;
    switch (typeof v) {
      case 'string':
        return redactText(v);
      case 'number':
        return Number.isFinite(v) ? v : null;
      case 'boolean':
        return v;
      case 'bigint':
        return String(v);
      case 'object': {
        if (v === null) return null;
        if (depth >= maxDepth) return TOO_DEEP;
        if (seen.has(v)) return '[omitted: circular]';
        seen.add(v);
        try {
          if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1) ?? null);
          if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
          const out: Record<string, unknown> = {};
          for (const [key, item] of Object.entries(v)) {
            const next = walk(item, depth + 1);
            // defineProperty, not assignment: a "__proto__" member stays a plain field, never a prototype.
            if (next !== undefined)
              Object.defineProperty(out, redactText(key), {
                value: next,
                enumerable: true,
                writable: true,
                configurable: true,
              });
          }
          return out;
        } finally {
          seen.delete(v);
        }
      }
      default:
        return undefined;
    }
  };
  return walk(value, 0);
}

/**
 * `boundValue` for what `JSON.parse` just made (plain objects, arrays, strings, numbers, booleans and
 * null, no cycles, nothing shared): the same bounds and redaction, but a part that needs no change is
 * kept as it is rather than copied, so an answer with nothing to hide is not rebuilt. Only for values
 * nothing else holds: the result shares what did not change with `parsed`.
 */
export function boundParsed(parsed: unknown, options: BoundOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? MAX_DEPTH;
  let budget = options.maxNodes ?? MAX_NODES;

  const walk = (v: unknown, depth: number): unknown => {
    if (--budget < 0) return TOO_MANY;
    if (typeof v === 'string') return redactor.redact(v, options);
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v !== 'object' || v === null) return v;
    if (depth >= maxDepth) return TOO_DEEP;
    if (Array.isArray(v)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const item = v[i];
        const next = walk(item, depth + 1);
        if (next !== item) {
          copy ??= v.slice(0, i);
          copy[i] = next;
        } else if (copy) copy[i] = item;
      }
      return copy ?? v;
    }
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record);
    let copy: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const item = record[key];
      const next = walk(item, depth + 1);
      const safeKey = redactor.redact(key, options);
      if (!copy && (next !== item || safeKey !== key)) {
        copy = {};
        for (let j = 0; j < i; j++) define(copy, keys[j] as string, record[keys[j] as string]);
      }
      if (copy) define(copy, safeKey, next);
    }
    return copy ?? record;
  };
  return walk(parsed, 0);
}

/** defineProperty, not assignment: a "__proto__" member stays a plain field, never a prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * JSON text of any value that never throws and never exceeds `maxLength`
 * characters: bounded and redacted first; an over-long result is replaced by
 * `fallback(value)` if given (e.g. the value without its raw answer), else cut
 * off with a marker (no longer valid JSON, said so).
 */
export function safeStringify(
  value: unknown,
  options: BoundOptions & { maxLength?: number; fallback?: (value: unknown) => unknown } = {},
): string {
  const text = JSON.stringify(boundValue(value, options)) ?? 'null';
  const max = options.maxLength ?? Number.POSITIVE_INFINITY;
  if (text.length <= max) return text;
  if (options.fallback) {
    const smaller = JSON.stringify(boundValue(options.fallback(value), options)) ?? 'null';
    if (smaller.length <= max) return smaller;
  }
  return `${text.slice(0, Math.max(0, max - 40))}… [cut: ${text.length} characters in all]`;
}
