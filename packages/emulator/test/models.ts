/**
 * Checks a JSON answer field by field against a response model in the notation of
 * official-sdk-models.json: `str`, `int`, `float`, `bool`, `object`, `list[T]`, `dict(str, T)`, or
 * `{ $type, $fields }` for an object (a list of them when `$type` is `list[...]`). documented-models.json
 * uses the same notation, and marks with a trailing `!` (or `$required`) the fields the page's example
 * sends.
 */
import { readFileSync } from 'node:fs';

export type FieldSpec = string | { $type: string; $fields: Fields; $required?: boolean };
export type Fields = Record<string, FieldSpec>;

export interface ApiModel {
  response: Fields;
}

export function loadModels(file: string): Record<string, ApiModel> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8'));
}

export interface CheckOptions {
  /** Report fields marked required (`!`, `$required`) that the answer lacks. */
  requireMarked?: boolean;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isRequired(spec: FieldSpec): boolean {
  return typeof spec === 'string' ? spec.endsWith('!') : spec.$required === true;
}

/** Every way `value` departs from the model's fields, one line each, as `path: problem`. */
export function checkFields(
  value: unknown,
  fields: Fields,
  path = '$',
  options: CheckOptions = {},
): string[] {
  if (!isPlainObject(value)) return [`${path}: expected an object, got ${JSON.stringify(value)}`];
  const issues: string[] = [];
  for (const [key, field] of Object.entries(value)) {
    const spec = fields[key];
    if (spec === undefined) issues.push(`${path}.${key}: not in the model`);
    else issues.push(...checkValue(field, spec, `${path}.${key}`, options));
  }
  if (options.requireMarked) {
    for (const [key, spec] of Object.entries(fields)) {
      if (isRequired(spec) && !(key in value)) issues.push(`${path}.${key}: missing`);
    }
  }
  return issues;
}

function checkValue(value: unknown, spec: FieldSpec, path: string, options: CheckOptions): string[] {
  // Every SDK treats null as absent; the pages' examples send null for unset fields.
  if (value === null) return [];
  if (typeof spec !== 'string') {
    if (!spec.$type.startsWith('list[')) return checkFields(value, spec.$fields, path, options);
    if (!Array.isArray(value)) return [`${path}: expected a list, got ${JSON.stringify(value)}`];
    return value.flatMap((item, i) => checkFields(item, spec.$fields, `${path}[${i}]`, options));
  }
  const type = spec.replace(/!$/, '');
  const list = /^list\[(.+)\]$/.exec(type);
  if (list) {
    if (!Array.isArray(value)) return [`${path}: expected ${type}, got ${JSON.stringify(value)}`];
    return value.flatMap((item, i) => checkValue(item, list[1] as string, `${path}[${i}]`, options));
  }
  const dict = /^dict\(str, (.+)\)$/.exec(type);
  if (dict) {
    if (!isPlainObject(value)) return [`${path}: expected ${type}, got ${JSON.stringify(value)}`];
    return Object.entries(value).flatMap(([k, v]) =>
      checkValue(v, dict[1] as string, `${path}.${k}`, options),
    );
  }
  const ok: Record<string, (v: unknown) => boolean> = {
    str: (v) => typeof v === 'string',
    int: (v) => Number.isInteger(v),
    float: (v) => typeof v === 'number' && Number.isFinite(v),
    bool: (v) => typeof v === 'boolean',
    object: () => true,
  };
  const test = ok[type];
  if (!test) throw new Error(`${path}: the model's type ${spec} is not understood`);
  return test(value) ? [] : [`${path}: expected ${type}, got ${JSON.stringify(value)}`];
}
