import { FlinkJobListFilter, getJobKind, phaseOf } from '@jobgate/core';
import type { z } from 'zod';
import { CONNECTION_OPTIONS, flagOf, type Options, OUTPUT_OPTIONS, parseCommand, string } from '../args.js';
import { type Command, clientOf } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { commandHelp, optionLines } from '../help.js';
import * as out from '../output.js';
import { modeOf, table } from '../report.js';

/** Paging is the command's business (every page is read), not a filter. */
const PAGING = new Set(['offset', 'limit']);

type FieldType = 'string' | 'number' | 'boolean' | 'enum';

/** The list API's documented filters, read from its schema: a filter the API gains is a flag here. */
function filters(): { key: string; flag: string; type: FieldType; choices?: readonly string[] }[] {
  return Object.entries(FlinkJobListFilter.shape)
    .filter(([key]) => !PAGING.has(key))
    .map(([key, schema]) => {
      const inner = (schema as z.ZodOptional).unwrap() as z.ZodType & { options?: readonly string[] };
      const type = inner.def.type as FieldType;
      return {
        key,
        flag: flagOf(key).slice(2),
        type,
        ...(type === 'enum' ? { choices: inner.options } : {}),
      };
    });
}

function filterOptions(): Options {
  return Object.fromEntries(
    filters().map((f) => [
      f.flag,
      f.type === 'boolean'
        ? { type: 'boolean' as const, help: `the API's ${f.key} filter` }
        : {
            type: 'string' as const,
            value: f.type === 'number' ? 'N' : 'VALUE',
            help: f.choices ? `one of ${f.choices.join(', ')}` : `the API's ${f.key} filter`,
          },
    ]),
  );
}

export function listHelp(): string {
  return commandHelp(
    'jobgate list flink [filters] [options]',
    'Lists DLI Flink jobs, newest first, reading every page (at most 100 jobs a page).',
    [
      ['Filters', optionLines(filterOptions())],
      ['Options', optionLines({ ...OUTPUT_OPTIONS, ...CONNECTION_OPTIONS })],
      ['Example', ['  jobgate list flink --status job_running --name orders']],
    ],
  );
}

const flink = getJobKind('dli-flink');

export const list: Command = async (argv, ctx) => {
  if (argv[0] === '--help' || argv[0] === '-h' || argv.length === 0) {
    out.block(listHelp());
    return EXIT.ok;
  }
  if (argv[0] !== 'flink')
    throw new UsageError(
      `${JSON.stringify(argv[0])}: jobgate list lists DLI Flink jobs: jobgate list flink [filters]`,
    );
  const { values, positionals } = parseCommand('list flink', argv.slice(1), {
    ...filterOptions(),
    ...OUTPUT_OPTIONS,
    ...CONNECTION_OPTIONS,
  });
  if (values.help) {
    out.block(listHelp());
    return EXIT.ok;
  }
  if (positionals.length)
    throw new UsageError(`${JSON.stringify(positionals[0])}: unexpected argument; filters are flags`);
  const filter: Record<string, unknown> = {};
  for (const f of filters()) {
    const value = values[f.flag];
    if (value === undefined) continue;
    if (f.type === 'boolean') filter[f.key] = value === true;
    else if (f.type === 'number') {
      const text = string(values, f.flag) ?? '';
      if (!/^-?\d+$/.test(text.trim()))
        throw new UsageError(`--${f.flag}: expected an integer, got ${JSON.stringify(text)}`);
      filter[f.key] = Number(text);
    } else if (f.choices && !f.choices.includes(String(value)))
      throw new UsageError(
        `--${f.flag}: expected one of ${f.choices.join(', ')}, got ${JSON.stringify(value)}`,
      );
    else filter[f.key] = value;
  }
  const mode = modeOf(values);
  const client = clientOf(values, ctx);
  try {
    const rows: unknown[][] = [['job id', 'name', 'status', 'phase', 'queue', 'created']];
    let count = 0;
    for await (const job of client.dli.listAllFlinkJobs(filter, { signal: ctx.signal })) {
      count++;
      const phase = phaseOf(flink, job.status);
      const created =
        typeof job.create_time === 'number' ? new Date(job.create_time).toISOString() : undefined;
      if (mode === 'json')
        out.json({
          type: 'job',
          jobId: job.job_id,
          name: job.name,
          status: job.status,
          phase,
          queueName: job.queue_name,
          ...(created ? { createdAt: created } : {}),
        });
      else rows.push([job.job_id, job.name, job.status, phase, job.queue_name, created]);
    }
    const summary = `${count} Flink job${count === 1 ? '' : 's'}`;
    if (mode === 'json')
      out.json({ type: 'summary', exitCode: EXIT.ok, jobs: count, requests: client.transport.requestCount });
    else if (mode === 'quiet') out.line(summary);
    else {
      if (count) for (const l of table(rows)) out.line(l);
      out.line(summary);
    }
    return EXIT.ok;
  } finally {
    await client.close();
  }
};
