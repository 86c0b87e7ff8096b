import { describeJob, formatDuration, type JobRef, type JobState, oneLine } from '@jobgate/core';
import { EXIT, type ExitCode } from './exit-codes.js';
import * as out from './output.js';

/**
 * How a command shows its jobs: `live` redraws a line per job in place (a
 * terminal), `lines` prints one line per change (CI logs, pipes), `json` one
 * JSON event per line, `quiet` only the verdict.
 */
export type Mode = 'live' | 'lines' | 'json' | 'quiet';

export function modeOf(values: { json?: unknown; quiet?: unknown }): Mode {
  if (values.json === true) return 'json';
  if (values.quiet === true) return 'quiet';
  return out.isTerminal() ? 'live' : 'lines';
}

export interface Job {
  kind: string;
  ref: Record<string, unknown>;
  /** `dli-sql job jobId=…`: how messages name the job. */
  label: string;
  state?: JobState;
  /** Set when the job's wait has ended. */
  ended?: { code: ExitCode; text: string };
  startedAt: number;
  endedAt?: number;
}

export function newJob(ref: JobRef): Job {
  const { kind, ...fields } = ref as Record<string, unknown> & { kind: string };
  return { kind, ref: fields, label: describeJob({ kind, ref: fields }), startedAt: performance.now() };
}

export const percent = (progress: number | undefined): string =>
  progress === undefined ? '' : `${Math.round(progress * 100)}%`;

/** `RUNNING (running, 42%): message`. */
export function stateText(state: JobState): string {
  const extra = [state.phase, percent(state.progress)].filter(Boolean).join(', ');
  return `${state.status || '(no status)'} (${extra})${state.message ? `: ${state.message}` : ''}`;
}

const elapsedOf = (job: Job) => (job.endedAt ?? performance.now()) - job.startedAt;

const BAR = 10;
function bar(progress: number): string {
  const filled = Math.round(progress * BAR);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}`;
}

function styleOfPhase(job: Job): out.Style {
  if (job.ended)
    return job.ended.code === EXIT.ok ? 'green' : job.ended.code === EXIT.failed ? 'red' : 'yellow';
  switch (job.state?.phase) {
    case 'running':
      return 'cyan';
    case 'unknown':
      return 'yellow';
    default:
      return 'dim';
  }
}

function symbolOf(job: Job): string {
  if (job.ended) return job.ended.code === EXIT.ok ? '✓' : '✗';
  return job.state?.phase === 'running' ? '▶' : '…';
}

/** How a live line names a job: its kind and identity, as `jobgate watch` takes them (`cdm <cluster-id>/<job-name>`). */
export function shortLabel(job: Job): string {
  return `${job.kind} ${Object.values(job.ref)
    .filter((v) => v !== undefined && v !== '')
    .map(String)
    .join('/')}`;
}

/** Text cut in the middle to `max` characters: both ends of an id stay readable. */
function middle(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.ceil((max - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (max - 1 - head))}`;
}

/** Room a live line keeps after the job's name: status, bar, percent, elapsed time. */
const TAIL = 34;

/** One job's live line: symbol, job, status (coloured by phase), progress bar, elapsed time. */
function liveLine(job: Job, labelWidth: number): out.Part[] {
  const s = job.state;
  const style = styleOfPhase(job);
  const label = middle(shortLabel(job), labelWidth).padEnd(labelWidth);
  const parts: out.Part[] = [out.paint(style, symbolOf(job)), ` ${label}  `];
  if (!s) parts.push(out.paint('dim', 'reading…'));
  else {
    parts.push(out.paint(style, s.status || '(no status)'));
    if (s.progress !== undefined) parts.push(` ${bar(s.progress)} ${percent(s.progress).padStart(4)}`);
  }
  parts.push(out.paint('dim', `  ${formatDuration(Math.round(elapsedOf(job)))}`));
  if (job.ended && job.ended.code !== EXIT.ok) parts.push(`  ${job.ended.text}`);
  else if (s?.message) parts.push(out.paint('dim', `  ${s.message}`));
  return parts;
}

/** The verdict line of one job. */
export function verdictLine(job: Job): out.Part[] {
  const ended = job.ended;
  if (!ended) return [job.label];
  const ok = ended.code === EXIT.ok;
  return [
    out.paint(ok ? 'green' : ended.code === EXIT.failed ? 'red' : 'yellow', ok ? '✓' : '✗'),
    ` ${ended.text}`,
  ];
}

/** Shows jobs as their waits progress, in the chosen mode. */
export class Reporter {
  readonly #mode: Mode;
  readonly #jobs: Job[];
  #ticker: NodeJS.Timeout | undefined;

  constructor(mode: Mode, jobs: Job[]) {
    this.#mode = mode;
    this.#jobs = jobs;
  }

  get mode(): Mode {
    return this.#mode;
  }

