import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator, startTestIssuer, type TestIssuer } from '@jobgate/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  getJobState,
  IdentityError,
  InputError,
  type JobGateClient,
  redact,
  settingsFromEnv,
  TemporaryCredentials,
} from '../packages/core/src/index.js';

// The core's temporary credentials against the emulator's IAM: real id tokens (RS256, signed by a test
// issuer), real exchanges over HTTP, requests signed with what IAM issued.

const PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const IDP = 'github-actions';
const AUDIENCE = 'jobgate-tests';
const FLINK_ID = 31_001;

let emulator: Emulator;
let issuer: TestIssuer;
const clients: JobGateClient[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer({ now: () => emulator.admin.now() });
  emulator = await startEmulator({
    timeScale: 1,
    scenario: {
      credentials: [{ accessKey: 'UNUSEDAK000000000000', secretKey: 'unused-secret', projectId: PROJECT }],
      identityProviders: [
        issuer.identityProvider({
          id: IDP,
          clientId: AUDIENCE,
          projectId: PROJECT,
          rules: [
            { claims: { repository: 'octo-org/octo-repo', ref: 'refs/heads/release-*' }, allow: false },
            { claims: { repository: 'octo-org/octo-repo' } },
          ],
        }),
      ],
      jobs: [{ kind: 'dli-flink', jobId: FLINK_ID, steps: [{ status: 'job_running' }] }],
    },
  });
});
afterEach(() => {
  emulator.admin.reset();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await emulator?.close();
  await issuer?.close();
});

const idToken = (extra: Record<string, unknown> = {}) => issuer.sign(issuer.claimsFor(AUDIENCE, extra));

function client(credentials: Parameters<typeof createClient>[0]['credentials']): JobGateClient {
  const c = createClient({ endpoint: emulator.url, projectId: PROJECT, credentials, env: {} });
  clients.push(c);
  return c;
}

const iamCalls = (route: 'iam.id-token' | 'iam.security-token') =>
  emulator.admin.requests().filter((r) => r.route === route);

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('an id token exchanged for temporary credentials', () => {
  it('signs every request with the issued key and its security token, exchanged once for many requests', async () => {
    const c = client({ idpId: IDP, idToken: idToken() });
    const states = await Promise.all(
      Array.from({ length: 12 }, () => getJobState(c, { kind: 'dli-flink', jobId: FLINK_ID })),
    );
    expect(states.every((s) => s.status === 'job_running')).toBe(true);
    expect(iamCalls('iam.id-token')).toHaveLength(1);
    expect(iamCalls('iam.security-token')).toHaveLength(1);
    const jobRequests = emulator.admin.requests().filter((r) => r.route === 'dli.flink.detail');
    expect(jobRequests).toHaveLength(12);
    const issued = await c.credentials.current();
    expect(
      jobRequests.every(
        (r) => r.status === 200 && r.accessKey === (issued as { accessKey: string }).accessKey,
      ),
    ).toBe(true);
    // Every issued secret is known to the redactor.
    const { secretKey, securityToken } = issued as { secretKey: string; securityToken: string };
    expect(redact(`${secretKey} ${securityToken}`)).toBe('*** ***');
  });

  it('reads the id token file afresh at each exchange, as HUAWEICLOUD_SDK_ID_TOKEN_FILE names it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jobgate-oidc-'));
    try {
      const file = join(dir, 'token');
      writeFileSync(file, `${idToken()}\n`);
      const settings = settingsFromEnv({ HUAWEICLOUD_SDK_IDP_ID: IDP, HUAWEICLOUD_SDK_ID_TOKEN_FILE: file });
      expect(settings.credentials).toEqual({ idpId: IDP, idTokenFile: file });
      const c = createClient({
        endpoint: emulator.url,
        projectId: PROJECT,
        env: { HUAWEICLOUD_SDK_IDP_ID: IDP, HUAWEICLOUD_SDK_ID_TOKEN_FILE: file },
      });
      clients.push(c);
      expect((await getJobState(c, { kind: 'dli-flink', jobId: FLINK_ID })).status).toBe('job_running');
      const missing = client({ idpId: IDP, idTokenFile: join(dir, 'nothing') });
      const error = await failure(getJobState(missing, { kind: 'dli-flink', jobId: FLINK_ID }));
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toMatch(/credentials\.idTokenFile: cannot read the id token file .*ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renews before expiry on the monotonic clock: once for all requests, without a refusal', async () => {
    let now = 0;
    const source = new TemporaryCredentials({
      credentials: { idpId: IDP, idToken: () => idToken(), durationSeconds: 3600 },
      iamEndpoint: new URL(emulator.url),
      now: () => now,
    });
    const c = client(source);
    const first = await source.current();
    await getJobState(c, { kind: 'dli-flink', jobId: FLINK_ID });
    // 50 minutes on: both clocks move, the credentials are within their renewal margin.
    now += 50 * 60_000;
    emulator.admin.advanceClock(50 * 60_000);
    await Promise.all(
      Array.from({ length: 8 }, () => getJobState(c, { kind: 'dli-flink', jobId: FLINK_ID })),
    );
    expect(source.issued).toBe(2);
    expect(iamCalls('iam.security-token')).toHaveLength(2);
    // The IAM token lasts a day: renewing did not need a new id token.
    expect(iamCalls('iam.id-token')).toHaveLength(1);
    expect(emulator.admin.requests().filter((r) => r.status === 401)).toEqual([]);
    expect((await source.current()).accessKey).not.toBe(first.accessKey);
    await source.close();
  });

  it('credentials the gateway says have expired are renewed once and the request sent again', async () => {
    const c = client({ idpId: IDP, idToken: () => idToken(), durationSeconds: 900 });
    await getJobState(c, { kind: 'dli-flink', jobId: FLINK_ID });
    // The emulator's clock runs ahead of ours: it sees the key expired before we renew it.
    emulator.admin.advanceClock(16 * 60_000);
    const state = await getJobState(c, { kind: 'dli-flink', jobId: FLINK_ID });
    expect(state.status).toBe('job_running');
    expect(iamCalls('iam.security-token')).toHaveLength(2);
    const refused = emulator.admin.requests().filter((r) => r.status === 401);
    expect(refused.map((r) => r.reason)).toEqual(['temporary key expired']);
  });

  it('an IAM token alone: step two, and its refusal said as such', async () => {
    // An IAM token from a first exchange, then used alone.
    const source = new TemporaryCredentials({
      credentials: { idpId: IDP, idToken: idToken() },
      iamEndpoint: new URL(emulator.url),
    });
    await source.current();
    await source.close();
    const error = await failure(
      getJobState(client({ iamToken: 'MIIno-such-token-0123456789' }), {
        kind: 'dli-flink',
        jobId: FLINK_ID,
      }),
    );
    expect(error).toBeInstanceOf(IdentityError);
    expect(error.message).toMatch(/IAM did not accept the IAM token .*HTTP 401.*expired or was revoked/);
  });
});

