import { readFile } from 'node:fs/promises';
import { AbortError, InputError, isRetryable } from '../errors.js';
import { type HttpOptions, HttpTransport } from '../http/transport.js';
import { createTemporaryKeys, exchangeIdToken, type IamCall } from '../iam/api.js';
import { redactor } from '../redact.js';
import type {
  CredentialSource,
  IamTokenExchangeAuth,
  IdTokenAuth,
  RequestCredentials,
} from './credentials.js';

/** What IAM issues when no duration is asked: an hour, renewed before it ends. */
export const DEFAULT_DURATION_SECONDS = 3600;
/**
 * A lifetime shorter than this, read from an answer, means the clocks
 * disagree: the credentials are used that long, and a gateway refusal renews
 * them sooner if need be.
 */
const MIN_LIFETIME_MS = 60_000;

/** Renewed when a fifth of their life is left, and at most ten minutes before the end. */
export function renewalMargin(lifetimeMs: number): number {
  return Math.min(10 * 60_000, lifetimeMs / 5);
}

export interface TemporaryCredentialsOptions {
  /** An id token (with its identity provider) or an IAM token to exchange. */
  credentials: IdTokenAuth | IamTokenExchangeAuth;
  /** IAM's base URL. */
  iamEndpoint: URL;
  http?: HttpOptions | undefined;
  /** Every secret as it is issued (id token, IAM token, temporary AK/SK, security token), e.g. to mask it. */
  onSecret?: ((secret: string) => void) | undefined;
  /** The monotonic clock in ms that lifetimes are measured on (default performance.now). */
  now?: () => number;
}

/** The temporary credentials in hand, as IAM issued them. */
export interface IssuedCredentials {
  accessKey: string;
  secretKey: string;
  securityToken: string;
  /** IAM's expiry time (ISO 8601). */
  expiresAt: string;
}

interface Held<T> {
  value: T;
  /** Monotonic time to renew at, and the time it ends. */
  renewAt: number;
  endsAt: number;
}

function hold<T>(value: T, sentAt: number, lifetimeMs: number, capMs?: number): Held<T> {
  let life = Number.isFinite(lifetimeMs) ? lifetimeMs : (capMs ?? MIN_LIFETIME_MS);
  if (capMs !== undefined) life = Math.min(life, capMs);
  life = Math.max(life, MIN_LIFETIME_MS);
  return { value, renewAt: sentAt + life - renewalMargin(life), endsAt: sentAt + life };
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AbortError(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Temporary AK/SK from IAM for an OIDC id token (or an IAM token), renewed
 * before they expire: once, whatever the number of requests waiting for them,
 * measured on the monotonic clock. The IAM token is kept while it lasts, so a
 * renewal is one request; a new id token is asked for only when it ends.
 */
export class TemporaryCredentials implements CredentialSource {
  readonly identity: string;
  readonly signed = true;
  readonly #auth: IdTokenAuth | IamTokenExchangeAuth;
  readonly #iamEndpoint: URL;
  readonly #transport: HttpTransport;
  readonly #onSecret: ((secret: string) => void) | undefined;
  readonly #now: () => number;
  readonly #durationSeconds: number;
  #keys: Held<RequestCredentials & IssuedCredentials> | undefined;
  #iamToken: Held<string> | undefined;
  #renewal: Promise<RequestCredentials & IssuedCredentials> | undefined;
  /** Temporary credentials issued so far. */
  issued = 0;

  constructor(options: TemporaryCredentialsOptions) {
    this.#auth = options.credentials;
    this.#iamEndpoint = options.iamEndpoint;
    this.#onSecret = options.onSecret;
    this.#now = options.now ?? (() => performance.now());
    this.#durationSeconds = options.credentials.durationSeconds ?? DEFAULT_DURATION_SECONDS;
    const auth = options.credentials;
    this.#learn(
      'idpId' in auth ? (typeof auth.idToken === 'string' ? auth.idToken : undefined) : auth.iamToken,
    );
    // Stable across renewals: the request budget follows the federated user, not each key.
    this.identity = 'idpId' in auth ? `idp:${auth.idpId}` : `iam-token:${auth.iamToken}`;
    this.#transport = new HttpTransport(
      { identity: `exchange:${this.identity}`, signed: false, current: async () => undefined },
      options.http,
    );
  }

  #learn = (...secrets: (string | undefined)[]): void => {
    for (const secret of secrets) {
      if (!secret) continue;
      redactor.learn(secret);
      this.#onSecret?.(secret);
    }
  };

  /** The credentials in hand, renewed first when their time has come. */
  async current(signal?: AbortSignal): Promise<RequestCredentials & IssuedCredentials> {
    const keys = this.#keys;
    if (keys && this.#now() < keys.renewAt) return keys.value;
    // Shared by every request waiting: one caller giving up does not stop it.
    this.#renewal ??= this.#renew().finally(() => {
      this.#renewal = undefined;
    });
    try {
      return await abortable(this.#renewal, signal);
    } catch (error) {
      // A passing fault while renewing: the credentials in hand serve until they end.
      if (keys && isRetryable(error) && this.#now() < keys.endsAt) return keys.value;
      throw error;
    }
  }

  refused(credentials: RequestCredentials): boolean {
    if (this.#keys?.value === credentials) this.#keys = undefined;
    return true;
  }

  async #renew(): Promise<RequestCredentials & IssuedCredentials> {
    const call: IamCall = { transport: this.#transport, baseUrl: this.#iamEndpoint, learn: this.#learn };
    const iamToken = await this.#currentIamToken(call);
    const sentAt = this.#now();
    const keys = await createTemporaryKeys(call, { iamToken, durationSeconds: this.#durationSeconds });
    const value = {
      accessKey: keys.accessKey,
      secretKey: keys.secretKey,
      securityToken: keys.securityToken,
      expiresAt: keys.expiresAt,
    };
    this.#keys = hold(value, sentAt, keys.lifetimeMs, this.#durationSeconds * 1000);
    this.issued++;
    return value;
  }

  async #currentIamToken(call: IamCall): Promise<string> {
    const auth = this.#auth;
    if (!('idpId' in auth)) return auth.iamToken;
    if (this.#iamToken && this.#now() < this.#iamToken.renewAt) return this.#iamToken.value;
    const idToken = await readIdToken(auth);
    this.#learn(idToken);
    const sentAt = this.#now();
    const token = await exchangeIdToken(call, {
      idpId: auth.idpId,
      idToken,
      scopeProjectId: auth.scopeProjectId,
    });
    this.#iamToken = hold(token.token, sentAt, token.lifetimeMs);
    return token.token;
  }

  close(): Promise<void> {
    return this.#transport.close();
  }
}

/** The id token, read afresh: a file is rewritten by whoever rotates it (a Kubernetes projected token). */
export async function readIdToken(auth: IdTokenAuth): Promise<string> {
  if (auth.idTokenFile !== undefined) {
    let text: string;
    try {
      text = await readFile(auth.idTokenFile, 'utf8');
    } catch (error) {
      throw new InputError(
        'credentials.idTokenFile',
        `cannot read the id token file ${JSON.stringify(auth.idTokenFile)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    const token = text.trim();
    redactor.learn(token);
    if (!token)
      throw new InputError(
        'credentials.idTokenFile',
        `the id token file ${JSON.stringify(auth.idTokenFile)} is empty`,
      );
    return token;
  }
  const token = typeof auth.idToken === 'function' ? await auth.idToken() : auth.idToken;
  if (typeof token !== 'string' || !token.trim())
    throw new InputError('credentials.idToken', 'expected a non-empty id token');
  redactor.learn(token);
  return token.trim();
}
