#!/usr/bin/env node
import { CliUsageError, parseCliArgs, USAGE } from './cli-args.js';
import { describeJob } from './responses.js';
import { ScenarioError } from './scenario.js';
import { startEmulator } from './server.js';

async function main(): Promise<void> {
  let options: ReturnType<typeof parseCliArgs>;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`jobgate-emulator: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }

  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({
      host: options.host,
      port: options.port,
      scenario: options.scenario,
      timeScale: options.timeScale,
      seed: options.seed,
      requestLogSize: options.requestLogSize,
      ...(options.dialect ? { dialect: options.dialect } : {}),
      onRequest: options.quiet
        ? undefined
        : (e) =>
            process.stdout.write(
              `${e.time} ${e.method} ${e.path}${e.query ? `?${e.query}` : ''} -> ${e.status || 'dropped'}${
                e.errorCode ? ` ${e.errorCode}` : ''
              }${e.fault ? ` [${e.fault}]` : ''}\n`,
            ),
    });
  } catch (error) {
    if (error instanceof ScenarioError) {
      process.stderr.write(`jobgate-emulator: ${error.message}\n`);
      process.exit(2);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      process.stderr.write(`jobgate-emulator: cannot listen on ${options.host}:${options.port} (${code})\n`);
      process.exit(2);
    }
    throw error;
  }

  // Handlers go in before the banner: whoever reads the banner may signal at once.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping\n`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`jobgate-emulator: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const { scenario } = emulator;
  const lines = [
    `JobGate emulator listening on ${emulator.url}`,
    `  time scale ${options.timeScale}, seed ${options.seed}, dialect ${emulator.dialect}`,
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
    `Every service's endpoint is ${emulator.url}; admin API under ${emulator.url}/__emulator/. Ctrl-C stops.`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`jobgate-emulator: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
