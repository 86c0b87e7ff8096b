import { getJobState, type JobState } from '@jobgate/core';
import {
  CONNECTION_OPTIONS,
  identityOf,
  identityOptions,
  kindOf,
  OUTPUT_OPTIONS,
  parseCommand,
  usageOfIdentity,
} from '../args.js';
import { type Command, clientOf } from '../context.js';
import { exitCodeOfPhase } from '../exit-codes.js';
import { commandHelp, identityHelp, kindLines, optionLines } from '../help.js';
import * as out from '../output.js';
import { modeOf, newJob, percent, stateFields, stateText, table } from '../report.js';

const USAGE = 'jobgate status <kind> <identity...> [options]';

export function statusHelp(): string {
  return commandHelp(USAGE, 'Reads a job once and prints its state as a short table.', [
    ['Job kinds', kindLines()],
    ['Options', optionLines({ ...OUTPUT_OPTIONS, ...CONNECTION_OPTIONS })],
    ['Example', ['  jobgate status cdm 6ec9a0a4-76be-4262-8697-e7af1fac7920 jdbc2hive']],
    [
      'Exit code',
      [
        '  0 when the read worked and the job is pending, running or succeeded; 1 failed or cancelled; 4 unknown',
      ],
    ],
  ]);
}

/** The state as rows: what the job is, where it stands, and the kind's own tables. */
export function stateRows(label: string, state: JobState): string[] {
  const lines = table(
    [
      ['job', label],
      ['status', state.status || '(no status)'],
      ['phase', state.phase],
      ...(state.progress !== undefined ? [['progress', percent(state.progress)]] : []),
      ...(state.message ? [['message', state.message]] : []),
      ['read at', state.observedAt],
    ].map((row) => row),
  );
  for (const detail of state.details ?? []) {
    lines.push('', `${detail.title}:`, ...table([detail.columns, ...detail.rows]).map((l) => `  ${l}`));
  }
  return lines;
}

export const status: Command = async (argv, ctx) => {
  if (argv[0] === '--help' || argv[0] === '-h' || argv.length === 0) {
    out.block(statusHelp());
    return 0;
  }
  const kind = kindOf('status', argv[0]);
  const { values, positionals } = parseCommand('status', argv.slice(1), {
    ...OUTPUT_OPTIONS,
    ...CONNECTION_OPTIONS,
    ...identityOptions(kind),
  });
  if (values.help) {
    out.block(
      commandHelp(`jobgate status ${kind.name} ${usageOfIdentity(kind)} [options]`, kind.description, [
        ['Identity', identityHelp(kind)],
        ['Options', optionLines({ ...OUTPUT_OPTIONS, ...CONNECTION_OPTIONS })],
      ]),
    );
    return 0;
  }
  const ref = identityOf(kind, values, positionals);
  const job = newJob(ref);
  const mode = modeOf(values);
  const client = clientOf(values, ctx);
  try {
    const state = await getJobState(client, ref, { signal: ctx.signal });
    const code = exitCodeOfPhase(state.phase);
    if (mode === 'json') {
      out.json({ type: 'state', job: job.label, kind: job.kind, ref: job.ref, ...stateFields(state) });
      out.json({
        type: 'verdict',
        job: job.label,
        kind: job.kind,
        ref: job.ref,
        exitCode: code,
        phase: state.phase,
        status: state.status,
        message: `${job.label}: ${stateText(state)}`,
      });
    } else if (mode === 'quiet') out.line(`${job.label}: ${stateText(state)}`);
    else for (const l of stateRows(job.label, state)) out.line(l);
    return code;
  } finally {
    await client.close();
  }
};
