/**
 * A stand-in for GitHub Actions' OIDC token service, for tests: an RSA key pair, its JWKS (what IAM's
 * OpenID Connect configuration stores as `signing_key`), RS256 id tokens with chosen claims, and a token
 * endpoint shaped like the runner's (`ACTIONS_ID_TOKEN_REQUEST_URL` / `ACTIONS_ID_TOKEN_REQUEST_TOKEN`,
 * `GET {url}&audience=…` with `Authorization: Bearer {token}` → `{"value": "<JWT>"}`), so that an Action
 * is tested exactly as a runner runs it.
 */
import { generateKeyPairSync, type JsonWebKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IdentityProviderInput, MappingRule } from './scenario.js';

/** GitHub's issuer; the test issuer signs as it unless told otherwise. */
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface TestIssuerOptions {
  issuer?: string;
  /** Claims of every token the endpoint serves, over the defaults (a push to main of octo-org/octo-repo). */
  claims?: Record<string, unknown>;
  /** How long served tokens last, in seconds (GitHub's last a few minutes). Default 300. */
  lifetimeSeconds?: number;
  /** The clock tokens are stamped with, epoch ms (pass the emulator's, `() => emulator.admin.now()`). */
  now?: () => number;
  host?: string;
}

export interface TokenRequest {
  audience: string | undefined;
  /** Whether the request carried the runner's request token. */
  authorized: boolean;
}

export interface TestIssuer {
  /** The `iss` of its tokens. */
  issuer: string;
  /** The public key set to give IAM (the OIDC configuration's `signing_key`). */
  jwks: { keys: JsonWebKey[] };
  /** The variables a runner sets for a job with `permissions: id-token: write`. */
  env: { ACTIONS_ID_TOKEN_REQUEST_URL: string; ACTIONS_ID_TOKEN_REQUEST_TOKEN: string };
  /** Claims of served tokens (change them between runs: `issuer.claims.repository = '…'`). */
  claims: Record<string, unknown>;
  /** Every request the token endpoint answered. */
  requests: TokenRequest[];
  /** When set, the endpoint serves exactly this token (a test that must know the token in advance). */
  token: string | undefined;
  /** An RS256 token with exactly these claims (over none), signed with the issuer's key or another. */
  sign(claims: Record<string, unknown>, options?: { kid?: string; key?: KeyObject }): string;
  /** The default claims for `audience`, stamped now, with `extra` over them. */
  claimsFor(audience: string, extra?: Record<string, unknown>): Record<string, unknown>;
  /** A scenario identity provider that trusts this issuer. */
  identityProvider(
    init: { id: string; clientId: string; projectId: string } & { rules?: Partial<MappingRule>[] },
  ): IdentityProviderInput;
  close(): Promise<void>;
}

const KID = 'jobgate-test-key-1';

export async function startTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const issuer = options.issuer ?? GITHUB_ISSUER;
  const now = options.now ?? Date.now;
  const lifetime = options.lifetimeSeconds ?? 300;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
  const requestToken = randomBytes(24).toString('base64url');
  const requests: TokenRequest[] = [];

  const signToken = (claims: Record<string, unknown>, opts: { kid?: string; key?: KeyObject } = {}) => {
    const header = { alg: 'RS256', typ: 'JWT', kid: opts.kid ?? KID };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${encode(header)}.${encode(claims)}`;
    const signature = sign('sha256', Buffer.from(input), opts.key ?? privateKey).toString('base64url');
    return `${input}.${signature}`;
  };

  const self: Omit<TestIssuer, 'env' | 'close'> = {
    issuer,
    jwks: { keys: [jwk] },
    claims: { ...options.claims },
    requests,
    token: undefined,
    sign: signToken,
    claimsFor(audience, extra = {}) {
      const iat = Math.floor(now() / 1000);
      const repository = 'octo-org/octo-repo';
      return {
        jti: randomBytes(8).toString('hex'),
        sub: `repo:${repository}:ref:refs/heads/main`,
        aud: audience,
        ref: 'refs/heads/main',
        ref_type: 'branch',
        repository,
        repository_owner: 'octo-org',
        event_name: 'push',
        workflow: 'ci',
        run_id: '1',
        actor: 'octocat',
        iss: issuer,
        nbf: iat - 5,
        iat,
        exp: iat + lifetime,
        ...self.claims,
        ...extra,
      };
    },
    identityProvider({ id, clientId, projectId, rules }) {
      return {
        id,
        issuer,
        clientId,
        projectId,
        jwks: { keys: [{ kty: 'RSA', n: String(jwk.n), e: String(jwk.e), kid: KID }] },
        rules: (rules ?? [{ claims: { repository: 'octo-org/octo-repo' } }]).map((r) => ({
          claims: r.claims ?? {},
          ...(r.allow === undefined ? {} : { allow: r.allow }),
        })),
      };
    },
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://issuer');
    const authorized = req.headers.authorization === `Bearer ${requestToken}`;
    const audience = url.searchParams.get('audience') ?? undefined;
    requests.push({ audience, authorized });
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || url.pathname !== '/token') return reply(404, { message: 'Not Found' });
    if (!authorized) return reply(401, { message: 'Unauthorized' });
    // GitHub's default audience is the URL of the repository owner.
    const aud = audience ?? `https://github.com/${String(self.claims.repository_owner ?? 'octo-org')}`;
    return reply(200, { value: issued.token ?? signToken(self.claimsFor(aud)) });
  });
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issued: TestIssuer = Object.assign(self, {
    env: {
      // The runner's URL already has a query: clients append `&audience=`.
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  });
  return issued;
}
