// `pnpm bench`: every benchmark in turn, one markdown table, and the figures as JSON under
// bench/results/ (<name>.json each, summary.json for the whole table). One at a time: each measures
// time or memory, and two at once would disturb each other.
//
//   node bench/run.mjs                 all of them
//   node bench/run.mjs soak economy    only those named
//   node bench/run.mjs --strict        exit 1 when a target is missed
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runEconomy } from './economy.mjs';
import { formatTable, resultsDir, writeResult } from './lib.mjs';
import { runScale } from './scale.mjs';
import { runSigning } from './signing.mjs';
import { runSoak } from './soak.mjs';
import { runStartup } from './startup.mjs';

const BENCHMARKS = {
  startup: runStartup,
  signing: runSigning,
  soak: runSoak,
  economy: runEconomy,
  scale: runScale,
};

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const named = args.filter((a) => !a.startsWith('--'));
for (const name of named) {
  if (!(name in BENCHMARKS)) {
    console.error(`unknown benchmark ${name}; expected one of ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exit(2);
  }
}
const chosen = named.length ? named : Object.keys(BENCHMARKS);

const results = [];
const started = performance.now();
for (const name of chosen) {
  const t = performance.now();
  process.stderr.write(`bench: ${name}…`);
  try {
    const result = await BENCHMARKS[name]();
    writeResult(result);
    results.push(result);
  } catch (error) {
    // A benchmark that cannot finish is a figure too: it goes into the table as a failed row.
    results.push({
      name,
      rows: [
        {
          figure: 'ran to the end',
          value: String(error?.message ?? error).split('\n')[0],
          target: 'yes',
          pass: false,
        },
      ],
    });
  }
  process.stderr.write(` ${Math.round((performance.now() - t) / 1000)} s\n`);
}

const rows = results.flatMap((r) => r.rows);
const targets = rows.filter((r) => r.pass !== undefined && r.pass !== null);
const met = targets.filter((r) => r.pass).length;
const table = formatTable(results);
console.log(table);
console.log(
  `\n${met} of ${targets.length} targets met; ${Math.round((performance.now() - started) / 1000)} s (Node ${process.version}, results in bench/results/)`,
);

mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  join(resultsDir, 'summary.json'),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, met, targets: targets.length, results: results.map(({ name, rows: r }) => ({ name, rows: r })), table }, null, 2)}\n`,
);
if (strict && met < targets.length) process.exitCode = 1;
