import { HuaweiCloudError, IdentityError, ResponseFormatError } from '../errors.js';
import type { ApiAnswer, HttpTransport } from '../http/transport.js';
import { IdTokenTokenResponse, SecurityTokenResponse } from './schemas.js';

/**
 * IAM's two exchanges that turn an OpenID Connect id token into temporary
 * credentials: id token → IAM token → temporary AK/SK with a security token.
 * Both are sent unsigned: the id token, then the IAM token, is the proof.
 */

export interface IamCall {
  transport: HttpTransport;
  /** IAM's base URL, `https://iam.{region}.myhuaweicloud.com` or an explicit endpoint. */
  baseUrl: URL;
  /** Every secret an answer issues, the moment it is read (the caller learns and masks it). */
  learn: (...secrets: (string | undefined)[]) => void;
  signal?: AbortSignal | undefined;
}

/** The server's time of an answer (its Date header), to measure a lifetime on one clock; else ours. */
export function serverTime(headers: ApiAnswer['headers']): number {
  const raw = headers.date;
  const value = Date.parse(Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? ''));
  return Number.isFinite(value) ? value : Date.now();
}

export interface IamToken {
  token: string;
  expiresAt: string;
  /** How long it lasts from when it was issued, by the server's own clock. */
  lifetimeMs: number;
}

export interface TemporaryKeys {
  accessKey: string;
  secretKey: string;
  securityToken: string;
  expiresAt: string;
  lifetimeMs: number;
}

const firstHeader = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** The claims of an id token that say where it came from and what the IdP's rules see; none of them is secret. */
export function describeIdToken(idToken: string): string {
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return 'the id token is not a JWT';
  }
  if (typeof claims !== 'object' || claims === null) return 'the id token is not a JWT';
  const parts: string[] = [];
  for (const name of ['iss', 'aud', 'sub', 'repository', 'ref', 'environment']) {
    const value = claims[name];
    if (typeof value === 'string' || Array.isArray(value))
      parts.push(`${name} ${JSON.stringify(value).slice(0, 200)}`);
  }
  if (typeof claims.exp === 'number' && Number.isFinite(claims.exp)) {
    const exp = new Date(claims.exp * 1000);
    if (!Number.isNaN(exp.getTime())) parts.push(`exp ${exp.toISOString()}`);
  }
  return parts.length
    ? `the token's claims: ${parts.join(', ')}`
    : 'the token carries no iss, aud or exp claim';
}

function refused(what: string, error: HuaweiCloudError, hint: string): IdentityError {
  const id = error.requestId ? `, request id ${error.requestId}` : '';
  return new IdentityError({
    code: error.code,
    status: error.status,
    requestId: error.requestId,
    message: `${what} (IAM answered HTTP ${error.status} ${error.code}: ${error.serviceMessage}${id}); ${hint}`,
    cause: error,
  });
}

/** Step one: `POST /v3.0/OS-AUTH/id-token/tokens` with header X-Idp-Id. */
export async function exchangeIdToken(
  call: IamCall,
  input: { idpId: string; idToken: string; scopeProjectId?: string | undefined },
): Promise<IamToken> {
  let headers: ApiAnswer['headers'] = {};
  try {
    const answer = await call.transport.request(
      {
        service: 'iam',
        baseUrl: call.baseUrl,
        method: 'POST',
        segments: ['v3.0', 'OS-AUTH', 'id-token', 'tokens'],
        headers: { 'X-Idp-Id': input.idpId },
        json: {
          auth: {
            id_token: { id: input.idToken },
            ...(input.scopeProjectId ? { scope: { project: { id: input.scopeProjectId } } } : {}),
          },
        },
        signal: call.signal,
        onAnswer: (a) => call.learn(firstHeader(a.headers['x-subject-token'])),
      },
      IdTokenTokenResponse,
    );
    headers = answer.headers;
    const token = firstHeader(headers['x-subject-token']);
    if (!token) {
      throw new ResponseFormatError({
        status: 201,
        service: 'iam',
        problem: 'a token answer without the X-Subject-Token header that carries the IAM token',
        excerpt: '',
        retryable: false,
      });
    }
    const expiresAt = answer.body.token.expires_at;
    return { token, expiresAt, lifetimeMs: Date.parse(expiresAt) - serverTime(headers) };
  } catch (error) {
    if (!(error instanceof HuaweiCloudError) || error.retryable) throw error;
    const claims = describeIdToken(input.idToken);
    if (error.status === 404)
      throw refused(
        `IAM has no identity provider ${JSON.stringify(input.idpId)}`,
        error,
        'check the identity provider id (IAM > Identity Providers) and that its protocol is OpenID Connect with programmatic access',
      );
    if (error.status === 403)
      throw refused(
        "IAM accepted the id token, but the identity provider's mapping grants it nothing",
        error,
        `check that a rule of the identity provider's mapping matches ${claims} and assigns a user group`,
      );
    throw refused(
      `IAM did not accept the id token for identity provider ${JSON.stringify(input.idpId)}`,
      error,
      `check that the identity provider's OpenID Connect configuration names the token's issuer as idp_url and its audience as client_id, that its signing_key holds the issuer's current signing keys (JWKS; update it when the issuer rotates them), and that the token has not expired (${claims})`,
    );
  }
}

/** Step two: `POST /v3.0/OS-CREDENTIAL/securitytokens` with the IAM token. */
export async function createTemporaryKeys(
  call: IamCall,
  input: { iamToken: string; durationSeconds: number },
): Promise<TemporaryKeys> {
  // The issued values as received: what the transport keeps of an answer has its secrets masked.
  let issued: Record<string, unknown> = {};
  try {
    const answer = await call.transport.request(
      {
        service: 'iam',
        baseUrl: call.baseUrl,
        method: 'POST',
        segments: ['v3.0', 'OS-CREDENTIAL', 'securitytokens'],
        headers: { 'X-Auth-Token': input.iamToken },
        json: {
          auth: {
            identity: {
              methods: ['token'],
              token: { id: input.iamToken, duration_seconds: input.durationSeconds },
            },
          },
        },
        signal: call.signal,
        onAnswer: (a) => {
          const credential = (a.body as { credential?: Record<string, unknown> } | undefined)?.credential;
          if (typeof credential !== 'object' || credential === null) return;
          issued = credential;
          const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
          call.learn(text(credential.access), text(credential.secret), text(credential.securitytoken));
        },
      },
      SecurityTokenResponse,
    );
    const { credential } = answer.body;
    return {
      accessKey: String(issued.access),
      secretKey: String(issued.secret),
      securityToken: String(issued.securitytoken),
      expiresAt: credential.expires_at,
      lifetimeMs: Date.parse(credential.expires_at) - serverTime(answer.headers),
    };
  } catch (error) {
    if (!(error instanceof HuaweiCloudError) || error.retryable) throw error;
    if (error.status === 401)
      throw refused(
        'IAM did not accept the IAM token for temporary access keys',
        error,
        'the IAM token has expired or was revoked: issue a new one (with an id token, JobGate does so by itself while the id token lasts)',
      );
    if (error.status === 403)
      throw refused(
        'IAM would not issue temporary access keys to this user',
        error,
        "check the permissions of the user group the identity provider's mapping assigns",
      );
    throw refused(
      'IAM would not issue temporary access keys',
      error,
      `check the duration asked for (${input.durationSeconds} s; IAM allows 900 to 86400)`,
    );
  }
}
