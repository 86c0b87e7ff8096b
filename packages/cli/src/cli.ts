#!/usr/bin/env node
import { main } from './main.js';
import * as out from './output.js';

main(process.argv.slice(2), process.env).then(
  // Exits only once the output has been read: the summary is the last line a pipe sees, never lost.
  (code) => out.flush().then(() => process.exit(code)),
  (error: unknown) => {
    out.problem(`failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
    return out.flush().then(() => process.exit(1));
  },
);
