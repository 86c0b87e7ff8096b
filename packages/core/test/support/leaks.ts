/**
 * The canary check every face's tests share: is any secret, or any prefix or
 * suffix of 8 characters or more of it, in a text, in any form a server or a
 * face might have turned it into?
 */

const MIN = 8;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** The forms one piece of a secret can take on its way back: raw, JSON, percent- and form-encoded. */
const FORMS: ReadonlyArray<(s: string) => string> = [
  (s) => s,
  (s) => JSON.stringify(s).slice(1, -1),
  (s) => [...s].map((c) => `\\u${hex(c.charCodeAt(0), 4)}`).join(''),
  (s) => encodeURIComponent(s),
  (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${hex(c.charCodeAt(0), 2).toUpperCase()}`),
  (s) => encodeURIComponent(s).replace(/%20/g, '+'),
  // One encoding inside another: a JSON string of an encoded value, and the reverse.
  (s) => JSON.stringify(encodeURIComponent(s)).slice(1, -1),
  (s) => encodeURIComponent([...s].map((c) => `\\u${hex(c.charCodeAt(0), 4)}`).join('')),
  (s) => encodeURIComponent(encodeURIComponent(s)),
];

/** Each form of a whole secret: what a hostile server would echo. */
export function secretForms(secret: string): string[] {
  return [...new Set(FORMS.map((f) => f(secret)))];
}

/** The pieces of each secret found in `text`, described; empty when there are none. */
export function findLeaks(text: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    const pieces = secret.length < MIN ? [secret] : [secret.slice(0, MIN), secret.slice(-MIN)];
    for (const piece of pieces) {
      for (const [i, form] of FORMS.entries()) {
        const encoded = form(piece);
        const at = text.indexOf(encoded);
        if (at >= 0) {
          found.push(
            `form ${i} of ${JSON.stringify(piece)} at ${at}: …${text.slice(Math.max(0, at - 30), at + encoded.length + 30)}…`,
          );
        }
      }
    }
  }
  return [...new Set(found)];
}
