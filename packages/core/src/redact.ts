/**
 * The one redactor. Every secret the process handles (secret keys, security
 * tokens, IAM tokens, endpoint and proxy passwords) is learned here once; text
 * that leaves the library (error messages, events, the answers a job's state
 * is read from) and text each face prints passes through `redact`, so a
 * server that echoes a request back cannot make any output carry a secret.
 *
 * A secret is found whole and also as any prefix or suffix of
 * `PARTIAL_MIN` characters or more (a cut excerpt, a truncated log line),
 * in raw, JSON-escaped (`\u0041`, `\"`), percent-encoded (`%41`, either hex
 * case) and form-encoded (`+` for space) forms, and any mix of them.
 * Authorization header values are removed by their shape.
 */

/** The shortest prefix or suffix of a secret that counts as a leak. */
export const PARTIAL_MIN = 8;
/** Whole secrets shorter than this (a four-letter password) would blank out ordinary words. */
const WHOLE_MIN = 4;
/** Distinct secrets kept; the oldest are forgotten first (temporary credentials rotate). */
const MAX_SECRETS = 1_000;
const MASK = '***';
/** Layers of encoding undone, one inside another (percent-encoded JSON escapes, say). */
const MAX_LAYERS = 3;

/** `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` in raw or percent-encoded form. */
const AUTHORIZATION = /SDK-HMAC-SHA256(?:\s|\+|%20|\\u0020)+(?:[^"'\r\n&<>\\]|\\(?!["\\/bfnrt]))*/gi;
/** A signature on its own, after its name. */
const SIGNATURE = /(Signature(?:=|%3D|\\u003d|"?\s*:\s*"?))[0-9a-f]{16,}/gi;

/** A text with its escapes decoded, and where each decoded unit came from in the original. */
interface Decoded {
  text: string;
  /** Original start and end (exclusive) of each decoded code unit. */
  from: number[];
  to: number[];
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
};

const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/** Expected length of a UTF-8 sequence from its lead byte; 0 for a byte that cannot lead. */
const utf8Length = (b: number) =>
  b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;

/**
 * Decodes JSON escapes (`\uXXXX`, `\"`, …), percent-encoding (runs of `%XX`
 * read as UTF-8) and, with `plusAsSpace`, `+`, in any mix, keeping for each
 * decoded unit the span of the original it came from. Undecodable escapes
 * stay as they are.
 */
function decode(text: string, plusAsSpace: boolean): Decoded {
  const out: string[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const push = (units: string, start: number, end: number) => {
    for (const unit of units.split('')) {
      out.push(unit);
      from.push(start);
      to.push(end);
    }
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === 'u' && [2, 3, 4, 5].every((k) => isHex(text[i + k]))) {
        push(String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16)), i, i + 6);
        i += 6;
        continue;
      }
      const short = next === undefined ? undefined : JSON_SHORT[next];
      if (short !== undefined) {
        push(short, i, i + 2);
        i += 2;
        continue;
      }
    } else if (c === '%' && isHex(text[i + 1]) && isHex(text[i + 2])) {
      const bytes: number[] = [];
      const starts: number[] = [];
      let j = i;
      while (text[j] === '%' && isHex(text[j + 1]) && isHex(text[j + 2])) {
        bytes.push(Number.parseInt(text.slice(j + 1, j + 3), 16));
        starts.push(j);
        j += 3;
      }
      let k = 0;
      while (k < bytes.length) {
        const len = utf8Length(bytes[k] as number);
        const seq = bytes.slice(k, k + len);
        const valid = len > 0 && seq.length === len && seq.slice(1).every((b) => (b & 0xc0) === 0x80);
        const decoded = valid ? Buffer.from(seq).toString('utf8') : '';
        if (valid && !decoded.includes('\ufffd')) {
          push(decoded, starts[k] as number, (starts[k + len - 1] as number) + 3);
          k += len;
        } else {
          const at = starts[k] as number;
          push(text.slice(at, at + 3), at, at + 3);
          k += 1;
        }
      }
      i = j;
      continue;
    } else if (c === '+' && plusAsSpace) {
      push(' ', i, i + 1);
      i += 1;
      continue;
    }
    push(c, i, i + 1);
    i += 1;
  }
  return { text: out.join(''), from, to };
}

