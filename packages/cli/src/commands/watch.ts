import { readFileSync } from 'node:fs';
import { fieldsOf, InputError, type JobRef, type WaitUntil } from '@jobgate/core';
import {
  CONNECTION_OPTIONS,
  checkRef,
  kindOf,
  type Options,
  OUTPUT_OPTIONS,
  parseCommand,
  positionalFields,
  readUntil,
  string,
  WAIT_OPTIONS,
  waitSettingsOf,
} from '../args.js';
import { type Command, clientOf } from '../context.js';
import { EXIT, type ExitCode, UsageError } from '../exit-codes.js';
import { commandHelp, kindLines, optionLines } from '../help.js';
import * as out from '../output.js';
import { type Job, modeOf, newJob, Reporter, stateText } from '../report.js';
import { runWaits, type WaitItem } from '../waits.js';

const WATCH_OPTIONS: Options = {
  file: {
    type: 'string',
    value: 'FILE',
    help: 'a YAML (or JSON) file listing the jobs: `jobs:` then one `- kind: …` entry per job',
  },
  ...WAIT_OPTIONS,
};

const FILE_EXAMPLE = [
  '  # jobs.yaml: each entry a kind and its identity fields (job_id, job_name, cluster_id, workspace);',
  '  # `until` applies to every job unless an entry sets its own.',
  '  until: running',
  '  jobs:',
  '    - kind: dli-flink',
  '      job_id: 10001',
  '    - kind: cdm',
  '      cluster_id: 6ec9a0a4-76be-4262-8697-e7af1fac7920',
  '      job_name: jdbc2hive',
  '      until: finished',
];

export function watchHelp(): string {
  return commandHelp(
    'jobgate watch --file jobs.yaml [options]\n       jobgate watch <kind> <identity>... [options]',
    [
      'Waits on many jobs at once, on one client (shared reads where a kind allows: many DLI Flink jobs',
      'are read through the job list; one request budget), with a live table on a terminal. Exits when',
      'every job has ended, with the highest exit code among them. With --until running it reports which',
      'streaming jobs are not running: a scheduled check. On the command line each <identity> names one',
      'job; where a kind needs several fields, join them with "/" in order (cdm: <cluster-id>/<job-name>).',
    ].join('\n'),
    [
      ['Job kinds', kindLines()],
      ['Options', optionLines({ ...WATCH_OPTIONS, ...OUTPUT_OPTIONS, ...CONNECTION_OPTIONS })],
      ['Jobs file', FILE_EXAMPLE],
      ['Example', ['  jobgate watch dli-flink 10001 10002 --until running --timeout 5m']],
    ],
  );
}

const camel = (key: string) => key.replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());

