import { parseArgs } from 'node:util';
import { type Dialect, DialectSchema } from './scenario.js';
import { DEFAULT_REQUEST_LOG_SIZE } from './state.js';

export interface CliOptions {
  host: string;
  port: number;
  scenario: string | undefined;
  timeScale: number;
  /** Undefined: a fresh seed each run. */
  seed: number | undefined;
  requestLogSize: number;
  /** Undefined: the scenario's dialect, else `sdk`. */
  dialect: Dialect | undefined;
  quiet: boolean;
  help: boolean;
}

/** Thrown for arguments the CLI cannot use; the CLI prints the message and exits 2. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

export const USAGE = `Usage: jobgate-emulator [options]

A local stand-in for the Huawei Cloud job APIs (DLI, DataArts Studio Factory, CDM).

Options:
  --host HOST         address to listen on (default 127.0.0.1)
  --port N            port to listen on; 0 picks a free one (default 0)
  --scenario FILE     scenario JSON file (default: the packaged scenarios/default.json)
  --time-scale X      emulator time runs X times faster than wall time (default 1)
  --seed N            seed for fault probabilities and request ids (default: a new one each run)
  --request-log-size N
                      requests the admin API's log keeps; older ones are dropped (default 10000)
  --dialect D         answer shapes: sdk (the official SDKs' models) or documented (the API
                      pages' examples); a job's own dialect wins (default: the scenario's, else sdk)
  --quiet             do not print a line per request
  -h, --help          show this help
`;

function number(
  name: string,
  raw: string | undefined,
  fallback: number,
  check: (n: number) => boolean,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) {
    throw new CliUsageError(`--${name}: invalid value "${raw}"`);
  }
  return value;
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        scenario: { type: 'string' },
        'time-scale': { type: 'string' },
        seed: { type: 'string' },
        'request-log-size': { type: 'string' },
        dialect: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const host = values.host as string | undefined;
  const dialect = values.dialect as string | undefined;
  if (dialect !== undefined && !DialectSchema.safeParse(dialect).success) {
    throw new CliUsageError(`--dialect: invalid value "${dialect}" (expected sdk or documented)`);
  }
  if (host !== undefined && host.trim() === '') throw new CliUsageError('--host: must not be empty');
  return {
    host: host ?? '127.0.0.1',
    port: number(
      'port',
      values.port as string | undefined,
      0,
      (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
    ),
    scenario: values.scenario as string | undefined,
    timeScale: number('time-scale', values['time-scale'] as string | undefined, 1, (n) => n > 0),
    seed:
      values.seed === undefined
        ? undefined
        : number('seed', values.seed as string | undefined, 1, (n) => Number.isInteger(n)),
    requestLogSize: number(
      'request-log-size',
      values['request-log-size'] as string | undefined,
      DEFAULT_REQUEST_LOG_SIZE,
      (n) => Number.isSafeInteger(n) && n >= 0,
    ),
    dialect: dialect as Dialect | undefined,
    quiet: values.quiet === true,
    help: values.help === true,
  };
}
