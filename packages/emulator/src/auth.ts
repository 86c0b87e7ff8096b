/**
 * The gateway's side of SDK-HMAC-SHA256, written from the signing specification (reference section 1),
 * independently of the client's signer so that one misreading of the spec cannot pass both.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { BoundedMap } from './bounded.js';
import type { Clock } from './clock.js';
import type { Credential, Scenario } from './scenario.js';

export const ALGORITHM = 'SDK-HMAC-SHA256';
/** The gateway rejects an X-Sdk-Date more than 15 minutes away from its clock. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** More than this many consecutive failures lock the AK ... */
export const MAX_CONSECUTIVE_FAILURES = 5;
/** ... for this long (emulator time, so a test can advance past it). */
export const LOCK_MS = 5 * 60 * 1000;
/**
 * At most this many access keys outside the scenario have their failures counted, and at most this many
 * are locked; past it the least recently failed is forgotten (and counts afresh if it comes back). Keys
 * the scenario lists are always remembered, so no flood of made-up keys can lift a real key's lockout.
 */
export const MAX_TRACKED_KEYS = 10_000;
/** Real AKs are 20 characters; a longer `Access=` is a malformed header, never remembered. */
export const MAX_ACCESS_KEY_LENGTH = 128;

export type HeaderValue = string | string[] | undefined;

/** A request as received: the raw path and query exactly as on the wire, and the exact body bytes. */
export interface ReceivedRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  headers: Record<string, HeaderValue>;
  body: Uint8Array;
}

