import { JobFailedError, type JobKind, runJob, StopFailedError, WaitTimeoutError } from '@jobgate/core';
import {
  CONNECTION_OPTIONS,
  fieldOptions,
  kindOf,
  type Options,
  OUTPUT_OPTIONS,
  parseCommand,
  startFlags,
  startSpecOf,
  stopFlags,
  stopOptionsOf,
  usageOf,
  WAIT_OPTIONS,
  waitSettingsOf,
} from '../args.js';
import { type Command, clientOf } from '../context.js';
import { EXIT, type ExitCode, exitCodeOfError, UsageError } from '../exit-codes.js';
import { commandHelp, optionLines, startKinds } from '../help.js';
import * as out from '../output.js';
import { type Job, modeOf, newJob, Reporter } from '../report.js';
import { endText, passText, showWaitEvent } from '../waits.js';

const ABOUT =
  'Starts a job, waits until it finishes (or, with --until running, runs) and exits with its verdict. On Ctrl-C, or on --timeout with --stop-on-timeout, it stops the job first and says so.';

const RUN_OPTIONS: Options = {
  'stop-on-timeout': {
    type: 'boolean',
    help: 'stop the job when the wait times out (Ctrl-C always stops it)',
  },
};

const EXAMPLES = [
  '  jobgate run dli-sql --sql-file q.sql --queue default --timeout 30m',
  "  jobgate run dli-sql 'INSERT INTO dws.daily SELECT * FROM ods.orders' --stop-on-timeout --timeout 1h",
  '  jobgate run dli-flink 104 --resume-savepoint --until running',
  '  jobgate run cdm 6ec9a0a4-76be-4262-8697-e7af1fac7920 jdbc2hive --variables day=2026-12-01',
];

export function runHelp(): string {
  return commandHelp('jobgate run <kind> <start fields...> [options]', ABOUT, [
    ['Job kinds and what starts a job (see jobgate run <kind> --help)', startKinds()],
    ['Options', optionLines({ ...RUN_OPTIONS, ...WAIT_OPTIONS, ...OUTPUT_OPTIONS, ...CONNECTION_OPTIONS })],
    ['Examples', EXAMPLES],
  ]);
}

function kindHelp(kind: JobKind): string {
  const stop = stopFlags(kind);
  return commandHelp(`jobgate run ${kind.name} ${usageOf(startFlags(kind))} [options]`, kind.description, [
    ['Start', optionLines(fieldOptions(startFlags(kind)))],
    ...(stop.length
      ? [['Stop (on Ctrl-C or timeout)', optionLines(fieldOptions(stop))] as [string, string[]]]
      : []),
    ['Options', optionLines({ ...RUN_OPTIONS, ...WAIT_OPTIONS, ...OUTPUT_OPTIONS, ...CONNECTION_OPTIONS })],
  ]);
}

/** What a run's end says about the stop: the verdict names a job that was stopped. */
const stoppedNote = ' (the job was stopped)';

export const run: Command = async (argv, ctx) => {
  if (argv[0] === '--help' || argv[0] === '-h' || argv.length === 0) {
    out.block(runHelp());
    return EXIT.ok;
  }
  const kind = kindOf('run', argv[0]);
  if (!kind.start) throw new UsageError(`<kind>: a ${kind.title} cannot be started`);
  const options = {
    ...RUN_OPTIONS,
    ...WAIT_OPTIONS,
    ...OUTPUT_OPTIONS,
    ...CONNECTION_OPTIONS,
    ...fieldOptions(startFlags(kind)),
    ...fieldOptions(stopFlags(kind)),
  };
  const { values, positionals } = parseCommand('run', argv.slice(1), options);
  if (values.help) {
    out.block(kindHelp(kind));
    return EXIT.ok;
  }
  // Everything is checked before anything starts.
  const spec = startSpecOf(kind, values, positionals);
  const stop = stopOptionsOf(kind, values);
  const settings = waitSettingsOf(values);
  const client = clientOf(values, ctx);
  const mode = modeOf(values);
  let job: Job | undefined;
  let reporter: Reporter | undefined;
  let stopped = false;
  try {
    const state = await runJob(client, spec, {
      until: settings.until,
      timeoutMs: settings.timeoutMs,
      intervalMs: settings.intervalMs,
      maxIntervalMs: settings.maxIntervalMs,
      signal: ctx.signal,
      stopOnTimeout: values['stop-on-timeout'] === true,
      stop,
      onUpdate: (event) => {
        if (event.type === 'started') {
          job = newJob(event.ref);
          reporter = new Reporter(mode, [job]);
          reporter.note(job, 'started', `started ${job.label}`);
          reporter.start();
        } else if (!job || !reporter) return;
        else if (event.type === 'stopping') {
          const why = event.reason === 'abort' ? 'interrupted' : 'the wait timed out';
          reporter.note(job, 'stopping', `stopping ${job.label}: ${why}`, { reason: event.reason });
        } else if (event.type === 'stopped') {
          stopped = true;
          reporter.note(job, 'stopped', `stopped ${job.label}: the service accepted the stop`);
        } else showWaitEvent(reporter, job)(event);
      },
    });
    if (job && reporter) reporter.end(job, EXIT.ok, passText(job, state));
    return EXIT.ok;
  } catch (error) {
    // Nothing started (a refused start, a bad answer): the command's error, as for any other command.
    if (!job || !reporter) throw error;
    if (error instanceof JobFailedError || error instanceof WaitTimeoutError)
      job.state = error.state ?? job.state;
    const code: ExitCode = exitCodeOfError(error);
    const text =
      error instanceof StopFailedError
        ? `${job.label}: ${error.message}`
        : `${endText(job, settings.until, error)}${stopped ? stoppedNote : ''}`;
    reporter.end(job, code, text, stopped || error instanceof StopFailedError ? { stopped } : {});
    return code;
  } finally {
    reporter?.finish();
    await client.close();
  }
};
