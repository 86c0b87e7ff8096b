// Runs a Node script under Node 24 without touching the system Node: the npm
// package `node` ships the real binary, installed once into .cache/node24.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prefix = join(root, '.cache', 'node24');
const bin = join(prefix, 'node_modules', 'node', 'bin', 'node');

if (!existsSync(bin)) {
  // npm 11 takes install-script permission from the project's package.json.
  mkdirSync(prefix, { recursive: true });
  writeFileSync(join(prefix, 'package.json'), '{"private":true,"allowScripts":{"node":true}}\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(npm, ['install', '--no-audit', '--no-fund', 'node@24'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    cwd: prefix,
  });
  if (install.status !== 0 || !existsSync(bin)) {
    console.error(`node24: could not install Node 24 into ${prefix}`);
    process.exit(install.status || 1);
  }
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.log(bin);
  process.exit(0);
}
const run = spawnSync(bin, args, { stdio: 'inherit', cwd: process.cwd() });
process.exit(run.status ?? 1);