/** RFC 3986 percent-encoding: keeps A-Z a-z 0-9 - _ . ~, upper-case %XX of the UTF-8 bytes otherwise. */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** Each segment decoded once and re-encoded, joined with `/`, with the trailing `/` only the canonical form has. */
export function canonicalUri(rawPath: string): string {
  const path = rawPath
    .split('/')
    .map((segment) => encodeRfc3986(decodeURIComponent(segment)))
    .join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Parameters sorted by name then value (byte order of the decoded text, as the Go SDK sorts), each name
 * and value re-encoded with the RFC 3986 encoder; a parameter without `=` has an empty value.
 */
export function canonicalQuery(rawQuery: string): string {
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    pairs.push([decodeURIComponent(name), decodeURIComponent(value)]);
  }
  pairs.sort((a, b) => compareUtf8(a[0], b[0]) || compareUtf8(a[1], b[1]));
  return pairs.map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(value)}`).join('&');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header value as the client meant it. Node hands header bytes over as latin1 text, one character per
 * byte; the Python and Go SDKs send non-ASCII values as UTF-8 bytes and sign their UTF-8 text, so bytes
 * that form valid UTF-8 are read as UTF-8. Anything else is kept as received.
 */
export function decodeHeaderValue(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is for any byte above 0x7F.
  if (/^[\x00-\x7f]*$/.test(value)) return value;
  try {
    return utf8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}

function headerText(value: HeaderValue): string | undefined {
  if (value === undefined) return undefined;
  return decodeHeaderValue(Array.isArray(value) ? value.join(',') : value);
}

/**
 * The official Node and Go SDKs send `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` with bodies that are not
 * JSON and sign that literal in place of the body's hash; the gateway honours it.
 */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

function payloadHash(request: ReceivedRequest): string {
  return headerText(request.headers['x-sdk-content-sha256'])?.trim() === UNSIGNED_PAYLOAD
    ? UNSIGNED_PAYLOAD
    : sha256Hex(request.body);
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The canonical request; `signedHeaders` are lower-case names. Throws on a malformed path or query. */
export function canonicalRequest(request: ReceivedRequest, signedHeaders: readonly string[]): string {
  const names = [...signedHeaders].map((h) => h.toLowerCase()).sort();
  const headerBlock = names
    .map((name) => `${name}:${(headerText(request.headers[name]) ?? '').trim()}\n`)
    .join('');
  return [
    request.method.toUpperCase(),
    canonicalUri(request.rawPath),
    canonicalQuery(request.rawQuery),
    headerBlock,
    names.join(';'),
    payloadHash(request),
  ].join('\n');
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

export function signatureFor(secretKey: string, toSign: string): string {
  return createHmac('sha256', secretKey).update(toSign).digest('hex');
}

export interface ParsedAuthorization {
  accessKey: string;
  signedHeaders: string[];
  signature: string;
}

/** `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`, or undefined when garbled. */
export function parseAuthorization(value: string): ParsedAuthorization | undefined {
  const match = /^SDK-HMAC-SHA256\s+(.*)$/s.exec(value.trim());
  if (!match?.[1]) return undefined;
  const fields = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKey = fields.get('Access');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKey || !signedHeaders || !signature || !/^[0-9a-fA-F]+$/.test(signature)) return undefined;
  if (accessKey.length > MAX_ACCESS_KEY_LENGTH) return undefined;
  const names = signedHeaders.split(';').map((h) => h.trim().toLowerCase());
  if (names.some((h) => h === '')) return undefined;
  return { accessKey, signedHeaders: names, signature: signature.toLowerCase() };
}

/** `YYYYMMDDTHHMMSSZ` (UTC) to epoch ms, or undefined when malformed. */
export function parseSdkDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Reject dates that Date.UTC silently rolls over (month 13, 31 February, 25 o'clock).
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h) return undefined;
  if (back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s) return undefined;
  return ms;
}

function safeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

export type AuthResult =
  | { ok: true; method: 'aksk'; accessKey: string; projectId: string }
  | { ok: true; method: 'token'; projectId: string; tokenIndex: number }
  | {
      ok: false;
      status: 401;
      code: 'APIG.0301' | 'APIGW.0303';
      message: string;
      /** The AK named by the request, when one could be read. */
      accessKey?: string;
      /** A short reason for the request log (never secrets). */
      reason: string;
    };

type AuthFailure = Extract<AuthResult, { ok: false }>;

const IAM_PREFIX = 'Incorrect IAM authentication information';

/**
 * Authenticates requests the way the API gateway does: AK/SK signatures (with temporary security tokens)
 * or IAM tokens, and locks an AK after too many consecutive failures.
 */
export class Authenticator {
  readonly #credentials: Map<string, Credential>;
  readonly #tokens: Map<string, { projectId: string; index: number }>;
  readonly #clock: Clock;
  /** Consecutive failures per AK. */
  readonly #failures: BoundedMap<string, number>;
  /** Emulator time at which each locked AK is unlocked. */
  readonly #lockedUntil: BoundedMap<string, number>;
  readonly #wallNow: () => number;
  /** Temporary credentials IAM issued, with the emulator time they expire at. */
  readonly #temporary: BoundedMap<string, { credential: Credential; expiresAt: number }>;

  constructor(
    scenario: Pick<Scenario, 'credentials' | 'tokens'>,
    clock: Clock,
    wallNow: () => number = Date.now,
    maxTrackedKeys: number = MAX_TRACKED_KEYS,
  ) {
    this.#credentials = new Map(scenario.credentials.map((c) => [c.accessKey, c]));
    const known = (accessKey: string) => this.#credentials.has(accessKey);
    this.#failures = new BoundedMap(maxTrackedKeys, known);
    this.#lockedUntil = new BoundedMap(maxTrackedKeys, known);
    this.#tokens = new Map(
      (scenario.tokens ?? []).map((t, index) => [t.token, { projectId: t.projectId, index }]),
    );
    this.#clock = clock;
    this.#wallNow = wallNow;
    this.#temporary = new BoundedMap(maxTrackedKeys);
  }

  /** Temporary credentials from IAM: accepted, with their security token, until `expiresAt` (emulator time). */
  issue(keys: Omit<Credential, 'projectId'>, projectId: string, expiresAt: number): void {
    this.#temporary.set(keys.accessKey, { credential: { ...keys, projectId }, expiresAt });
  }

  /** How many AKs have failures counted and how many are locked (expired locks included until seen). */
  tracked(): { failing: number; locked: number; limit: number } {
    return { failing: this.#failures.size, locked: this.#lockedUntil.size, limit: this.#failures.limit };
  }

  /** Forget failures and lockouts (admin reset). */
  clear(): void {
    this.#failures.clear();
    this.#lockedUntil.clear();
    this.#temporary.clear();
  }

  authenticate(request: ReceivedRequest): AuthResult {
    const authorization = headerText(request.headers.authorization);
    const authToken = headerText(request.headers['x-auth-token']);
    if (authorization === undefined && authToken !== undefined) return this.#token(authToken);
    if (authorization === undefined) {
      return fail(
        'APIG.0301',
        `${IAM_PREFIX}: no Authorization or X-Auth-Token header`,
        'missing credentials',
      );
    }
    const parsed = parseAuthorization(authorization);
    if (!parsed) {
      return fail(
        'APIG.0301',
        `${IAM_PREFIX}: the Authorization header is malformed`,
        'malformed Authorization',
      );
    }
    const { accessKey } = parsed;
    const lockedUntil = this.#lockedUntil.get(accessKey);
    if (lockedUntil !== undefined) {
      if (this.#clock.now() < lockedUntil) {
        return { ...this.#lockedFailure(accessKey), reason: 'access key locked' };
      }
      this.#lockedUntil.delete(accessKey);
      this.#failures.delete(accessKey);
    }
    const result = this.#verify(request, parsed);
    if (result.ok) {
      this.#failures.delete(accessKey);
      return result;
    }
    const failures = (this.#failures.get(accessKey) ?? 0) + 1;
    if (failures > MAX_CONSECUTIVE_FAILURES) {
      this.#failures.delete(accessKey);
      this.#lockedUntil.set(accessKey, this.#clock.now() + LOCK_MS);
      return { ...this.#lockedFailure(accessKey), reason: `${result.reason}; access key now locked` };
    }
    this.#failures.set(accessKey, failures);
    return result;
  }

  #lockedFailure(accessKey: string): Omit<AuthFailure, 'reason'> {
    return {
      ok: false,
      status: 401,
      code: 'APIG.0301',
      accessKey,
      message: `${IAM_PREFIX}: the access key is locked for 5 minutes after more than ${MAX_CONSECUTIVE_FAILURES} consecutive authentication failures`,
    };
  }

  #token(token: string): AuthResult {
    const entry = this.#tokens.get(token);
    if (!entry) return fail('APIG.0301', `${IAM_PREFIX}: verify token failed`, 'unknown token');
    return { ok: true, method: 'token', projectId: entry.projectId, tokenIndex: entry.index };
  }

  #verify(request: ReceivedRequest, auth: ParsedAuthorization): AuthResult {
    const { accessKey } = auth;
    const withKey = (code: AuthFailure['code'], message: string, reason: string): AuthFailure => ({
      ...fail(code, message, reason),
      accessKey,
    });
    const temporary = this.#temporary.get(accessKey);
    const credential = this.#credentials.get(accessKey) ?? temporary?.credential;
    if (!credential)
      return withKey('APIG.0301', `${IAM_PREFIX}: the access key does not exist`, 'unknown AK');
    if (temporary && this.#clock.now() >= temporary.expiresAt) {
      return withKey(
        'APIG.0301',
        `${IAM_PREFIX}: the temporary access key and its security token have expired`,
        'temporary key expired',
      );
    }

    const sdkDate = headerText(request.headers['x-sdk-date']);
    if (sdkDate === undefined) {
      return withKey('APIG.0301', `${IAM_PREFIX}: the X-Sdk-Date header is missing`, 'missing X-Sdk-Date');
    }
    if (!auth.signedHeaders.includes('x-sdk-date')) {
      return withKey(
        'APIG.0301',
        `${IAM_PREFIX}: x-sdk-date must be a signed header`,
        'x-sdk-date not signed',
      );
    }
    const signedAt = parseSdkDate(sdkDate.trim());
    if (signedAt === undefined) {
      return withKey(
        'APIGW.0303',
        `${IAM_PREFIX}: X-Sdk-Date is not in the format YYYYMMDDTHHMMSSZ`,
        'malformed X-Sdk-Date',
      );
    }
    if (Math.abs(this.#wallNow() - signedAt) > MAX_SKEW_MS) {
      return withKey(
        'APIGW.0303',
        `${IAM_PREFIX}: the request time X-Sdk-Date differs from the server time by more than 15 minutes`,
        'X-Sdk-Date skew',
      );
    }
    if (credential.securityToken !== undefined) {
      const token = headerText(request.headers['x-security-token']);
      if (token !== credential.securityToken || !auth.signedHeaders.includes('x-security-token')) {
        return withKey(
          'APIG.0301',
          `${IAM_PREFIX}: the security token is missing, wrong or not signed`,
          'security token',
        );
      }
    }
    for (const name of auth.signedHeaders) {
      if (request.headers[name] === undefined) {
        return withKey(
          'APIG.0301',
          `${IAM_PREFIX}: signed header ${name} is not in the request`,
          `signed header ${name} absent`,
        );
      }
    }
    let expected: string;
    try {
      expected = signatureFor(
        credential.secretKey,
        stringToSign(sdkDate.trim(), canonicalRequest(request, auth.signedHeaders)),
      );
    } catch {
      return withKey('APIG.0301', `${IAM_PREFIX}: the request URI is malformed`, 'malformed URI');
    }
    if (!safeEqualHex(expected, auth.signature)) {
      return withKey('APIG.0301', `${IAM_PREFIX}: verify aksk signature fail`, 'signature mismatch');
    }
    return { ok: true, method: 'aksk', accessKey, projectId: credential.projectId };
  }
}

function fail(code: AuthFailure['code'], message: string, reason: string): AuthFailure {
  return { ok: false, status: 401, code, message, reason };
}
