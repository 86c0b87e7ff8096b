import { EOL } from 'node:os';
import { oneLine, printable, redactor, safeStringify } from '@jobgate/core';
// @actions/core's own writers, without its index: the index loads its OIDC client (an HTTP client with
// https, tls, a tunnel and a second, whole undici) and its exec helpers (child_process) before the first
// line is written. Only a step that asks GitHub for an id token loads it (client.ts).
import { issueCommand } from '../node_modules/@actions/core/lib/command.js';
import { issueFileCommand, prepareKeyValueMessage } from '../node_modules/@actions/core/lib/file-command.js';
import { summary as jobSummary } from '../node_modules/@actions/core/lib/summary.js';

/**
 * The Action's only way out to the runner. Every line, annotation, output,
 * saved state and summary passes the core's one redactor here and is
 * neutralised for the runner: server text is flattened onto one line (so it
 * can never begin a line of its own), stripped of terminal escapes, and a
 * line that would still read as a workflow command (`::…` or `##[…`) is
 * defused. Nothing else in the Action writes to the runner.
 */

/** A name and value through the runner's file (`GITHUB_<file>`), or the older command where there is none. */
function fileCommand(file: string, command: string, name: string, value: string): void {
  if (process.env[`GITHUB_${file}`]) issueFileCommand(file, prepareKeyValueMessage(name, value));
  else {
    if (command === 'set-output') process.stdout.write(EOL);
    issueCommand(command, { name }, value);
  }
}

/** The runner's commands and files, as @actions/core's index writes them. */
const core = {
  info: (message: string) => process.stdout.write(message + EOL),
  debug: (message: string) => issueCommand('debug', {}, message),
  warning: (message: string) => issueCommand('warning', {}, message),
  setFailed: (message: string) => {
    process.exitCode = 1;
    issueCommand('error', {}, message);
  },
  startGroup: (name: string) => issueCommand('group', {}, name),
  endGroup: () => issueCommand('endgroup', {}, ''),
  setSecret: (secret: string) => issueCommand('add-mask', {}, secret),
  exportVariable: (name: string, value: string) => {
    process.env[name] = value;
    fileCommand('ENV', 'set-env', name, value);
  },
  setOutput: (name: string, value: string) => fileCommand('OUTPUT', 'set-output', name, value),
  saveState: (name: string, value: string) => fileCommand('STATE', 'save-state', name, value),
  getState: (name: string) => process.env[`STATE_${name}`] || '',
  getInput: (name: string) => (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '').trim(),
  summary: jobSummary,
};

/** How the runner recognises a workflow command: at the start of a line, after whitespace. */
const COMMAND_START = /^\s*(::|##\[)/;

/** A log line that the runner shows and never runs. */
export function logLine(text: string): string {
  const line = oneLine(text);
  // A zero-width space is not whitespace to the runner: the line no longer starts a command.
  return COMMAND_START.test(line) ? `\u200b${line}` : line;
}

/** Learns secrets from the inputs: masked by the runner and redacted by the core. */
export function secret(value: string | undefined): void {
  if (!value) return;
  redactor.learn(value);
  core.setSecret(value);
}

/** A secret exported for later steps: masked first. */
export function exportSecret(name: string, value: string): void {
  secret(value);
  core.exportVariable(name, value);
}

export function info(text: string): void {
  core.info(logLine(text));
}

export function debug(text: string): void {
  core.debug(logLine(text));
}

export function warning(text: string): void {
  core.warning(logLine(text));
}

export function fail(text: string): void {
  core.setFailed(logLine(text));
}

/** A collapsible group of lines. */
export function group(title: string, lines: readonly string[]): void {
  core.startGroup(logLine(title));
  for (const line of lines) core.info(logLine(line));
  core.endGroup();
}

export function output(name: string, value: string): void {
  core.setOutput(name, redactor.redact(value));
}

/** A value as a JSON output: bounded, redacted, and at most `maxLength` characters (`fallback` first). */
export function jsonOutput(
  name: string,
  value: unknown,
  maxLength: number,
  fallback?: (value: unknown) => unknown,
): void {
  core.setOutput(name, value === undefined ? '' : safeStringify(value, { maxLength, fallback }));
}

export function saveState(name: string, value: string): void {
  core.saveState(name, redactor.redact(value));
}

export function getState(name: string): string {
  return core.getState(name);
}

/** An input as the runner passes it (`INPUT_<NAME>`), trimmed; '' when not given. */
export function getInput(name: string): string {
  return core.getInput(name);
}

/** Text that came from elsewhere, made inert in Markdown: no HTML, no links or images, no table breaks. */
export function markdownText(value: unknown, { multiline = false } = {}): string {
  const text = printable(String(value ?? ''))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // Links, images, code, emphasis and table breaks; intraword underscores (ROWS_READ) stay as they are.
    .replace(/([\\`*[\]|~])/g, '\\$1');
  return multiline ? text.replace(/\n/g, '<br>') : text.replace(/\n/g, ' ');
}

/** Writes the job summary, redacted once more as a whole. */
export async function summary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(redactor.redact(markdown)).write();
}
