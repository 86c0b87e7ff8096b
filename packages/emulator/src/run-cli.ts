import { CliUsageError, parseCliArgs, USAGE } from './cli-args.js';
import { describeJob } from './responses.js';
import { ScenarioError } from './scenario.js';
import { startEmulator } from './server.js';

/** Where the command line's text goes: the emulator's own binary writes to the process, `jobgate emulator` through its sink. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * The emulator's command line: starts it, prints its banner, logs requests,
 * and stops on SIGINT/SIGTERM (exit 0). Resolves with an exit code when it
 * does not start (help 0, bad arguments or scenario 2); once it runs, the
 * process ends with it.
 */
export async function runEmulatorCli(
  argv: readonly string[],
  io: CliIo = processIo,
  name = 'jobgate-emulator',
): Promise<number | undefined> {
  let options: ReturnType<typeof parseCliArgs>;
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`${name}: ${error.message}\n\n${USAGE.replace(/jobgate-emulator/g, name)}`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    io.stdout(USAGE.replace(/jobgate-emulator/g, name));
    return 0;
  }
  // Without --seed, request ids and fault draws differ from run to run; the banner names the seed to replay one.
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);

  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({
      host: options.host,
      port: options.port,
      scenario: options.scenario,
      timeScale: options.timeScale,
      seed,
      requestLogSize: options.requestLogSize,
      ...(options.dialect ? { dialect: options.dialect } : {}),
      onRequest: options.quiet
        ? undefined
        : (e) =>
            io.stdout(
              `${e.time} ${e.method} ${e.path}${e.query ? `?${e.query}` : ''} -> ${e.status || 'dropped'}${
                e.errorCode ? ` ${e.errorCode}` : ''
              }${e.fault ? ` [${e.fault}]` : ''}\n`,
            ),
    });
  } catch (error) {
    if (error instanceof ScenarioError) {
      io.stderr(`${name}: ${error.message}\n`);
      return 2;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      io.stderr(`${name}: cannot listen on ${options.host}:${options.port} (${code})\n`);
      return 2;
    }
    throw error;
  }

  // Handlers go in before the banner: whoever reads the banner may signal at once.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    io.stdout(`\n${signal}: stopping\n`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        io.stderr(`${name}: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const { scenario } = emulator;
  const lines = [
    `JobGate emulator listening on ${emulator.url}`,
    `  time scale ${options.timeScale}, seed ${seed}${options.seed === undefined ? ' (pass --seed to replay)' : ''}, dialect ${emulator.dialect}`,
    '',
    // These are the emulator's own published test keys, printed so that a user can point a client at it.
    'Accepted credentials (AK/SK signing):',
    ...scenario.credentials.map(
      (c) =>
        `  access key ${c.accessKey}  secret key ${c.secretKey}  project ${c.projectId}${
          c.securityToken ? `  security token ${c.securityToken}` : ''
        }`,
    ),
    ...(scenario.tokens?.length
      ? [
          'Accepted IAM tokens (X-Auth-Token):',
          ...scenario.tokens.map((t) => `  ${t.token}  project ${t.projectId}`),
        ]
      : []),
    '',
    'Jobs:',
    ...scenario.jobs.map((job) => `  ${describeJob(job)}`),
    '',
    `Every service's endpoint is ${emulator.url}; admin API under ${emulator.url}/__emulator/ (POST ${emulator.url}/__emulator/reset restarts every job). Ctrl-C stops.`,
    '',
  ];
  io.stdout(lines.join('\n'));
  return undefined;
}