/** A secret with the ends `findSecret` looks for, cut once when it is learned rather than per call. */
interface Needle {
  secret: string;
  head: string;
  tail: string;
}

function needleOf(secret: string): Needle {
  return {
    secret,
    head: secret.slice(0, PARTIAL_MIN),
    tail: secret.slice(Math.max(0, secret.length - PARTIAL_MIN)),
  };
}

/**
 * Where a secret stands in `hay`: whole, or any prefix or suffix of
 * PARTIAL_MIN characters or more (secrets shorter than that: whole only).
 * Spans are pushed onto `spans`, made only when something is found.
 */
function findSecret(hay: string, needle: Needle, spans: [number, number][]): void {
  const { secret, head, tail } = needle;
  const n = secret.length;
  if (n < PARTIAL_MIN) {
    for (let k = hay.indexOf(secret); k >= 0; k = hay.indexOf(secret, k + 1)) spans.push([k, k + n]);
    return;
  }
  for (let k = hay.indexOf(head); k >= 0; k = hay.indexOf(head, k + 1)) {
    let len = PARTIAL_MIN;
    while (len < n && hay[k + len] === secret[len]) len++;
    spans.push([k, k + len]);
  }
  for (let k = hay.indexOf(tail); k >= 0; k = hay.indexOf(tail, k + 1)) {
    let start = k;
    while (
      start > 0 &&
      k + PARTIAL_MIN - start < n &&
      hay[start - 1] === secret[n - (k + PARTIAL_MIN - start) - 1]
    )
      start--;
    spans.push([start, k + PARTIAL_MIN]);
  }
}

/** Replaces each span (merged where they overlap) by the mask. */
function mask(text: string, spans: [number, number][]): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  let open: [number, number] | undefined;
  for (const span of spans) {
    if (open && span[0] <= open[1]) open[1] = Math.max(open[1], span[1]);
    else {
      if (open) {
        out += text.slice(at, open[0]) + MASK;
        at = open[1];
      }
      open = [span[0], span[1]];
    }
  }
  if (open) out += text.slice(at, open[0]) + MASK + text.slice(open[1]);
  return out;
}

export interface RedactOptions {
  /** Secrets of this call only (a request's own signature), not learned for good. */
  extra?: readonly (string | undefined)[] | undefined;
}

/** Cheap tests that a text may hold an Authorization value or a signature, before the replacing. */
const MAY_AUTHORIZE = /SDK-HMAC-SHA256/i;
const MAY_SIGN = /Signature/i;

export class Redactor {
  /** Learned secrets, in the order learned (a Set keeps insertion order). */
  readonly #secrets = new Set<string>();
  /** The learned secrets ready to search for; rebuilt after a learn, not per call (answers are many). */
  #needles: Needle[] | undefined;
  /** Needles of the `extra` secrets last asked for (a request's signature serves every string of its answer). */
  #extraNeedles: Needle[] = [];

  /** Remembers secrets for every later `redact`. Empty and very short values are ignored. */
  learn(...secrets: readonly (string | null | undefined)[]): void {
    for (const secret of secrets) {
      if (!secret || secret.length < WHOLE_MIN) continue;
      this.#needles = undefined;
      this.#secrets.delete(secret);
      this.#secrets.add(secret);
      if (this.#secrets.size > MAX_SECRETS) {
        const oldest = this.#secrets.values().next().value;
        if (oldest !== undefined) this.#secrets.delete(oldest);
      }
    }
  }

