// The one canary check every face's tests share.
/**
 * Finds a secret in captured output in every form the product promises to
 * keep it out of: whole, or its first or last 8 characters (so any prefix or
 * suffix of 8 or more), raw, JSON-escaped (`\"`, `\u0041`), percent-encoded
 * (`%41`, either case, `+` for a space) and any mix of those, decoded up to
 * three layers deep (a JSON string inside a JSON string, a percent-encoded
 * value inside JSON, ...).
 */

/** The shortest prefix or suffix of a secret that counts as a leak. */
export const PARTIAL = 8;

export interface Leak {
  secret: string;
  /** Which piece was found: the whole secret, its 8-character head or tail. */
  piece: 'whole' | 'head' | 'tail';
  /** The decodings that revealed it, e.g. "raw" or "json+percent". */
  form: string;
  /** A little of the decoded text around the hit, the hit masked. */
  near: string;
}

const JSON_SHORT: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  "'": "'",
};

function jsonUnescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|["\\/bfnrt'])/g, (_m, esc: string) =>
    esc.length > 1 ? String.fromCharCode(Number.parseInt(esc.slice(1), 16)) : (JSON_SHORT[esc] ?? esc),
  );
}

function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      // Not UTF-8 as a whole: byte by byte, as Latin-1.
      return run.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16)),
      );
    }
  });
}

const plusAsSpace = (text: string) => text.replace(/\+/g, ' ');

const DECODERS: Record<string, (text: string) => string> = {
  json: jsonUnescape,
  percent: percentDecode,
  plus: plusAsSpace,
};

/** Every decoding of `text` up to `depth` layers, each named by the decoders applied. */
function decodings(text: string, depth = 3): Map<string, string> {
  const out = new Map<string, string>([['raw', text]]);
  let layer = new Map(out);
  for (let d = 0; d < depth; d++) {
    const next = new Map<string, string>();
    for (const [form, value] of layer)
      for (const [name, decode] of Object.entries(DECODERS)) {
        const decoded = decode(value);
        if (decoded === value || [...out.values()].includes(decoded)) continue;
        const key = form === 'raw' ? name : `${form}+${name}`;
        next.set(key, decoded);
        out.set(key, decoded);
      }
    layer = next;
  }
  return out;
}

/** Every place a secret (whole, or its head or tail) shows in `text`, in any form. */
export function findLeaks(text: string, secrets: readonly string[]): Leak[] {
  const leaks: Leak[] = [];
  for (const [form, decoded] of decodings(text)) {
    for (const secret of secrets) {
      const pieces: [Leak['piece'], string][] =
        secret.length <= PARTIAL
          ? [['whole', secret]]
          : [
              ['head', secret.slice(0, PARTIAL)],
              ['tail', secret.slice(-PARTIAL)],
            ];
      for (const [piece, needle] of pieces) {
        const at = decoded.indexOf(needle);
        if (at < 0) continue;
        const near = `${decoded.slice(Math.max(0, at - 40), at)}<<${piece}>>${decoded.slice(at + needle.length, at + needle.length + 40)}`;
        leaks.push({ secret, piece, form, near });
      }
    }
  }
  return leaks;
}

/** The forms a server can echo a secret in, for the tests that make it do so. */
export function echoForms(secret: string): Record<string, string> {
  const bytes = [...Buffer.from(secret, 'utf8')];
  return {
    raw: secret,
    json: JSON.stringify(secret).slice(1, -1),
    unicode: [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    percent: encodeURIComponent(secret),
    percentAll: bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
    percentLower: bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''),
    form: encodeURIComponent(secret).replace(/%20/g, '+'),
    head: secret.slice(0, PARTIAL + 2),
    tail: secret.slice(-(PARTIAL + 2)),
    headPercent: bytes
      .slice(0, PARTIAL + 1)
      .map((b) => `%${b.toString(16).padStart(2, '0')}`)
      .join(''),
    tailJson: [...secret.slice(-(PARTIAL + 1))]
      .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .join(''),
  };
}

/** The whole secret in each form a server can echo it (no cut pieces): for tests that list them. */
export function secretForms(secret: string): string[] {
  const { head: _head, tail: _tail, headPercent: _hp, tailJson: _tj, ...whole } = echoForms(secret);
  return [...new Set(Object.values(whole))];
}
