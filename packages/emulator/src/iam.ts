/**
 * IAM's federation exchanges, as the client meets them: an OpenID Connect id token for an IAM token
 * (`POST /v3.0/OS-AUTH/id-token/tokens`, header X-Idp-Id), and an IAM token for temporary AK/SK with a
 * security token (`POST /v3.0/OS-CREDENTIAL/securitytokens`). The id token is verified for real: RS256
 * against the identity provider's JWKS, issuer, audience, expiry and not-before on the emulator's clock,
 * then the provider's mapping rules. The temporary credentials it issues are accepted by the gateway's
 * verifier until they expire on the same clock.
 */
import { createPublicKey, type KeyObject, randomBytes, verify } from 'node:crypto';
import type { Authenticator } from './auth.js';
import { BoundedMap } from './bounded.js';
import type { Clock } from './clock.js';
import type { Answer } from './errors.js';
import type { IdentityProvider, MappingRule } from './scenario.js';
import { ScenarioError } from './scenario.js';

export const ID_TOKEN_PATH = '/v3.0/OS-AUTH/id-token/tokens';
export const SECURITY_TOKEN_PATH = '/v3.0/OS-CREDENTIAL/securitytokens';
/** IAM tokens last 24 hours. */
export const IAM_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** The range of `duration_seconds` IAM accepts; 900 when none is asked. */
export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 86_400;
/** IAM tokens the emulator remembers; the oldest are forgotten first. */
export const MAX_IAM_TOKENS = 10_000;

export type IamRoute = 'iam.id-token' | 'iam.security-token';

export function iamRouteOf(method: string, rawPath: string): IamRoute | undefined {
  if (method !== 'POST') return undefined;
  if (rawPath === ID_TOKEN_PATH) return 'iam.id-token';
  if (rawPath === SECURITY_TOKEN_PATH) return 'iam.security-token';
  return undefined;
}

/** Keystone's error shape, which IAM's token APIs answer with. */
function keystoneError(status: 400 | 401 | 403, message: string): Answer {
  const title = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden' }[status];
  return { status, body: { error: { code: status, message, title } } };
}

/** IAM's own error shape for a resource that does not exist. */
function notFound(message: string): Answer {
  return { status: 404, body: { error_msg: message, error_code: 'IAM.0004' } };
}

/** IAM writes times with microseconds: 2024-06-10T09:30:00.000000Z. */
function iamTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function base64url(segment: string): Buffer | undefined {
  return /^[A-Za-z0-9_-]*$/.test(segment) ? Buffer.from(segment, 'base64url') : undefined;
}

function jsonObject(bytes: Buffer | undefined): Record<string, unknown> | undefined {
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function glob(pattern: string, value: string): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's').test(value);
}

function ruleMatches(rule: MappingRule, claims: Record<string, unknown>): boolean {
  return Object.entries(rule.claims).every(([name, allowed]) => {
    const value = claims[name];
    if (typeof value !== 'string') return false;
    return (Array.isArray(allowed) ? allowed : [allowed]).some((pattern) => glob(pattern, value));
  });
}

interface Provider {
  config: IdentityProvider;
  keys: { kid: string | undefined; key: KeyObject }[];
}

interface IssuedToken {
  idpId: string;
  projectId: string;
  expiresAt: number;
}

const token = (prefix: string, bytes: number) => `${prefix}${randomBytes(bytes).toString('base64url')}`;

export class IamService {
  readonly #providers = new Map<string, Provider>();
  readonly #tokens = new BoundedMap<string, IssuedToken>(MAX_IAM_TOKENS);
  readonly #clock: Clock;
  readonly #auth: Authenticator;

  constructor(providers: readonly IdentityProvider[], clock: Clock, auth: Authenticator) {
    this.#clock = clock;
    this.#auth = auth;
    providers.forEach((config, i) => {
      const keys = config.jwks.keys.map((jwk, k) => {
        try {
          return { kid: jwk.kid, key: createPublicKey({ key: jwk as never, format: 'jwk' }) };
        } catch (error) {
          throw new ScenarioError('scenario', [
            {
              path: `identityProviders[${i}].jwks.keys[${k}]`,
              message: `not a usable public key (${(error as Error).message})`,
            },
          ]);
        }
      });
      this.#providers.set(config.id, { config, keys });
    });
  }

  /** Forget every IAM token issued (admin reset). */
  clear(): void {
    this.#tokens.clear();
  }

  handle(route: IamRoute, headers: Record<string, string | string[] | undefined>, body: Buffer): Answer {
    const json = jsonObject(body);
    if (!json) return keystoneError(400, 'The request body is not a JSON object.');
    return route === 'iam.id-token' ? this.#idToken(headers, json) : this.#securityToken(headers, json);
  }

  #idToken(headers: Record<string, string | string[] | undefined>, body: Record<string, unknown>): Answer {
    const rawIdp = headers['x-idp-id'];
    const idpId = Array.isArray(rawIdp) ? rawIdp[0] : rawIdp;
    if (!idpId) return keystoneError(400, 'The X-Idp-Id header is missing.');
    const auth = body.auth as { id_token?: { id?: unknown } } | undefined;
    const jwt = auth?.id_token?.id;
    if (typeof jwt !== 'string' || jwt === '') return keystoneError(400, 'auth.id_token.id is missing.');
    const provider = this.#providers.get(idpId);
    if (!provider) return notFound(`Could not find identity provider: ${idpId}.`);

