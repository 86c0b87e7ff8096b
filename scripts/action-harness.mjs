// Runs the committed Action bundle the way the GitHub runner does: Node 24 on
// the file action.yml names, inputs as INPUT_* with action.yml's defaults
// applied, the GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY / GITHUB_ENV
// files, then the post step with the saved state as STATE_*.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let node24;

/** The Node 24 binary, installed once into .cache/node24. */
export function node24Path() {
  node24 ??= execFileSync(process.execPath, [join(root, 'scripts', 'node24.mjs')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  return node24;
}

export function readManifest() {
  return parse(readFileSync(join(root, 'action.yml'), 'utf8'));
}

/** Reads the runner's file-command format: `name=value` lines or `name<<DELIM` heredocs. */
export function parseFileCommands(text) {
  const values = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const body = [];
      while (++i < lines.length && lines[i] !== delimiter) body.push(lines[i]);
      values[name] = body.join('\n');
    } else {
      const eq = line.indexOf('=');
      if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return values;
}

function inputEnv(manifest, inputs) {
  const env = {};
  for (const [name, spec] of Object.entries(manifest.inputs ?? {})) {
    const value = inputs[name] ?? spec.default;
    if (value !== undefined) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = String(value);
  }
  for (const name of Object.keys(inputs)) {
    if (!(name in (manifest.inputs ?? {}))) throw new Error(`action.yml has no input named ${name}`);
  }
  return env;
}

function spawnStep(script, env, options) {
  return new Promise((resolve) => {
    const child = spawn(node24Path(), [join(root, script)], {
      env,
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      options.onStdout?.(String(chunk));
      if (!signalled && options.signal && options.signal.when(stdout)) {
        signalled = true;
        child.kill(options.signal.name);
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(killer);
      resolve({ exitCode, signal, stdout, stderr });
    });
  });
}

/**
 * Runs main, then post. `inputs` by action.yml name; `env` adds variables
 * (credentials from huaweicloud/auth-action, say); `signal` sends SIGINT or
 * SIGTERM to main once `when(stdout)` is true.
 */
export async function runAction(inputs, options = {}) {
  const manifest = readManifest();
  const dir = mkdtempSync(join(tmpdir(), 'jobgate-runner-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const base = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    ...files,
    ...inputEnv(manifest, inputs),
    ...options.env,
  };
  try {
    const main = await spawnStep(manifest.runs.main, base, options);
    const state = parseFileCommands(readFileSync(files.GITHUB_STATE, 'utf8'));
    const stateEnv = Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]));
    writeFileSync(files.GITHUB_STATE, '');
    const post = manifest.runs.post
      ? await spawnStep(
          manifest.runs.post,
          { ...base, ...stateEnv },
          { timeoutMs: options.timeoutMs, onStdout: options.onStdout },
        )
      : undefined;
    return {
      ...main,
      outputs: parseFileCommands(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
      state,
      summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
      envFile: readFileSync(files.GITHUB_ENV, 'utf8'),
      post,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
