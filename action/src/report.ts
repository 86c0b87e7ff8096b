import { type DetailTable, describeJob, formatDuration, type JobState } from '@jobgate/core';

export function percent(progress: number | undefined): string {
  return progress === undefined ? '' : `${Math.round(progress * 100)}%`;
}

/** One log line for a state: `RUNNING (running, 42%): message`. */
export function stateLine(state: JobState): string {
  const extra = [state.phase, percent(state.progress)].filter(Boolean).join(', ');
  return `${state.status || '(no status)'} (${extra})${state.message ? `: ${state.message}` : ''}`;
}

const cell = (value: unknown) =>
  String(value ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');

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
  region: string | undefined;
  state: JobState | undefined;
  verdict: 'passed' | 'failed';
  reason: string;
  durationMs: number;
  requests: number;
}

/** The job summary: what was waited on, how it ended, and the kind's own tables. */
export function renderSummary(input: SummaryInput): string {
  const { state } = input;
  const icon = input.verdict === 'passed' ? '✅' : '❌';
  const rows: [string, string][] = [
    ['Job', describeJob({ kind: input.kind, ref: input.ref })],
    ['Kind', input.kind],
    ['Region', input.region ?? '(endpoint)'],
    ['Status', state?.status ?? '(not read)'],
    ['Phase', state?.phase ?? '(not read)'],
    ['Progress', percent(state?.progress) || '—'],
    ['Waited', formatDuration(input.durationMs)],
    ['Requests made', String(input.requests)],
    ['Last message', state?.message ?? '—'],
  ];
  const details = (state?.details ?? []).map(
    (d: DetailTable) => `\n### ${d.title}\n\n${table(d.columns, d.rows)}\n`,
  );
  return [`## ${icon} JobGate: ${input.reason}`, '', table(['', ''], rows), ...details, ''].join('\n');
}
