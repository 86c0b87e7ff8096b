import { fieldsOf, JOB_KINDS, type JobKind } from '@jobgate/core';
import { flagOf, type Options, startFlags, usageOf, usageOfIdentity } from './args.js';
import { EXIT_CODE_HELP } from './exit-codes.js';

/** Options as help lines: `  --timeout DURATION   give up after …`. */
export function optionLines(options: Options): string[] {
  const heads = Object.entries(options).map(
    ([name, o]) => `  ${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`,
  );
  const width = Math.max(...heads.map((h) => h.length)) + 2;
  return Object.values(options).map((o, i) => `${(heads[i] ?? '').padEnd(width)}${o.help}`);
}

/** Every job kind and how a job of it is named: from the job-kind table, so a new kind shows up here. */
export function kindLines(): string[] {
  return JOB_KINDS.map((k) => {
    const kind = k as unknown as JobKind;
    return `  ${kind.name.padEnd(18)} ${usageOfIdentity(kind).padEnd(44)} ${kind.title}`;
  });
}

/** Every job kind that can be started and what starts one: from the job-kind table, like kindLines. */
export function startKinds(): string[] {
  return (JOB_KINDS as unknown as JobKind[])
    .filter((kind) => kind.start)
    .map((kind) => `  ${kind.name.padEnd(18)} ${usageOf(startFlags(kind))}`);
}

export function identityHelp(kind: JobKind): string[] {
  return fieldsOf(kind).map(
    (f) =>
      `  ${`${flagOf(f.key)} ${f.label.toUpperCase().replace(/\s+/g, '_')}`.padEnd(26)}${f.description}${f.required ? '' : ' (optional)'}`,
  );
}

export const COMMANDS = [
  ['status <kind> <identity...>', 'read a job once and print its state'],
  ['wait <kind> <identity...>', 'wait until the job finishes (or runs) and exit with its verdict'],
  ['watch --file jobs.yaml', 'wait on many jobs at once, on one client; exit with the worst verdict'],
  ['watch <kind> <identity>...', 'the same, for several jobs of one kind named on the command line'],
  ['run <kind> <start fields...>', 'start a job, wait on it, and stop it on Ctrl-C (or on a timeout)'],
  ['stop <kind> <identity...>', 'stop a job'],
  ['list flink [filters]', 'list DLI Flink jobs, every page'],
  ['emulator [options]', 'run the local emulator of the Huawei Cloud job APIs'],
] as const;

export function mainHelp(version: string): string {
  return [
    `jobgate ${version}: wait on Huawei Cloud data jobs (DLI, DataArts Studio Factory, CDM)`,
    '',
    'Usage: jobgate <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map(([c, h]) => `  jobgate ${c.padEnd(30)} ${h}`),
    '',
    'Job kinds and how a job is named (positionally, or with the flags of its fields):',
    ...kindLines(),
    '',
    'Examples:',
    '  jobgate status dli-flink 104',
    '  jobgate wait dli-sql 3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60 --timeout 30m',
    '  jobgate wait cdm --cluster-id 6ec9a0a4-76be-4262-8697-e7af1fac7920 --job-name jdbc2hive',
    '  jobgate watch --file jobs.yaml --until running',
    '  jobgate run dli-sql --sql-file q.sql --queue default --stop-on-timeout --timeout 30m',
    '  jobgate stop dli-flink 104 --trigger-savepoint',
    '  jobgate list flink --status job_running',
    '  jobgate emulator --time-scale 10',
    '',
    'Credentials, region, project and endpoint come from flags or the environment',
    '(HUAWEI_CLOUD_ACCESS_KEY_ID, HUAWEI_CLOUD_SECRET_ACCESS_KEY, HUAWEI_CLOUD_REGION, HUAWEI_CLOUD_PROJECT_ID,',
    'then HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_SECURITY_TOKEN, HUAWEICLOUD_SDK_PROJECT_ID;',
    'JOBGATE_ENDPOINT for one endpoint). See jobgate <command> --help.',
    '',
    'Output: a live line per job on a terminal, one line per change otherwise, --json for one JSON event',
    'per line, --quiet for the verdict only. Colours only on a terminal and never with NO_COLOR.',
    '',
    EXIT_CODE_HELP,
    '',
  ].join('\n');
}

export function commandHelp(usage: string, about: string, sections: [string, string[]][]): string {
  return [
    `Usage: ${usage}`,
    '',
    about,
    ...sections.flatMap(([title, lines]) => ['', `${title}:`, ...lines]),
    '',
    EXIT_CODE_HELP,
    '',
  ].join('\n');
}
