import type { Command } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import * as out from '../output.js';

/**
 * The emulator, from the same binary: one command serves the docs, the demo
 * and users' own pipelines. Runs until Ctrl-C; returns only when it did not start.
 */
export const emulator: Command = async (argv) => {
  const { runEmulatorCli } = await import('@jobgate/emulator');
  const code = await runEmulatorCli(argv, out.emulatorIo, 'jobgate emulator');
  if (code === undefined) return new Promise<ExitCode>(() => {});
  return code === 0 ? EXIT.ok : EXIT.usage;
};
