import { stopJob } from '@jobgate/core';
import {
  CONNECTION_OPTIONS,
  fieldOptions,
  identityOf,
  identityOptions,
  kindOf,
  OUTPUT_OPTIONS,
  parseCommand,
  stopFlags,
  stopOptionsOf,
  usageOfIdentity,
} from '../args.js';
import { type Command, clientOf } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { commandHelp, kindLines, optionLines } from '../help.js';
import * as out from '../output.js';
import { modeOf, newJob, Reporter } from '../report.js';

const ABOUT =
  'Stops a job (cancels a SQL statement, stops a Flink, DataArts or CDM job) and exits 0 once the service has accepted the stop; the job then passes through its stopping states.';

export function stopHelp(): string {
  return commandHelp('jobgate stop <kind> <identity...> [options]', ABOUT, [
    ['Job kinds', kindLines()],
    ['Options', optionLines({ ...OUTPUT_OPTIONS, ...CONNECTION_OPTIONS })],
    [
      'Examples',
      [
        '  jobgate stop dli-sql 3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60',
        '  jobgate stop dli-flink 104 --trigger-savepoint',
      ],
    ],
  ]);
}

export const stop: Command = async (argv, ctx) => {
  if (argv[0] === '--help' || argv[0] === '-h' || argv.length === 0) {
    out.block(stopHelp());
    return EXIT.ok;
  }
  const kind = kindOf('stop', argv[0]);
  if (!kind.stop) throw new UsageError(`<kind>: a ${kind.title} cannot be stopped`);
  const { values, positionals } = parseCommand('stop', argv.slice(1), {
    ...OUTPUT_OPTIONS,
    ...CONNECTION_OPTIONS,
    ...identityOptions(kind),
    ...fieldOptions(stopFlags(kind)),
  });
  if (values.help) {
    const stopOptions = stopFlags(kind);
    out.block(
      commandHelp(`jobgate stop ${kind.name} ${usageOfIdentity(kind)} [options]`, kind.description, [
        ['Identity', optionLines(identityOptions(kind))],
        ...(stopOptions.length
          ? [['Stop', optionLines(fieldOptions(stopOptions))] as [string, string[]]]
          : []),
        ['Options', optionLines({ ...OUTPUT_OPTIONS, ...CONNECTION_OPTIONS })],
      ]),
    );
    return EXIT.ok;
  }
  const ref = identityOf(kind, values, positionals);
  const options = stopOptionsOf(kind, values);
  const client = clientOf(values, ctx);
  const job = newJob(ref);
  const reporter = new Reporter(modeOf(values), [job]);
  try {
    await stopJob(client, { ...ref, ...options }, { signal: ctx.signal });
    reporter.end(job, EXIT.ok, `${job.label}: stopped (the service accepted the stop)`, { stopped: true });
    reporter.finish();
    return EXIT.ok;
  } finally {
    await client.close();
  }
};
