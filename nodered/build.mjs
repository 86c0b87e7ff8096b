// Builds the installable package into dist/: tsc compiles the node files to
// CommonJS, ncc bundles @jobgate/core (ESM-only, with zod and undici) into the
// one CommonJS module they share, and the editor files (each help panel's list
// of msg properties written in from the nodes' own tables) and the icons are
// copied beside them. resources/ (the editor code the nodes share, which
// Node-RED serves at resources/<package name>/) ships as it is. `--if-stale` rebuilds only when an input changed (the tests
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
    ...filesUnder(join(here, 'icons')),
    ...filesUnder(join(here, 'resources')),
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

const MARKER = '<!--msg-properties-->';
const htmlText = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A help panel with its list of the msg properties that set the node's fields,
 * written from the same table the node reads them by (src/lib/msg-overrides.ts).
 */
function withMsgProperties(type, html, fields) {
  const marked = html.includes(MARKER);
  if (!fields) {
    if (marked) throw new Error(`nodered build: ${type}.html asks for msg properties, and the node has none`);
    return html;
  }
  if (!marked) throw new Error(`nodered build: ${type}.html has no ${MARKER} for its msg properties`);
  const items = fields.map(
    (f) =>
      `    <dt class="optional">${htmlText(f.msg)} <span class="property-type">${htmlText(f.type)}</span></dt>\n` +
      `    <dd>${htmlText(f.description)}: sets <i>${htmlText(f.label)}</i> when the node leaves it empty.</dd>`,
  );
  const list = [
    '<dl class="message-properties">',
    ...items,
    '  </dl>',
    "  <p>A field set in the node wins over its msg property, as in Node-RED's own nodes: a msg passing",
    '    through a flow may carry properties meant for other nodes. A msg property that is set but not used',
    '    is logged once as a warning.</p>',
  ].join('\n');
  return html.replace(MARKER, list);
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

  const { MSG_OVERRIDES } = require(join(dist, 'lib', 'msg-overrides.js'));
  for (const file of readdirSync(join(here, 'src'))) {
    if (!file.endsWith('.html')) continue;
    const type = file.replace(/\.html$/, '');
    writeFileSync(
      join(dist, file),
      withMsgProperties(type, readFileSync(join(here, 'src', file), 'utf8'), MSG_OVERRIDES[type]),
    );
  }
  mkdirSync(join(dist, 'icons'), { recursive: true });
  cpSync(join(here, 'icons'), join(dist, 'icons'), { recursive: true });
  if (!existsSync(join(here, 'resources', 'editor.js')))
    throw new Error('nodered build: resources/editor.js, the editor code every node loads, is missing');
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, hash);
  console.log(`nodered build: dist/ in ${Date.now() - started} ms`);
}

await build();
