// Runs a workspace script with the pinned pnpm on a machine that has only Node
// and npm: `npm test` and `npm run demo` come through here. pnpm is the one on
// PATH if it is the pinned version, else `npx --yes pnpm@<pin>` (npm's cache,
// nothing installed globally); the dependencies are installed first when
// node_modules is missing or older than the lockfile. Each step it takes that
// the user did not type is said in one line.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PNPM = '12.21.0';
const MIN_NODE = [20, 18];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
  console.error(`JobGate needs Node ${MIN_NODE.join('.')} or newer; this is Node ${process.versions.node}.`);
  process.exit(1);
}

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  console.error('usage: node scripts/with-pnpm.mjs <script> [<script>...]');
  process.exit(2);
}

const windows = process.platform === 'win32';
const onPath = spawnSync(windows ? 'pnpm.cmd' : 'pnpm', ['--version'], { encoding: 'utf8' });
const pinned = onPath.status === 0 && onPath.stdout.trim() === PNPM;
/** The pinned pnpm as a command line; through npx, its bin is on PATH for nested `pnpm` calls too. */
const pnpm = pinned
  ? [windows ? 'pnpm.cmd' : 'pnpm']
  : [windows ? 'npx.cmd' : 'npx', '--yes', `pnpm@${PNPM}`];

function run(args) {
  const result = spawnSync(pnpm[0], [...pnpm.slice(1), ...args], { cwd: root, stdio: 'inherit' });
  if (result.error) {
    console.error(`could not run ${pnpm.join(' ')}: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const modules = join(root, 'node_modules', '.modules.yaml');
const stale =
  !existsSync(modules) || statSync(modules).mtimeMs < statSync(join(root, 'pnpm-lock.yaml')).mtimeMs;
if (stale) {
  console.log(
    `Installing the workspace's dependencies with pnpm ${PNPM}${pinned ? '' : ' (fetched by npx into npm’s cache)'}: pnpm install --frozen-lockfile`,
  );
  run(['install', '--frozen-lockfile', '--reporter=silent']);
}
for (const script of scripts) run(['run', script]);
