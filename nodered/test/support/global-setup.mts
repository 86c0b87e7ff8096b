import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { NODERED_DIR } from './paths.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The package as `npm pack` would publish it, for the tests that install it into a Node-RED. */
    packageTarball: string;
  }
}

let scratch: string | undefined;

export function setup(project: TestProject): void {
  // A stale dist/ would test yesterday's nodes: rebuild when any input changed.
  const build = spawnSync(process.execPath, ['build.mjs', '--if-stale'], {
    cwd: NODERED_DIR,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`nodered build failed:\n${build.stdout}\n${build.stderr}`);

  scratch = mkdtempSync(join(tmpdir(), 'jobgate-nodered-pack-'));
  const pack = spawnSync('pnpm', ['pack', '--pack-destination', scratch], {
    cwd: NODERED_DIR,
    encoding: 'utf8',
  });
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
  if (pack.status !== 0 || !tarball) throw new Error(`pnpm pack failed:\n${pack.stdout}\n${pack.stderr}`);
  project.provide('packageTarball', join(scratch, tarball));
}

export function teardown(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
