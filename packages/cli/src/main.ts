import { createRequire } from 'node:module';
import { InputError } from '@jobgate/core';
import { learnSecrets } from './args.js';
import type { Command } from './context.js';
import { EXIT, type ExitCode, exitCodeOfError, UsageError } from './exit-codes.js';
import { mainHelp } from './help.js';
import * as out from './output.js';

/** Each command loads what it needs when it runs: the emulator and the YAML reader only for their commands. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  status: async () => (await import('./commands/status.js')).status,
  wait: async () => (await import('./commands/wait.js')).wait,
  watch: async () => (await import('./commands/watch.js')).watch,
  run: async () => (await import('./commands/run.js')).run,
  stop: async () => (await import('./commands/stop.js')).stop,
  list: async () => (await import('./commands/list.js')).list,
  emulator: async () => (await import('./commands/emulator.js')).emulator,
};

export const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** Runs one command line; resolves with the exit code. */
export async function main(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): Promise<ExitCode> {
  learnSecrets(argv, env);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.block(mainHelp(VERSION));
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    out.line(VERSION);
    return EXIT.ok;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    out.problem(
      `${JSON.stringify(name)}: not a command; expected one of ${Object.keys(COMMANDS).join(', ')} (see jobgate --help)`,
    );
    return EXIT.usage;
  }
  // Ctrl-C (or the CI runner's SIGTERM) ends the waits at once; a second Ctrl-C ends the process.
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort(new Error(`received ${signal}`));
  };
  if (name !== 'emulator') {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    const command = await load();
    return await command(rest, { env, signal: controller.signal });
  } catch (error) {
    const code = exitCodeOfError(error);
    const message =
      error instanceof UsageError || error instanceof InputError
        ? `${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    if (rest.includes('--json')) out.json({ type: 'error', exitCode: code, message });
    out.problem(code === EXIT.usage ? `${message} (see jobgate ${name} --help)` : message);
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
