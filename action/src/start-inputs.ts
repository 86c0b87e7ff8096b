import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InputError } from '@jobgate/core';

/** A schema as far as telling its form needs: what it accepts. */
interface Probe {
  safeParse(value: unknown): { success: boolean };
}

/**
 * How a field of a start spec or stop options is written as an Action input (always text): as it is,
 * `true`/`false`, one `key=value` per line, or a YAML or JSON object of name: value. Read from what the
 * kind's own schema accepts, so that a new field of any kind gets its form without naming it here.
 */
export type FieldForm = 'text' | 'boolean' | 'lines' | 'mapping';

export function fieldForm(spec: { shape: Record<string, unknown> }, key: string): FieldForm {
  const schema = spec.shape[key] as Probe | undefined;
  if (!schema) return 'text';
  const accepts = (value: unknown) => schema.safeParse(value).success;
  if (accepts(['name=value'])) return 'lines';
  if (accepts({ name: 'value' })) return 'mapping';
  if (accepts(true) && !accepts('some text')) return 'boolean';
  return 'text';
}

/** How action.yml describes each form. */
export const FORM_HINTS: Record<FieldForm, string> = {
  text: '',
  boolean: ' (`true` or `false`)',
  lines: ' (one `key=value` per line)',
  mapping: ' (a YAML or JSON object of name: value, such as `date: 2024-06-01` on each line)',
};

const YAML_BUNDLE = '../yaml/index.js';
const loadYaml = (): Promise<typeof import('./yaml.js')> => import(/* webpackIgnore: true */ YAML_BUNDLE);

const MAPPING = 'expected a YAML or JSON object of name: value';

/** Scalars become text (YAML reads `10` as a number, the services take text); the schema judges the rest. */
function asText(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
    ? String(value)
    : value;
}

async function mappingOf(name: string, text: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  if (text.startsWith('{')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new InputError(name, `${MAPPING}; it starts with { but is not valid JSON`);
    }
  } else {
    // Only a step that passes YAML loads the parser, from beside the step's bundle.
    const { parseDocument } = await loadYaml();
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    const error = doc.errors[0];
    if (error)
      throw new InputError(
        name,
        `${MAPPING}; it is not valid YAML (line ${error.linePos?.[0]?.line ?? '?'})`,
      );
    parsed = doc.toJS();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InputError(name, `${MAPPING}, such as "date: 2024-06-01" on each line`);
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, asText(v)]));
}

/** An input's text as the value its field takes. */
export async function fieldValue(name: string, form: FieldForm, text: string): Promise<unknown> {
  switch (form) {
    case 'lines':
      return text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '');
    case 'mapping':
      return mappingOf(name, text);
    case 'boolean':
      if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
      throw new InputError(name, `expected true or false, got ${JSON.stringify(text)}`);
    default:
      return text;
  }
}

/** A statement from a file, relative to the workspace: the error names `sql_file` and what went wrong. */
export function readSqlFile(path: string, workspace: string): string {
  const full = isAbsolute(path) ? path : resolve(workspace, path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : (code ?? 'it cannot be read');
    throw new InputError(
      'sql_file',
      `expected a file in the workspace holding the statement: ${why} (${full})`,
    );
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\ufffd') && !bytes.includes(Buffer.from('\ufffd')))
    throw new InputError('sql_file', `expected a UTF-8 text file, got bytes that are not UTF-8 (${full})`);
  return text.replace(/^\ufeff/, '');
}
