import { type Emulator, startEmulator, startTestIssuer, type TestIssuer } from '@jobgate/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../scripts/action-harness.mjs';

// A workflow with no key in it: the built bundle on Node 24, given the runner's id-token variables by a
// test issuer shaped like GitHub's, exchanges the job's id token at the emulator's IAM and waits with the
// temporary credentials. The emulator's clock stands still unless a test moves it.

const PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const IDP = 'github-actions';
const FAST = { poll_interval: '0.1s', max_poll_interval: '0.2s' };

let emulator: Emulator;
let issuer: TestIssuer;
let nextJob = 80_000;

beforeAll(async () => {
  issuer = await startTestIssuer({ now: () => emulator.admin.now() });
  emulator = await startEmulator({
    timeScale: 1,
    scenario: {
      credentials: [{ accessKey: 'UNUSEDAK000000000000', secretKey: 'unused-secret', projectId: PROJECT }],
      // The audience defaults to the identity provider's id: its client_id.
      identityProviders: [
        issuer.identityProvider({
          id: IDP,
          clientId: IDP,
          projectId: PROJECT,
          rules: [{ claims: { repository: 'octo-org/octo-repo', ref: 'refs/heads/main' } }],
        }),
      ],
      jobs: [],
    },
  });
});
afterEach(() => {
  issuer.claims = {};
  issuer.token = undefined;
  emulator.admin.clearRequests();
});
afterAll(async () => {
  await emulator?.close();
  await issuer?.close();
});

function flinkJob(steps: { status: string; durationMs?: number }[]): string {
  const jobId = nextJob++;
  emulator.admin.addJobs({ kind: 'dli-flink', jobId, name: `oidc_${jobId}`, steps } as never);
  return String(jobId);
}

const inputs = (job_id: string) => ({
  job_kind: 'dli-flink',
  job_id,
  identity_provider: IDP,
  endpoint: emulator.url,
  project_id: PROJECT,
  ...FAST,
});

const routes = (route: string) => emulator.admin.requests().filter((r) => r.route === route);
const errorLines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error::'));

describe('GitHub OIDC instead of keys', () => {
  it('a wait with no key passes: the id token for the default audience, every issued secret masked', async () => {
    const job = flinkJob([{ status: 'job_finish' }]);
    const run = await runAction(inputs(job), { env: issuer.env });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ status: 'job_finish', phase: 'succeeded' });
    expect(issuer.requests.at(-1)).toEqual({ audience: IDP, authorized: true });
    expect(routes('iam.id-token').map((r) => r.status)).toEqual([201]);
    expect(routes('iam.security-token').map((r) => r.status)).toEqual([201]);
    const signed = routes('dli.flink.detail');
    expect(signed.length).toBeGreaterThan(0);
    const temporaryKey = signed[0]?.accessKey ?? '';
    expect(temporaryKey).toMatch(/^[A-Z0-9]{20}$/);
    expect(signed.every((r) => r.status === 200 && r.accessKey === temporaryKey)).toBe(true);
    // Masked by the runner: the temporary key, and with it its secret, token, the IAM token and id token.
    const masks = run.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
    expect(masks).toContain(`::add-mask::${temporaryKey}`);
    expect(masks.length).toBeGreaterThanOrEqual(5);
  });

  it('a token for another repository is refused by the mapping, and the error says what to check', async () => {
    issuer.claims = { repository: 'mallory/fork', sub: 'repo:mallory/fork:ref:refs/heads/main' };
    const run = await runAction(inputs(flinkJob([{ status: 'job_finish' }])), { env: issuer.env });
    expect(run.exitCode).toBe(1);
    const errors = errorLines(run.stdout);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/mapping grants it nothing .*HTTP 403.*repository "mallory\/fork"/);
    expect(routes('iam.security-token')).toEqual([]);
    expect(routes('dli.flink.detail')).toEqual([]);
  });

  it('an expired id token is refused, saying so', async () => {
    const now = Math.floor(emulator.admin.now() / 1000);
    issuer.token = issuer.sign(issuer.claimsFor(IDP, { iat: now - 900, nbf: now - 900, exp: now - 600 }));
    const run = await runAction(inputs(flinkJob([{ status: 'job_finish' }])), { env: issuer.env });
    expect(run.exitCode).toBe(1);
    expect(errorLines(run.stdout)[0]).toMatch(/did not accept the id token .*HTTP 401.*expired at/);
    expect(routes('dli.flink.detail')).toEqual([]);
  });

  it('without `id-token: write` the error says exactly that, and nothing is sent', async () => {
    const run = await runAction(inputs(flinkJob([{ status: 'job_finish' }])));
    expect(run.exitCode).toBe(1);
    expect(errorLines(run.stdout)).toEqual([
      '::error::Invalid input identity_provider: this job may not ask GitHub for an id token: add `permissions: id-token: write` to the job (with `contents: read` if it checks out code)',
    ]);
    expect(emulator.admin.requests()).toEqual([]);
  });

  it('credentials that expire during a long wait are renewed once, and the wait goes on', async () => {
    const job = flinkJob([{ status: 'job_running', durationMs: 20 * 60_000 }, { status: 'job_finish' }]);
    // The clock moves as the step goes: past the credentials' 15 minutes while the job runs, then, once
    // renewed credentials have been used, past the job's end.
    let stage = 0;
    const driver = setInterval(() => {
      const answered = routes('dli.flink.detail').filter((r) => r.status === 200).length;
      if (stage === 0 && answered === 1) {
        stage = 1;
        emulator.admin.advanceClock(16 * 60_000);
      } else if (stage === 1 && answered === 2) {
        stage = 2;
        emulator.admin.advanceClock(5 * 60_000);
      }
    }, 10);
    try {
      const run = await runAction({ ...inputs(job), credentials_duration: '15m' }, { env: issuer.env });
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.outputs.status).toBe('job_finish');
    } finally {
      clearInterval(driver);
    }
    expect(stage).toBe(2);
    expect(routes('iam.security-token')).toHaveLength(2);
    // The IAM token lasts a day: no second id token.
    expect(routes('iam.id-token')).toHaveLength(1);
    const refused = emulator.admin.requests().filter((r) => r.status === 401);
    expect(refused.map((r) => r.reason)).toEqual(['temporary key expired']);
  });

  it.each([
    ['credentials_duration', { credentials_duration: '10m' }, /expected whole seconds from 15m to 24h/],
    ['identity_provider', { access_key: 'AK', secret_key: 'SK' }, /either identity_provider or access_key/],
  ])('a bad %s is named', async (input, bad, message) => {
    const run = await runAction({ ...inputs('1'), ...bad }, { env: issuer.env });
    expect(run.exitCode).toBe(1);
    const errors = errorLines(run.stdout);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`Invalid input ${input}`);
    expect(errors[0]).toMatch(message);
  });
});