/** Reads the jobs file; every problem names the file, the entry and the field. */
export async function jobsOfFile(
  path: string,
  defaultUntil: WaitUntil,
): Promise<{ ref: JobRef; until: WaitUntil }[]> {
  const { parse: parseYaml } = await import('yaml');
  let data: unknown;
  try {
    data = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new UsageError(`--file: cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  const top = Array.isArray(data) ? { jobs: data } : data;
  if (typeof top !== 'object' || top === null || !Array.isArray((top as { jobs?: unknown }).jobs))
    throw new UsageError(`--file: ${path}: expected a list of jobs under "jobs:"`);
  const fileUntil = (top as { until?: unknown }).until;
  const until =
    fileUntil === undefined ? defaultUntil : readUntil(String(fileUntil), `--file: ${path}: until`);
  const entries = (top as { jobs: unknown[] }).jobs;
  if (entries.length === 0) throw new UsageError(`--file: ${path}: the list of jobs is empty`);
  return entries.map((entry, i) => {
    const where = `${path}: jobs[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new UsageError(`--file: ${where}: expected an entry with kind and identity fields`);
    const fields = Object.fromEntries(
      Object.entries(entry as Record<string, unknown>).map(([k, v]) => [camel(k), v]),
    );
    const kind = (() => {
      try {
        return kindOf('watch', typeof fields.kind === 'string' ? fields.kind : undefined);
      } catch (error) {
        throw new UsageError(`--file: ${where}.kind: ${(error as Error).message.replace(/^<kind>: /, '')}`);
      }
    })();
    const ref: Record<string, unknown> = { kind: kind.name };
    const known = new Set(fieldsOf(kind).map((f) => f.key));
    for (const [key, value] of Object.entries(fields)) {
      if (key === 'kind' || key === 'until') continue;
      if (!known.has(key))
        throw new UsageError(
          `--file: ${where}: ${key} is not a field of a ${kind.name} job; expected ${fieldsOf(kind)
            .map((f) => f.input)
            .join(', ')}`,
        );
      ref[key] = typeof value === 'number' ? value : String(value);
    }
    try {
      return {
        ref: checkRef(ref),
        until: fields.until === undefined ? until : readUntil(String(fields.until), `--file: ${where}.until`),
      };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const field = fieldsOf(kind).find((f) => `--${f.input.replace(/_/g, '-')}` === error.field);
      throw new UsageError(
        `--file: ${where}.${field?.input ?? error.field}: ${error.message.slice(error.field.length + 2)}`,
      );
    }
  });
}

/** `<kind> <identity>...`: one job per identity; several fields joined by "/". */
function jobsOfArgs(positionals: readonly string[], until: WaitUntil): { ref: JobRef; until: WaitUntil }[] {
  const kind = kindOf('watch', positionals[0]);
  const fields = positionalFields(kind);
  if (positionals.length < 2)
    throw new UsageError(
      `<identity>: expected at least one ${kind.name} job after the kind (${fields.map((f) => `<${f.input.replace(/_/g, '-')}>`).join('/')})`,
    );
  return positionals.slice(1).map((identity) => {
    const parts = identity.split('/');
    // The last field takes the rest: a job name may hold "/".
    const values = [...parts.slice(0, fields.length - 1), parts.slice(fields.length - 1).join('/')];
    if (parts.length < fields.length)
      throw new UsageError(
        `${JSON.stringify(identity)}: a ${kind.name} job is named ${fields.map((f) => `<${f.input.replace(/_/g, '-')}>`).join('/')}`,
      );
    const ref: Record<string, unknown> = { kind: kind.name };
    fields.forEach((f, i) => {
      ref[f.key] = values[i];
    });
    return { ref: checkRef(ref), until };
  });
}

function summaryOf(jobs: readonly Job[], items: readonly WaitItem[], code: ExitCode, requests: number) {
  const count = (c: ExitCode) => jobs.filter((j) => j.ended?.code === c).length;
  const allRunning = items.every((i) => i.until === 'running');
  const okWord = allRunning ? 'running' : items.some((i) => i.until === 'running') ? 'passed' : 'succeeded';
  const notOk = jobs.filter((j) => j.ended?.code !== EXIT.ok);
  const counts = {
    [okWord]: count(EXIT.ok),
    failed: count(EXIT.failed),
    'timed out': count(EXIT.timeout),
    'undocumented status': count(EXIT.unknown),
    'service error': count(EXIT.service),
    interrupted: count(EXIT.interrupted),
  };
  const said = Object.entries(counts)
    .filter(([word, n]) => n > 0 || word === okWord)
    .map(([word, n]) => `${n} ${word}`)
    .join(', ');
  const notRunning =
    allRunning && notOk.length
      ? `; not running: ${notOk.map((j) => (j.state ? `${j.label} (${stateText(j.state)})` : j.label)).join('; ')}`
      : '';
  return {
    code,
    text: `${jobs.length} job${jobs.length === 1 ? '' : 's'}: ${said}${notRunning}`,
    fields: {
      jobs: jobs.length,
      counts,
      ...(allRunning ? { notRunning: notOk.map((j) => j.label) } : {}),
      requests,
    },
  };
}

export const watch: Command = async (argv, ctx) => {
  const { values, positionals } = parseCommand('watch', argv, {
    ...WATCH_OPTIONS,
    ...OUTPUT_OPTIONS,
    ...CONNECTION_OPTIONS,
  });
  if (values.help || argv.length === 0) {
    out.block(watchHelp());
    return EXIT.ok;
  }
  const settings = waitSettingsOf(values);
  const file = string(values, 'file');
  if (file && positionals.length)
    throw new UsageError(
      `${JSON.stringify(positionals[0])}: name the jobs either in --file or on the command line, not both`,
    );
  const specs = file ? await jobsOfFile(file, settings.until) : jobsOfArgs(positionals, settings.until);
  const client = clientOf(values, ctx);
  const items: WaitItem[] = specs.map(({ ref, until }) => ({ job: newJob(ref), ref, until }));
  const jobs = items.map((i) => i.job);
  const reporter = new Reporter(modeOf(values), jobs);
  try {
    const codes = await runWaits(client, items, settings, reporter, ctx.signal);
    const worst = Math.max(EXIT.ok, ...codes) as ExitCode;
    reporter.finish(summaryOf(jobs, items, worst, client.transport.requestCount));
    return worst;
  } finally {
    await client.close();
  }
};
