#!/usr/bin/env node
import { main } from './main.js';
import * as out from './output.js';

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    out.problem(`failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
