// Builds the installable package into dist/: tsc compiles the node files to
// CommonJS, ncc bundles @jobgate/core (ESM-only, with zod and undici) into the
// one CommonJS module they share, and the editor files and icons are copied
// beside them. `--if-stale` rebuilds only when an input changed (the tests
// call it, so that they never run an old build).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const dist = join(here, 'dist');
// Outside dist/, so that it is not packed.
const stampFile = join(here, 'node_modules', '.cache', 'jobgate-nodered-build.sha256');

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/** A hash of everything the build reads: our sources and config, and the core's built output. */
function inputsHash() {
  const coreDist = dirname(require.resolve('@jobgate/core'));
  const inputs = [
    ...filesUnder(join(here, 'src')),
    join(here, 'build.mjs'),
    join(here, 'package.json'),
    join(here, 'tsconfig.build.json'),
    ...filesUnder(coreDist).filter((f) => f.endsWith('.js')),
  ];
  const hash = createHash('sha256');
  for (const file of inputs)
    hash.update(relative(here, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

async function build() {
  let corePath;
  try {
    corePath = require.resolve('@jobgate/core');
  } catch {
    corePath = undefined;
  }
  if (!corePath || !existsSync(corePath)) {
    console.error('nodered build: @jobgate/core is not built; run `pnpm build` at the repository root');
    process.exit(1);
  }
  const hash = inputsHash();
  if (
    process.argv.includes('--if-stale') &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === hash
  )
    return;

  const started = Date.now();
  rmSync(dist, { recursive: true, force: true });
  const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  if (compiled.status !== 0) process.exit(compiled.status ?? 1);

  // One bundle for every node file: Node-RED loads it once, from the require cache.
  const bridge = join(dist, 'lib', 'core.js');
  // ncc looks for a tsconfig.json from its working directory up and then sends
  // plain JavaScript through its TypeScript loader: bundle from a directory with none.
  const cwd = process.cwd();
  const scratch = mkdtempSync(join(tmpdir(), 'jobgate-nodered-build-'));
  let bundle;
  try {
    process.chdir(scratch);
    const ncc = require('@vercel/ncc');
    bundle = await ncc(bridge, { quiet: true, minify: false, license: 'licenses.txt', target: 'es2022' });
  } finally {
    process.chdir(cwd);
    rmSync(scratch, { recursive: true, force: true });
  }
  const { code, assets } = bundle;
  writeFileSync(bridge, code);
  const extra = Object.keys(assets).filter((name) => name !== 'licenses.txt');
  if (extra.length)
    throw new Error(`nodered build: the core bundle wants assets it would not find: ${extra.join(', ')}`);
  const licenses = assets['licenses.txt']?.source;
  if (licenses) writeFileSync(join(dist, 'lib', 'core.licenses.txt'), licenses);

  for (const file of readdirSync(join(here, 'src'))) {
    if (file.endsWith('.html')) cpSync(join(here, 'src', file), join(dist, file));
  }
  mkdirSync(join(dist, 'icons'), { recursive: true });
  cpSync(join(here, 'src', 'icons'), join(dist, 'icons'), { recursive: true });
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, hash);
  console.log(`nodered build: dist/ in ${Date.now() - started} ms`);
}

await build();
