import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '@jobgate/emulator';

/** The built command, as users run it (`pnpm test` builds first). */
export const BIN = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The emulator's settings as the environment variables the Action reads too. */
export function envFor(emulator: Emulator): Record<string, string> {
  return {
    JOBGATE_ENDPOINT: emulator.url,
    HUAWEI_CLOUD_PROJECT_ID: emulator.credentials.projectId,
    HUAWEI_CLOUD_ACCESS_KEY_ID: emulator.credentials.accessKey,
    HUAWEI_CLOUD_SECRET_ACCESS_KEY: emulator.credentials.secretKey,
  };
}

/** A clean environment: nothing from the test runner's (a CI's HUAWEI_CLOUD_* must not leak in). */
function baseEnv(): Record<string, string> {
  const { PATH = '', HOME = '', SYSTEMROOT = '' } = process.env;
  return { PATH, HOME, ...(SYSTEMROOT ? { SYSTEMROOT } : {}) };
}

export function start(
  args: readonly string[],
  env: Record<string, string> = {},
  cwd?: string,
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], { env: { ...baseEnv(), ...env }, ...(cwd ? { cwd } : {}) });
}

/** Collects a child's output until it exits. */
export function finished(child: ChildProcessWithoutNullStreams): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

export function jobgate(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return finished(start(args, env));
}

/** The JSON events of a --json run, one per line; a line that is not JSON fails the test. */
export function events(run: Run): Record<string, unknown>[] {
  return run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Resolves once the child's stdout matches. */
export function output(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (pattern.test(text)) {
        child.stdout.off('data', onData);
        resolve(text);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing ${pattern}: ${text}`)));
  });
}
