import {
  CONNECTION_OPTIONS,
  identityOf,
  identityOptions,
  kindOf,
  OUTPUT_OPTIONS,
  parseCommand,
  usageOfIdentity,
  WAIT_OPTIONS,
  waitSettingsOf,
} from '../args.js';
import { type Command, clientOf } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { commandHelp, identityHelp, kindLines, optionLines } from '../help.js';
import * as out from '../output.js';
import { modeOf, newJob, Reporter } from '../report.js';
import { runWaits } from '../waits.js';

const ABOUT =
  'Waits until the job finishes (or, with --until running, runs), showing its state as it changes, and exits with its verdict.';

export function waitHelp(): string {
  return commandHelp('jobgate wait <kind> <identity...> [options]', ABOUT, [
    ['Job kinds', kindLines()],
    ['Options', optionLines({ ...WAIT_OPTIONS, ...OUTPUT_OPTIONS, ...CONNECTION_OPTIONS })],
    [
      'Examples',
      [
        '  jobgate wait dli-sql 3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60 --timeout 30m',
        '  jobgate wait dli-flink --job-id 104 --until running --timeout 15m',
      ],
    ],
  ]);
}

export const wait: Command = async (argv, ctx) => {
  if (argv[0] === '--help' || argv[0] === '-h' || argv.length === 0) {
    out.block(waitHelp());
    return EXIT.ok;
  }
  const kind = kindOf('wait', argv[0]);
  const options = { ...WAIT_OPTIONS, ...OUTPUT_OPTIONS, ...CONNECTION_OPTIONS, ...identityOptions(kind) };
  const { values, positionals } = parseCommand('wait', argv.slice(1), options);
  if (values.help) {
    out.block(
      commandHelp(`jobgate wait ${kind.name} ${usageOfIdentity(kind)} [options]`, kind.description, [
        ['Identity', identityHelp(kind)],
        ['Options', optionLines({ ...WAIT_OPTIONS, ...OUTPUT_OPTIONS, ...CONNECTION_OPTIONS })],
      ]),
    );
    return EXIT.ok;
  }
  const ref = identityOf(kind, values, positionals);
  const settings = waitSettingsOf(values);
  const client = clientOf(values, ctx);
  const job = newJob(ref);
  const reporter = new Reporter(modeOf(values), [job]);
  try {
    const [code] = await runWaits(
      client,
      [{ job, ref, until: settings.until }],
      settings,
      reporter,
      ctx.signal,
    );
    reporter.finish();
    return code ?? EXIT.service;
  } finally {
    await client.close();
  }
};
