#!/usr/bin/env node
import { runEmulatorCli } from './run-cli.js';

runEmulatorCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`jobgate-emulator: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