    const verdict = this.#verify(provider, jwt);
    if (typeof verdict === 'string') return keystoneError(401, `The id token is invalid: ${verdict}.`);
    const rule = provider.config.rules.find((r) => ruleMatches(r, verdict));
    if (!rule?.allow) {
      return keystoneError(
        403,
        rule
          ? 'The id token matches a mapping rule that refuses it.'
          : 'The id token matches no mapping rule of the identity provider: no user group is granted.',
      );
    }
    const now = this.#clock.now();
    const iamToken = token('MIIemu', 192);
    const expiresAt = now + IAM_TOKEN_LIFETIME_MS;
    this.#tokens.set(iamToken, { idpId, projectId: provider.config.projectId, expiresAt });
    return {
      status: 201,
      headers: { 'X-Subject-Token': iamToken },
      body: {
        token: {
          expires_at: iamTime(expiresAt),
          issued_at: iamTime(now),
          methods: ['mapped'],
          user: {
            name: typeof verdict.sub === 'string' ? verdict.sub.slice(0, 64) : 'federated',
            'OS-FEDERATION': {
              identity_provider: { id: idpId },
              protocol: { id: 'oidc' },
              groups: [],
            },
          },
        },
      },
    };
  }

  /** The token's claims when it verifies; else why not. */
  #verify(provider: Provider, jwt: string): Record<string, unknown> | string {
    const parts = jwt.split('.');
    if (parts.length !== 3) return 'not a JWT of three parts';
    const [head, payload, signature] = parts as [string, string, string];
    const header = jsonObject(base64url(head));
    const claims = jsonObject(base64url(payload));
    const sig = base64url(signature);
    if (!header || !claims || !sig) return 'not a well-formed JWT';
    if (header.alg !== 'RS256') return `the algorithm ${JSON.stringify(header.alg)} is not RS256`;
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const candidates = provider.keys.filter((k) => kid === undefined || k.kid === undefined || k.kid === kid);
    if (candidates.length === 0)
      return `no key with kid ${JSON.stringify(kid)} in the identity provider's signing keys`;
    const signed = Buffer.from(`${head}.${payload}`, 'ascii');
    if (!candidates.some((k) => verify('sha256', signed, k.key, sig)))
      return "the signature does not verify with the identity provider's signing keys";
    const { config } = provider;
    if (claims.iss !== config.issuer)
      return `the issuer ${JSON.stringify(claims.iss)} is not the identity provider's ${JSON.stringify(config.issuer)}`;
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(config.clientId))
      return `the audience ${JSON.stringify(claims.aud)} does not hold the client id ${JSON.stringify(config.clientId)}`;
    const nowSeconds = this.#clock.now() / 1000;
    if (typeof claims.exp !== 'number') return 'it has no exp claim';
    if (claims.exp <= nowSeconds) return `it expired at ${new Date(claims.exp * 1000).toISOString()}`;
    if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds)
      return `it is not valid before ${new Date(claims.nbf * 1000).toISOString()}`;
    return claims;
  }

  #securityToken(
    headers: Record<string, string | string[] | undefined>,
    body: Record<string, unknown>,
  ): Answer {
    const identity = (body.auth as { identity?: Record<string, unknown> } | undefined)?.identity;
    const methods = identity?.methods;
    const tokenBody = identity?.token as { id?: unknown; duration_seconds?: unknown } | undefined;
    if (!Array.isArray(methods) || !methods.includes('token') || !tokenBody)
      return keystoneError(400, 'auth.identity must have methods ["token"] and a token.');
    const rawHeader = headers['x-auth-token'];
    const headerToken = Array.isArray(rawHeader) ? rawHeader[0] : rawHeader;
    const iamToken = typeof tokenBody.id === 'string' && tokenBody.id !== '' ? tokenBody.id : headerToken;
    const duration = tokenBody.duration_seconds ?? MIN_DURATION_SECONDS;
    if (
      typeof duration !== 'number' ||
      !Number.isInteger(duration) ||
      duration < MIN_DURATION_SECONDS ||
      duration > MAX_DURATION_SECONDS
    ) {
      return keystoneError(
        400,
        `duration_seconds must be an integer from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}.`,
      );
    }
    const issued = iamToken === undefined ? undefined : this.#tokens.get(iamToken);
    const now = this.#clock.now();
    if (!issued) return keystoneError(401, 'The request you have made requires authentication.');
    if (issued.expiresAt <= now) return keystoneError(401, 'The token has expired.');
    const expiresAt = now + duration * 1000;
    const credential = {
      access: randomBytes(15)
        .toString('base64')
        .replace(/[^A-Z0-9]/gi, 'X')
        .toUpperCase()
        .slice(0, 20),
      secret: randomBytes(30).toString('base64url'),
      securitytoken: token('gQpjbi1ub3J0aC00', 384),
    };
    this.#auth.issue(
      { accessKey: credential.access, secretKey: credential.secret, securityToken: credential.securitytoken },
      issued.projectId,
      expiresAt,
    );
    return { status: 201, body: { credential: { ...credential, expires_at: iamTime(expiresAt) } } };
  }
}