  /** How many secrets are known. */
  get size(): number {
    return this.#secrets.size;
  }

  #learned(): Needle[] {
    this.#needles ??= [...this.#secrets].map(needleOf);
    return this.#needles;
  }

  #extra(extra: readonly (string | undefined)[] | undefined): Needle[] {
    if (!extra || extra.length === 0) return [];
    // The same secrets as the last call (every string of one answer): their needles are reused.
    const cached = this.#extraNeedles;
    let same = 0;
    for (const s of extra) {
      if (!s || s.length < WHOLE_MIN) continue;
      if (cached[same]?.secret !== s) {
        same = -1;
        break;
      }
      same++;
    }
    if (same !== cached.length)
      this.#extraNeedles = extra.filter((s): s is string => !!s && s.length >= WHOLE_MIN).map(needleOf);
    return this.#extraNeedles;
  }

  /** The text with every learned secret (and Authorization value) replaced by `***`. */
  redact(text: string, options: RedactOptions = {}): string {
    if (typeof text !== 'string' || text.length === 0) return text;
    let out = text;
    if (MAY_AUTHORIZE.test(out)) out = out.replace(AUTHORIZATION, `SDK-HMAC-SHA256 ${MASK}`);
    if (MAY_SIGN.test(out)) out = out.replace(SIGNATURE, `$1${MASK}`);
    const learned = this.#learned();
    const extra = this.#extra(options.extra);
    if (learned.length === 0 && extra.length === 0) return out;
    const spans: [number, number][] = [];
    for (const needle of learned) findSecret(out, needle, spans);
    for (const needle of extra) findSecret(out, needle, spans);
    // The same text with its escapes decoded, layer by layer (a JSON string of a percent-encoded
    // value, and the reverse): a secret echoed JSON-escaped or percent-encoded.
    const hasPlus = out.includes('+');
    if (
      /[%\\]/.test(out) ||
      (hasPlus && (learned.some((s) => s.secret.includes(' ')) || extra.some((s) => s.secret.includes(' '))))
    ) {
      const secrets = [...learned, ...extra];
      for (const plusAsSpace of [false, true]) {
        if (plusAsSpace && !hasPlus) break;
        let layer: Decoded = { text: out, from: [], to: [] };
        let from = (i: number) => i;
        let to = (i: number) => i + 1;
        for (let depth = 0; depth < MAX_LAYERS; depth++) {
          const next = decode(layer.text, plusAsSpace);
          if (next.text === layer.text) break;
          const [outerFrom, outerTo] = [from, to];
          from = (i) => outerFrom(next.from[i] as number);
          to = (i) => outerTo((next.to[i] as number) - 1);
          layer = next;
          const found: [number, number][] = [];
          for (const secret of secrets) findSecret(layer.text, secret, found);
          for (const [a, b] of found) spans.push([from(a), to(b - 1)]);
        }
      }
    }
    return mask(out, spans);
  }

  /** Forgets every secret (tests only). */
  clear(): void {
    this.#secrets.clear();
    this.#needles = undefined;
  }
}

/** The process's redactor: every client and face learns into it and prints through it. */
export const redactor = new Redactor();

/** Shorthand for `redactor.redact`. */
export function redact(text: string, options?: RedactOptions): string {
  return redactor.redact(text, options);
}

/** The password (and user name) of a URL with user info, for learning; none if it has none. */
export function urlSecrets(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const url = new URL(value);
    const out: string[] = [];
    if (url.password) out.push(url.password, decodeURIComponent(url.password));
    return out;
  } catch {
    // Not a URL: look for the user-info shape by hand.
    const match = /^[a-z][a-z0-9+.-]*:\/\/[^/:@]*:([^/@]*)@/i.exec(value);
    return match?.[1] ? [match[1]] : [];
  }
}

/** A URL for messages: any password replaced by `***`. */
export function displayUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):([^/@]*)@/i, `$1:${MASK}@`);
}
