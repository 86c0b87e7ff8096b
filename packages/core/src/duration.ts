import { InputError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads a duration the way workflow authors write one: `90s`, `30m`, `1h30m`,
 * `2h`, `500ms`, or a bare number of seconds. Anything else is an InputError
 * naming the field.
 */
const EXPECTED = 'expected a positive duration such as 30m, 90s, 1h30m or a number of seconds such as 30';

export function parseDuration(field: string, value: string | number): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value > 0) return Math.round(value * 1000);
    throw new InputError(field, `${EXPECTED}, got ${value}`);
  }
  const text = value.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text) && Number(text) > 0) return Math.round(Number(text) * 1000);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const total = parts.reduce((sum, [, n, unit]) => sum + Number(n) * (UNIT_MS[unit ?? ''] ?? 0), 0);
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text || total <= 0) {
    throw new InputError(field, `${EXPECTED}, got ${JSON.stringify(value)}`);
  }
  return Math.round(total);
}
