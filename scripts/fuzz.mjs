// `pnpm fuzz`: the trust fuzz of packages/core/test/fuzz.test.ts, as long as you like.
//   pnpm fuzz -- --runs 100000 [--seed N] [--family wait:cdm] [--path 12:0:1] [--margin 250]
// JOBGATE_FUZZ_RUNS and JOBGATE_FUZZ_SEED work too. Without a seed, one is drawn and printed.
// Ends with one line: answers fuzzed, wrong verdicts, untyped errors, hangs (and the shrunk
// counterexample of each failing family, with how to replay it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2).filter((a) => a !== '--');
const options = {};
for (let i = 0; i < args.length; i++) {
  const match = /^--(runs|seed|family|path|margin)(?:=(.*))?$/.exec(args[i]);
  if (!match) {
    console.error(
      `unknown argument ${args[i]}; expected --runs N, --seed N, --family F, --path P, --margin MS`,
    );
    process.exit(2);
  }
  options[match[1]] = match[2] ?? args[++i];
}
const runs = options.runs ?? process.env.JOBGATE_FUZZ_RUNS ?? '5000';
const seed = options.seed ?? process.env.JOBGATE_FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 30));
if (!/^\d+$/.test(runs) || !/^\d+$/.test(seed)) {
  console.error('--runs and --seed take whole numbers');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'jobgate-fuzz-'));
const summaryFile = join(dir, 'summary.json');
const env = {
  ...process.env,
  JOBGATE_FUZZ_RUNS: runs,
  JOBGATE_FUZZ_SEED: seed,
  JOBGATE_FUZZ_SUMMARY: summaryFile,
  ...(options.family ? { JOBGATE_FUZZ_FAMILY: options.family } : {}),
  ...(options.path ? { JOBGATE_FUZZ_PATH: options.path } : {}),
  ...(options.margin ? { JOBGATE_FUZZ_MARGIN_MS: options.margin } : {}),
};
console.log(`fuzzing ${runs} answers with seed ${seed}`);
const vitest = spawnSync(
  process.execPath,
  [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'packages/core/test/fuzz.test.ts', '-t', 'hostile'],
  { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] },
);
let summary;
try {
  summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
} catch {
  console.error(
    `the fuzz test ended (exit ${vitest.status}) without a summary; run it under vitest to see why`,
  );
  process.exit(1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
for (const failure of summary.failures) console.log(`\n${failure}`);
console.log(`\n${summary.line}`);
process.exit(summary.failures.length > 0 ? 1 : (vitest.status ?? 1));