describe("IAM's refusals say what to check", () => {
  const cases: [string, () => Parameters<typeof createClient>[0]['credentials'], RegExp][] = [
    [
      'an expired id token',
      () => ({ idpId: IDP, idToken: idToken({ exp: Math.floor(emulator.admin.now() / 1000) - 60 }) }),
      /did not accept the id token .*HTTP 401 .*expired at .*has not expired .*exp /,
    ],
    [
      'a token not valid yet',
      () => ({ idpId: IDP, idToken: idToken({ nbf: Math.floor(emulator.admin.now() / 1000) + 600 }) }),
      /did not accept the id token .*not valid before/,
    ],
    [
      'another issuer',
      () => ({ idpId: IDP, idToken: idToken({ iss: 'https://token.example.com' }) }),
      /issuer "https:\/\/token\.example\.com" is not the identity provider's.*idp_url/,
    ],
    [
      'a token signed by another key',
      () => ({
        idpId: IDP,
        idToken: issuer.sign(issuer.claimsFor(AUDIENCE), {
          key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
        }),
      }),
      /signature does not verify.*signing_key holds the issuer's current signing keys/,
    ],
    [
      'another audience',
      () => ({ idpId: IDP, idToken: issuer.sign(issuer.claimsFor('someone-else')) }),
      /audience .*client_id.*aud "someone-else"/,
    ],
    [
      'an identity provider that does not exist',
      () => ({ idpId: 'no-such-idp', idToken: idToken() }),
      /IAM has no identity provider "no-such-idp" .*HTTP 404 IAM\.0004.*check the identity provider id/,
    ],
    [
      'a token for another repository',
      () => ({ idpId: IDP, idToken: idToken({ repository: 'mallory/fork' }) }),
      /mapping grants it nothing .*HTTP 403 .*repository "mallory\/fork"/,
    ],
    [
      'a branch the mapping refuses',
      () => ({ idpId: IDP, idToken: idToken({ ref: 'refs/heads/release-1' }) }),
      /mapping grants it nothing .*refuses it.*ref "refs\/heads\/release-1"/,
    ],
  ];
  it.each(cases)('%s', async (_name, credentials, message) => {
    const given = credentials();
    const error = await failure(getJobState(client(given), { kind: 'dli-flink', jobId: FLINK_ID }));
    expect(error).toBeInstanceOf(IdentityError);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain((given as { idToken: string }).idToken.slice(-20));
    // Refused once, never retried.
    expect(iamCalls('iam.id-token')).toHaveLength(1);
    expect(iamCalls('iam.security-token')).toHaveLength(0);
  });

  it('a malformed answer is refused by its schema without echoing the issued secrets', async () => {
    emulator.admin.addFaults({
      type: 'respond',
      match: { path: '/v3.0/OS-CREDENTIAL/securitytokens' },
      status: 201,
      body: JSON.stringify({
        credential: {
          access: 'TEMPAK',
          secret: 'issued-secret-key-0123456789',
          securitytoken: 'issued-token-abcdefghij',
        },
      }),
    });
    const error = await failure(
      getJobState(client({ idpId: IDP, idToken: idToken() }), { kind: 'dli-flink', jobId: FLINK_ID }),
    );
    expect(error.message).toMatch(
      /iam answered HTTP 201 with a body that does not match .*credential\.expires_at/,
    );
    expect(error.message).not.toMatch(/issued-secret|issued-token/);
  });
});