  start(): void {
    if (this.#mode !== 'live') return;
    this.#draw();
    // The elapsed time moves on between reads.
    this.#ticker = setInterval(() => this.#draw(), 1000);
    this.#ticker.unref();
  }

  state(job: Job, state: JobState, elapsedMs: number): void {
    job.state = state;
    switch (this.#mode) {
      case 'json':
        out.json({ type: 'state', ...this.#identity(job), ...stateFields(state), elapsedMs });
        break;
      case 'lines':
        out.line(`${job.label}: ${stateText(state)}`);
        break;
      case 'live':
        this.#draw();
        break;
    }
  }

  transient(job: Job, message: string, consecutive: number, budget: number, elapsedMs: number): void {
    if (this.#mode === 'json')
      out.json({ type: 'transient-error', ...this.#identity(job), message, consecutive, budget, elapsedMs });
    else if (this.#mode !== 'quiet')
      out.line(
        out.paint('yellow', 'warning'),
        ` ${job.label}: transient error ${consecutive}/${budget + 1}, will retry: ${message}`,
      );
  }

  /**
   * A step of a job's run besides its states (`started`, `stopping`, `stopped`): a JSON event, or a
   * line above the live area; nothing with --quiet, where the verdict says it.
   */
  note(job: Job, type: string, text: string, fields: Record<string, unknown> = {}): void {
    if (this.#mode === 'json') out.json({ type, ...this.#identity(job), ...fields });
    else if (this.#mode !== 'quiet') out.line(text);
  }

  /** A job's wait ended; the verdict is printed at once except in the live area, which shows it in place. */
  end(job: Job, code: ExitCode, text: string, extra: Record<string, unknown> = {}): void {
    job.ended = { code, text };
    job.endedAt = performance.now();
    switch (this.#mode) {
      case 'json':
        out.json({
          type: 'verdict',
          ...this.#identity(job),
          exitCode: code,
          ...(job.state ? { phase: job.state.phase, status: job.state.status } : {}),
          message: text,
          elapsedMs: Math.round(elapsedOf(job)),
          ...extra,
        });
        break;
      case 'lines':
        out.line(...verdictLine(job));
        break;
      case 'quiet':
        // Many jobs: only the ones that did not pass; the summary follows.
        if (this.#jobs.length === 1 || code !== EXIT.ok) out.line(...verdictLine(job));
        break;
      case 'live':
        this.#draw();
        break;
    }
  }

  /** Stops redrawing; a single job's verdict, or a summary of many, closes the output. */
  finish(summary?: { text: string; code: ExitCode; fields: Record<string, unknown> }): void {
    if (this.#ticker) clearInterval(this.#ticker);
    if (this.#mode === 'live') {
      this.#draw();
      out.endArea();
      if (this.#jobs.length === 1 && this.#jobs[0]?.ended) out.line(...verdictLine(this.#jobs[0]));
    }
    if (!summary) return;
    if (this.#mode === 'json') out.json({ type: 'summary', exitCode: summary.code, ...summary.fields });
    else
      out.line(
        out.paint(
          summary.code === EXIT.ok ? 'green' : summary.code === EXIT.failed ? 'red' : 'yellow',
          summary.code === EXIT.ok ? '✓' : '✗',
        ),
        ` ${summary.text}`,
      );
  }

  #identity(job: Job) {
    return { job: job.label, kind: job.kind, ref: job.ref };
  }

  /** The live area: every job while they fit the terminal, else the ones still going and a count of the rest. */
  #draw(): void {
    const room = Math.max(3, out.terminalRows() - 2);
    let shown = this.#jobs;
    let rest: Job[] = [];
    if (shown.length > room) {
      const ordered = [...this.#jobs.filter((j) => !j.ended), ...this.#jobs.filter((j) => j.ended)];
      shown = ordered.slice(0, room - 1);
      rest = ordered.slice(room - 1);
    }
    const longest = Math.max(...shown.map((j) => shortLabel(j).length));
    const width = Math.max(12, Math.min(longest, out.terminalColumns() - TAIL));
    const lines = shown.map((j) => liveLine(j, width));
    if (rest.length) {
      const ended = rest.filter((j) => j.ended).length;
      lines.push([
        out.paint('dim', `… and ${rest.length} more (${ended} ended, ${rest.length - ended} still waiting)`),
      ]);
    }
    out.drawArea(lines);
  }
}

/** A state's fields for a JSON event (without the raw answer, which can be large). */
export function stateFields(state: JobState): Record<string, unknown> {
  return {
    phase: state.phase,
    status: state.status,
    ...(state.progress !== undefined ? { progress: state.progress } : {}),
    ...(state.message !== undefined ? { message: state.message } : {}),
    observedAt: state.observedAt,
  };
}

/** Columns padded to their widest cell; every cell neutralised first, so widths are what is shown. */
export function table(rows: readonly (readonly unknown[])[]): string[] {
  const cells = rows.map((row) =>
    row.map((c) => oneLine(c === null || c === undefined ? '—' : String(c), 200)),
  );
  const widths: number[] = [];
  for (const row of cells)
    row.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  return cells.map((row) =>
    row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '),
  );
}
