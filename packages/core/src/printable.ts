import { redactor } from './redact.js';

/**
 * The one output neutraliser for text that came from elsewhere (a server's
 * message, a job name) on its way to a log, a terminal or a status line. It
 * redacts, then shows every character that could act rather than be read as
 * an escape: C0 and C1 controls (ESC, so no terminal escape sequence
 * survives), DEL, line and paragraph separators, and the bidirectional
 * overrides that can make text read differently from what it is.
 * Faces add what their own medium needs (workflow commands, Markdown).
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n|\r|\n/g;

const escaped = (c: string): string => {
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Redacted text on one line: line breaks as `⏎`, tabs as spaces, every other active character escaped, at most `maxLength` characters. */
export function oneLine(text: string, maxLength = 4096): string {
  const flat = redactor
    .redact(String(text))
    .replace(LINE_BREAKS, ' ⏎ ')
    .replace(/\t/g, ' ')
    .replace(ACTIVE, escaped);
  return flat.length > maxLength ? `${flat.slice(0, maxLength)}…` : flat;
}

/** Redacted text that keeps its line breaks (a SQL statement, a stack): every other active character escaped. */
export function printable(text: string): string {
  return redactor.redact(String(text)).replace(/\r\n?/g, '\n').replace(ACTIVE, escaped);
}
