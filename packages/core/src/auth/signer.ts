import { createHash, createHmac } from 'node:crypto';

/** The only algorithm the API gateway accepts for AK/SK requests. */
export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

export interface SigningRequest {
  method: string;
  url: string | URL;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface AccessKeyCredentials {
  accessKey: string;
  secretKey: string;
  securityToken?: string | undefined;
}

export interface SignOptions {
  /**
   * Sign the Host header (default true). The gateway only requires x-sdk-date;
   * the Go SDK's own vectors sign nothing else.
   */
  signHost?: boolean;
}

/**
 * RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - _ . ~ becomes
 * upper-case %XX of its UTF-8 bytes. encodeURIComponent leaves ! ' ( ) *
 * alone, which the gateway's canonical form encodes.
 */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The canonical URI: each path segment encoded exactly once, and a trailing
 * slash that exists only in the canonical form. The path of a URL is already
 * percent-encoded by WHATWG rules, so each segment is decoded before being
 * encoded the gateway's way; a path built with encodeRfc3986 comes out as sent.
 */
export function canonicalUri(pathname: string): string {
  const encoded = pathname
    .split('/')
    .map((segment) => encodeRfc3986(decodeSegment(segment)))
    .join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

/**
 * Sorted by name, then by value for repeated names, comparing the decoded
 * text by code point as the gateway and the Go SDK do; both then encoded alike.
 */
export function canonicalQuery(params: URLSearchParams): string {
  const pairs = [...params];
  pairs.sort(([an, av], [bn, bv]) => (an === bn ? compareCodePoints(av, bv) : compareCodePoints(an, bn)));
  return pairs.map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(value)}`).join('&');
}

/**
 * Code point order, which is the order of the UTF-8 bytes the Go SDK and the
 * gateway compare. JavaScript's `<` compares UTF-16 code units instead, which
 * puts a character above U+FFFF (a surrogate pair, such as 😀) before one in
 * U+E000..U+FFFF (such as Ａ, U+FF21): a different canonical query, a
 * rejected signature.
 */
export function compareCodePoints(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const l = left.next();
    const r = right.next();
    if (l.done || r.done) return l.done && r.done ? 0 : l.done ? -1 : 1;
    const diff = (l.value.codePointAt(0) as number) - (r.value.codePointAt(0) as number);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
}

/** `YYYYMMDDTHHMMSSZ` in UTC, as X-Sdk-Date wants it. */
export function formatSdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface CanonicalParts {
  canonicalRequest: string;
  signedHeaders: string;
}

/**
 * Builds the canonical request from the headers that will be sent; every one
 * of them is signed, so callers pass only headers nobody rewrites after signing.
 */
export function buildCanonicalRequest(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | Uint8Array,
): CanonicalParts {
  const byName = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    byName.set(name.toLowerCase(), value.trim());
  }
  const names = [...byName.keys()].sort();
  const canonicalHeaders = names.map((name) => `${name}:${byName.get(name)}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQuery(url.searchParams),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(body),
  ].join('\n');
  return { canonicalRequest, signedHeaders };
}

export function stringToSign(sdkDate: string, canonicalRequest: string): string {
  return `${SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonicalRequest)}`;
}

function findHeader(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower) return value;
  }
  return undefined;
}

/**
 * Signs a request with SDK-HMAC-SHA256 and returns the complete header set to
 * send: the caller's headers, Host, X-Sdk-Date, X-Security-Token (temporary
 * credentials; added before signing so that it is signed) and Authorization.
 * An X-Sdk-Date already present is kept, which is how the official vectors fix
 * the time; otherwise `date` (default now) is used.
 */
export function signRequest(
  request: SigningRequest,
  credentials: AccessKeyCredentials,
  date: Date = new Date(),
  options: SignOptions = {},
): Record<string, string> {
  if (!credentials.accessKey || !credentials.secretKey) {
    throw new TypeError('signRequest: credentials need both accessKey and secretKey');
  }
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (name.toLowerCase() === 'authorization') continue;
    headers[name] = value;
  }
  if (options.signHost !== false && findHeader(headers, 'host') === undefined) {
    headers.Host = url.host;
  }
  let sdkDate = findHeader(headers, 'x-sdk-date');
  if (sdkDate === undefined) {
    sdkDate = formatSdkDate(date);
    headers['X-Sdk-Date'] = sdkDate;
  }
  if (credentials.securityToken && findHeader(headers, 'x-security-token') === undefined) {
    headers['X-Security-Token'] = credentials.securityToken;
  }
  const { canonicalRequest, signedHeaders } = buildCanonicalRequest(
    request.method,
    url,
    headers,
    request.body ?? '',
  );
  const signature = createHmac('sha256', credentials.secretKey)
    .update(stringToSign(sdkDate, canonicalRequest))
    .digest('hex');
  headers.Authorization = `${SIGNING_ALGORITHM} Access=${credentials.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
