import { styleText } from 'node:util';
import { oneLine, printable, redactor, safeStringify } from '@jobgate/core';

/**
 * The command's only way out to the terminal. Every line, table, JSON event
 * and live redraw passes the core's one redactor and neutraliser here: text
 * from elsewhere (a server's message, a job name) is flattened onto one line
 * with every terminal escape shown rather than run, and only this module adds
 * escapes of its own (colours, the live area's redraw), after neutralising.
 * Nothing else in the command writes to stdout or stderr.
 */

const stdout = process.stdout;
const stderr = process.stderr;

export type Style = 'green' | 'red' | 'yellow' | 'cyan' | 'dim' | 'bold';

/** Text already neutralised, with a style this module adds on a colour terminal. */
export class Styled {
  constructor(
    readonly plain: string,
    readonly style: Style,
  ) {}
}

export type Part = string | Styled;

/** Text shown in a style; neutralised now. */
export function paint(style: Style, text: string): Styled {
  return new Styled(oneLine(text), style);
}

/** Whether stdout is a terminal (live output) rather than a log or a pipe. */
export function isTerminal(): boolean {
  return stdout.isTTY === true;
}

/** Colours only on a terminal, and never when NO_COLOR is set to anything (no-color.org). */
export function colourful(env: Record<string, string | undefined> = process.env): boolean {
  return isTerminal() && !env.NO_COLOR;
}

const colours = colourful();

/** The terminal's width, for lines that must not wrap (a live area redraws by line count). */
function width(): number {
  return Math.max(20, (stdout.columns || 80) - 1);
}

function render(parts: readonly Part[], maxLength = Number.POSITIVE_INFINITY): string {
  let left = maxLength;
  let out = '';
  for (const part of parts) {
    if (left <= 0) break;
    const plain = typeof part === 'string' ? oneLine(part) : part.plain;
    const cut = plain.length > left ? `${plain.slice(0, Math.max(0, left - 1))}…` : plain;
    left -= cut.length;
    out += typeof part === 'string' || !colours ? cut : styleText(part.style, cut);
  }
  return out;
}

/** Erases the live area's lines before anything else is printed, and redraws them after. */
let live: string[] = [];

function eraseLive(): string {
  return live.length ? `\x1b[${live.length}A\x1b[0J` : '';
}

function drawLive(): string {
  return live.map((l) => `${l}\n`).join('');
}

/** One line to stdout, above the live area if there is one. */
export function line(...parts: Part[]): void {
  stdout.write(`${eraseLive()}${render(parts)}\n${drawLive()}`);
}

/** Several lines that may keep their breaks (help, a table): each line neutralised. */
export function block(text: string): void {
  stdout.write(`${eraseLive()}${printable(text)}${text.endsWith('\n') ? '' : '\n'}${drawLive()}`);
}

/** A problem, on stderr: `jobgate: <message>`. */
export function problem(text: string): void {
  stderr.write(`${eraseLive()}jobgate: ${oneLine(text)}\n`);
  if (live.length) stdout.write(drawLive());
}

/**
 * C1 controls, line and paragraph separators and bidirectional overrides are
 * valid inside a JSON string but act on a terminal: written as \u escapes,
 * which any JSON reader reads back as the same characters.
 */
const JSON_ACTIVE = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One JSON event on its own line (newline-delimited JSON): bounded, every string redacted. */
export function json(event: Record<string, unknown>): void {
  const text = safeStringify(event).replace(
    JSON_ACTIVE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  stdout.write(`${redactor.redact(text)}\n`);
}

/** The live area: lines redrawn in place on a terminal (cut to its width, so that none wraps). */
export function drawArea(lines: readonly (readonly Part[])[]): void {
  const erase = eraseLive();
  live = lines.map((parts) => render(parts, width()));
  stdout.write(`${erase}${drawLive()}`);
}

/** Leaves the live area's last drawing on screen; what follows prints below it. */
export function endArea(): void {
  live = [];
}

/** How wide the terminal is. */
export function terminalColumns(): number {
  return width();
}

/** How many lines the terminal shows, for a live area that must fit it. */
export function terminalRows(): number {
  return stdout.rows || 24;
}

/**
 * Resolves once everything written so far has left the process. Writes to a
 * pipe are queued while its reader is behind, and process.exit drops what is
 * still queued: the last events (a summary, the final verdicts) would be lost.
 * An empty write's callback runs after every write before it.
 */
export function flush(): Promise<void> {
  const drained = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      if (stream.destroyed || !stream.writable) resolve();
      else stream.write('', () => resolve());
    });
  return Promise.all([drained(stdout), drained(stderr)]).then(() => undefined);
}

/** For the emulator's own output, which writes whole lines and blocks. */
export const emulatorIo = {
  stdout: (text: string) => stdout.write(printable(text)),
  stderr: (text: string) => stderr.write(printable(text)),
};
