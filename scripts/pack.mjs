// Packs every package users install (each workspace package that is not private) into one folder,
// as `pnpm pack` makes them for the registry: `workspace:` ranges become the packages' versions.
// Run it through `npm run pack` (which builds first); it prints the tarballs' paths.
//   node scripts/pack.mjs [destination]      default: .cache/packages
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The package folders users install, dependencies first (the order a release publishes them in). */
export const PUBLISHED = ['packages/core', 'packages/emulator', 'packages/cli', 'nodered'];

/** The pnpm running this script (`pnpm run` names itself in npm_execpath), else the one on PATH. */
function pnpm() {
  const own = process.env.npm_execpath;
  if (own && /pnpm/.test(own)) return /\.c?js$/.test(own) ? [process.execPath, own] : [own];
  return [process.platform === 'win32' ? 'pnpm.cmd' : 'pnpm'];
}

export function packAll(destination) {
  const dest = resolve(destination);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  const [command, ...args] = pnpm();
  for (const dir of PUBLISHED) {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    if (manifest.private) throw new Error(`${dir} is private: it cannot be published`);
    const result = spawnSync(command, [...args, 'pack', '--pack-destination', dest], {
      cwd: join(root, dir),
      encoding: 'utf8',
    });
    if (result.status !== 0)
      throw new Error(`pnpm pack in ${dir} failed: ${result.error?.message ?? result.stderr}`);
  }
  return readdirSync(dest)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(dest, f));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const tarball of packAll(process.argv[2] ?? join(root, '.cache', 'packages'))) console.log(tarball);
}
