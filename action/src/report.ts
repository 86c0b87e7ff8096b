import {
  type DetailTable,
  describeJob,
  fieldsOf,
  formatDuration,
  getJobKind,
  type JobState,
  startFieldsOf,
} from '@jobgate/core';
import { markdownText } from './output.js';

export function percent(progress: number | undefined): string {
  return progress === undefined ? '' : `${Math.round(progress * 100)}%`;
}

/** One log line for a state: `RUNNING (running, 42%): message`. */
export function stateLine(state: JobState): string {
  const extra = [state.phase, percent(state.progress)].filter(Boolean).join(', ');
  return `${state.status || '(no status)'} (${extra})${state.message ? `: ${state.message}` : ''}`;
}

// Every cell may hold a server's or a user's words: inert Markdown, one line (lines kept as <br> where asked).
const cell = (value: unknown, multiline = false) => markdownText(value, { multiline });

function table(columns: readonly string[], rows: readonly (readonly unknown[])[], multiline = false): string {
  return [
    `| ${columns.map((c) => cell(c)).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map((c) => cell(c, multiline)).join(' | ')} |`),
  ].join('\n');
}

/** Statement lines shown in the log and the summary; the rest is counted. */
const SHOWN_LINES = 10;
const SHOWN_ITEMS = 20;

const SECRET_WORD = String.raw`(?:[\w.-]*(?:pass(?:word|wd)?|pwd|secret|token|credential|private[_.-]?key|access[_.-]?key)[\w.-]*|ak|sk)`;
/** A secret-looking value in a statement: `'password'='…'`, `secret_key = "…"`, `IDENTIFIED BY '…'`. */
const SECRET_IN_TEXT = new RegExp(
  String.raw`((?:\b${SECRET_WORD}\b['"\x60]?\s*(?:=>|=|:)\s*)|(?:\bidentified\s+by\s+))('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*"|[^\s,;)'"]+)`,
  'gi',
);
const SECRET_NAME = new RegExp(`^${SECRET_WORD}$`, 'i');

/** A statement or a setting as shown: values that look like secrets masked (learned secrets are redacted later). */
export function maskSecretLooking(text: string): string {
  return text.replace(SECRET_IN_TEXT, (_all, lead: string, value: string) => {
    const quote = /^['"]/.test(value) ? value[0] : '';
    return `${lead}${quote}***${quote}`;
  });
}

function pairs(value: unknown): string[] {
  const pair = (name: string, v: unknown) =>
    `${name}=${SECRET_NAME.test(name) ? '***' : maskSecretLooking(String(v))}`;
  if (Array.isArray(value))
    return value.map((item) =>
      typeof item === 'object' && item !== null && 'name' in item
        ? pair(String((item as { name: unknown }).name), (item as { value?: unknown }).value)
        : maskSecretLooking(String(item)),
    );
  if (typeof value === 'object' && value !== null) return Object.entries(value).map(([k, v]) => pair(k, v));
  return maskSecretLooking(String(value)).split(/\r?\n/);
}

function capped(lines: string[], max: number, unit: string): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max), `… (${lines.length - max} more ${unit})`];
}

/**
 * What a start was given beyond the job's identity, field by field, as the kind's start spec labels it:
 * the statement's first lines, each setting or parameter; secret-looking values masked.
 */
export function startDetails(spec: Record<string, unknown>): { label: string; lines: string[] }[] {
  const kind = getJobKind(String(spec.kind));
  const identity = new Set(fieldsOf(kind).map((f) => f.key));
  return startFieldsOf(kind)
    .filter((f) => !identity.has(f.key) && spec[f.key] !== undefined)
    .map((f) => {
      const value = spec[f.key];
      const lines =
        typeof value === 'string'
          ? capped(maskSecretLooking(value).split(/\r?\n/), SHOWN_LINES, 'lines')
          : capped(pairs(value), SHOWN_ITEMS, 'entries');
      return { label: f.label, lines };
    });
}

export interface SummaryInput {
  kind: string;
  ref: Record<string, unknown> | undefined;
  mode: 'wait' | 'run' | 'start';
  /** What started the job, in `run` and `start` modes. */
  spec?: Record<string, unknown> | undefined;
  /** Which step stopped the job it started, if one did. */
  stoppedBy?: string | undefined;
  /** Where the requests went: the region, or the endpoint given instead (see ActionConfig.region). */
  region: string | undefined;
  state: JobState | undefined;
  verdict: 'passed' | 'failed';
  reason: string;
  durationMs: number;
  requests: number;
}

/**
 * A table's heading: a table read before the final status (a finished DLI SQL job lists no
 * sub-jobs, so the last ones seen are shown) says so, with how long before it was read.
 */
function detailTitle(table: DetailTable, state: JobState): string {
  const then = Date.parse(table.observedAt ?? '');
  const now = Date.parse(state.observedAt);
  if (!(then < now)) return table.title;
  return `${table.title}, last seen ${formatDuration(now - then)} before the final status ${state.status}`;
}

/** The job summary: what was waited on, how it ended, and the kind's own tables. */
export function renderSummary(input: SummaryInput): string {
  const { state } = input;
  const icon = input.verdict === 'passed' ? '✅' : '❌';
  const where = input.region ?? '';
  const rows: [string, string][] = [
    ['Job', input.ref ? describeJob({ kind: input.kind, ref: input.ref }) : '(not started)'],
    ['Kind', input.kind],
    ...(input.mode === 'wait' ? [] : ([['Mode', input.mode]] as [string, string][])),
    ...(input.stoppedBy ? ([['Stopped', `by the ${input.stoppedBy}`]] as [string, string][]) : []),
    /^https?:\/\//.test(where) ? ['Endpoint', where] : ['Region', where || '—'],
    ['Status', state?.status ?? '(not read)'],
    ['Phase', state?.phase ?? '(not read)'],
    ['Progress', percent(state?.progress) || '—'],
    ['Waited', formatDuration(input.durationMs)],
    ['Requests made', String(input.requests)],
    ['Last message', state?.message ?? '—'],
  ];
  const started = input.spec
    ? [
        `\n### Started with\n\n${table(
          ['', ''],
          startDetails(input.spec).map((d) => [d.label, d.lines.join('\n')]),
          true,
        )}\n`,
      ]
    : [];
  const details = (state?.details ?? []).map(
    (d: DetailTable) =>
      `\n### ${markdownText(state ? detailTitle(d, state) : d.title)}\n\n${table(d.columns, d.rows)}\n`,
  );
  return [
    `## ${icon} JobGate: ${markdownText(input.reason)}`,
    '',
    table(['', ''], rows),
    ...started,
    ...details,
    '',
  ].join('\n');
}

/**
 * A line at most once a minute while nothing changes, so that a long wait
 * shows it is alive without filling the log.
 */
export class Heartbeat {
  readonly #everyMs: number;
  #last: number;

  constructor(everyMs = 60_000, now = Date.now()) {
    this.#everyMs = everyMs;
    this.#last = now;
  }

  /** Something was logged at `now`: the next heartbeat is a full period away. */
  logged(now: number): void {
    this.#last = now;
  }

  /** Whether a heartbeat is due at `now`; if so, it counts as logged. */
  due(now: number): boolean {
    if (now - this.#last < this.#everyMs) return false;
    this.#last = now;
    return true;
  }
}
