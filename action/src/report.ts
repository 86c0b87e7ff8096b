import { type DetailTable, describeJob, formatDuration, type JobState } from '@jobgate/core';
import { markdownText } from './output.js';

export function percent(progress: number | undefined): string {
  return progress === undefined ? '' : `${Math.round(progress * 100)}%`;
}

/** One log line for a state: `RUNNING (running, 42%): message`. */
export function stateLine(state: JobState): string {
  const extra = [state.phase, percent(state.progress)].filter(Boolean).join(', ');
  return `${state.status || '(no status)'} (${extra})${state.message ? `: ${state.message}` : ''}`;
}

// Every cell may hold a server's words: inert Markdown, one line.
const cell = (value: unknown) => markdownText(value);

function table(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [
    `| ${columns.map(cell).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

export interface SummaryInput {
  kind: string;
  ref: Record<string, unknown>;
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
    ['Job', describeJob({ kind: input.kind, ref: input.ref })],
    ['Kind', input.kind],
    /^https?:\/\//.test(where) ? ['Endpoint', where] : ['Region', where || '—'],
    ['Status', state?.status ?? '(not read)'],
    ['Phase', state?.phase ?? '(not read)'],
    ['Progress', percent(state?.progress) || '—'],
    ['Waited', formatDuration(input.durationMs)],
    ['Requests made', String(input.requests)],
    ['Last message', state?.message ?? '—'],
  ];
  const details = (state?.details ?? []).map(
    (d: DetailTable) =>
      `\n### ${markdownText(state ? detailTitle(d, state) : d.title)}\n\n${table(d.columns, d.rows)}\n`,
  );
  return [
    `## ${icon} JobGate: ${markdownText(input.reason)}`,
    '',
    table(['', ''], rows),
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
