import { spawn } from 'node:child_process';
import { type Emulator, startEmulator } from '@jobgate/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, envFor, type Run } from './helpers.js';

// The live output as a terminal shows it: the command runs under a real pseudo-terminal
// (util-linux `script`), so that stdout.isTTY holds and what it writes is what a user sees.

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 1 });
});
afterAll(() => emulator.close());

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the command in a pseudo-terminal while the emulator's clock moves on in steps. */
function inTerminal(args: readonly string[], env: Record<string, string>, stepMs: number): Promise<Run> {
  emulator.admin.reset();
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', TERM: 'xterm-256color', ...envFor(emulator), ...env },
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const timer = setInterval(() => {
    // Once the first read is on screen, the job moves on a step at a time.
    if (stdout.includes('dli-sql')) emulator.admin.advanceClock(stepMs);
  }, 150);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

const ESC = String.fromCharCode(27);

/** Cursor up and erase below: the live area is redrawn where it stands, not repeated under it. */
const REDRAW = '\u001b[1A\u001b[0J';

const SQL = [
  'wait',
  'dli-sql',
  '3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60',
  '--interval',
  '50ms',
  '--max-interval',
  '100ms',
];

describe('on a terminal', { timeout: 60_000 }, () => {
  it('redraws a live line per job in place, with a progress bar and colours, then the verdict', async () => {
    const run = await inTerminal(SQL, {}, 20_000);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(REDRAW);
    // The running job's live line: kind and id, status, a progress bar and its percentage.
    expect(run.stdout).toMatch(/▶.* dli-sql 3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60 .*RUNNING.* █+░* +\d+%/);
    expect(run.stdout).toContain(
      '\u001b[32m✓\u001b[39m dli-sql job jobId=3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60 succeeded',
    );
    // No line per change, as a log gets: the states are redrawn, so none ends in a plain newline of its own.
    expect(run.stdout).not.toMatch(/^dli-sql job jobId=\S+: RUNNING/m);
  });

  it('has no colour with NO_COLOR, and still redraws in place', async () => {
    const run = await inTerminal(SQL, { NO_COLOR: '1' }, 20_000);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(REDRAW);
    expect(run.stdout).not.toMatch(new RegExp(`${ESC}\\[\\d+m`));
    expect(run.stdout).toMatch(/▶ dli-sql 3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60 +RUNNING █+░* +\d+%/);
    expect(run.stdout).toContain('✓ dli-sql job jobId=3f8c2a1e-5b7d-4c9e-8a6f-1d2e3c4b5a60 succeeded');
  });
});
