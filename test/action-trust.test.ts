import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Emulator, startEmulator, startTestIssuer, type TestIssuer } from '@jobgate/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeaks, secretForms } from '../packages/core/test/support/leaks.js';
import { type ActionRun, runAction } from '../scripts/action-harness.mjs';

// The built Action bundle on Node 24, through the runner's file protocol, against an emulator that
// plays hostile jobs: messages that carry the credentials in every form, workflow commands, markup.

const PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const CANARY = {
  accessKey: 'CANARYACCESSKEY00001',
  secretKey: 'cAnArY-sEcReT/kEy+9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  securityToken: 'cAnArY-sEcUrItY-tOkEn=1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
};
const CANARY_IAM_TOKEN =
  'cAnArY-iAm-ToKeN-MIIZ9gYJKoZIhvcNAQcCoIIZ5zCCGeMCAQExDTALBglghkgBZQMEAgEwghhFBgkqhkiG9w0BBwGgghg2BIIYMnsidG9rZW4iOnsi';
const SECRETS = [CANARY.secretKey, CANARY.securityToken, CANARY_IAM_TOKEN];
const FAST = { poll_interval: '0.1s', max_poll_interval: '0.2s' };
const CLUSTER = '6ec9a0a4-76be-4262-8697-e7af1fac7920';

const IDP = 'github-actions';

let emulator: Emulator;
let issuer: TestIssuer;
let next = 0;

beforeAll(async () => {
  issuer = await startTestIssuer({ now: () => emulator.admin.now() });
  emulator = await startEmulator({
    timeScale: 600,
    seed: 3,
    scenario: {
      credentials: [{ ...CANARY, projectId: PROJECT }],
      tokens: [{ token: CANARY_IAM_TOKEN, projectId: PROJECT }],
      identityProviders: [issuer.identityProvider({ id: IDP, clientId: IDP, projectId: PROJECT })],
      jobs: [],
    },
  });
});
afterAll(async () => {
  await emulator?.close();
  await issuer?.close();
});

const akInputs = () => ({
  endpoint: emulator.url,
  project_id: PROJECT,
  access_key: CANARY.accessKey,
  secret_key: CANARY.secretKey,
  security_token: CANARY.securityToken,
});
const tokenInputs = () => ({ endpoint: emulator.url, project_id: PROJECT, auth_token: CANARY_IAM_TOKEN });

/** Every secret in every form, with cut pieces: what a hostile job message holds. */
function echo(): string {
  return SECRETS.flatMap((s) => [...secretForms(s), s.slice(0, 11), s.slice(-11), `Bearer ${s}`]).join(' | ');
}

/** Everything the step left for people to see: logs, outputs, state, summary, of main and post. */
function channels(run: ActionRun): string {
  const text = [
    run.stdout,
    run.stderr,
    JSON.stringify(run.outputs),
    JSON.stringify(run.state),
    run.summary,
    run.envFile,
    run.post?.stdout,
    run.post?.stderr,
  ].join('\n');
  // ::add-mask:: lines are consumed by the runner (that is how it learns what to mask), never shown.
  return text
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

function expectNoLeaks(run: ActionRun, secrets: readonly string[] = SECRETS) {
  expect(findLeaks(channels(run), secrets)).toEqual([]);
}

/** A job of each kind that ends with the canary in every field it can carry, failing or succeeding. */
function hostileJobs(text: string) {
  const id = next++;
  const sqlFailed = `5e0c1a2b-0000-4000-8000-${String(id).padStart(12, '0')}`;
  const sqlFinished = `5e0c1a2b-1111-4000-8000-${String(id).padStart(12, '0')}`;
  const extra = { note: text, [`key ${text.slice(0, 40)}`]: text, nested: { deeper: [text] } };
  emulator.admin.addJobs([
    {
      kind: 'cdm',
      clusterId: CLUSTER,
      jobName: `canary_${id}`,
      steps: [{ status: 'FAILED', progress: -1, errorSummary: text, errorDetails: text, extra }],
    },
    {
      kind: 'dli-flink',
      jobId: 90_000 + id,
      name: `canary_${id}`,
      steps: [{ status: 'job_running_exception', statusDesc: text, extra }],
    },
    { kind: 'dli-sql', jobId: sqlFailed, steps: [{ status: 'FAILED', message: text, extra }] },
    {
      kind: 'dli-sql',
      jobId: sqlFinished,
      steps: [{ status: 'FINISHED', progress: 1, message: text, extra }],
    },
    {
      kind: 'dataarts-realtime',
      jobName: `canary_${id}`,
      steps: [{ status: 'EXCEPTION', message: text, extra }],
    },
  ] as never);
  return [
    { inputs: { job_kind: 'cdm', cluster_id: CLUSTER, job_name: `canary_${id}` }, passes: false },
    { inputs: { job_kind: 'dli-flink', job_id: String(90_000 + id) }, passes: false },
    { inputs: { job_kind: 'dli-sql', job_id: sqlFailed }, passes: false },
    { inputs: { job_kind: 'dli-sql', job_id: sqlFinished }, passes: true },
    { inputs: { job_kind: 'dataarts-realtime', job_name: `canary_${id}` }, passes: false },
  ];
}

describe('secret canaries in every output of the Action', () => {
  it('AK/SK with a security token: jobs of every kind echo them in every form, failing and succeeding', async () => {
    for (const job of hostileJobs(echo())) {
      const run = await runAction({ ...job.inputs, ...akInputs(), ...FAST });
      expect(run.exitCode, JSON.stringify(job.inputs)).toBe(job.passes ? 0 : 1);
      // The secrets this step holds; the IAM token in the echo is another step's.
      expectNoLeaks(run, [CANARY.secretKey, CANARY.securityToken]);
    }
  }, 120_000);

  it('an IAM token, echoed by a failing job and by a job that does not exist', async () => {
    const [job] = hostileJobs(echo());
    const failed = await runAction({ ...job?.inputs, ...tokenInputs(), ...FAST });
    expect(failed.exitCode).toBe(1);
    expectNoLeaks(failed, [CANARY_IAM_TOKEN]);
    const missing = await runAction({
      job_kind: 'cdm',
      cluster_id: CLUSTER,
      job_name: `missing ${CANARY_IAM_TOKEN}`,
      ...tokenInputs(),
      ...FAST,
    });
    expect(missing.exitCode).toBe(1);
    expectNoLeaks(missing, [CANARY_IAM_TOKEN]);
  });

  it('temporary credentials from an id token: every issued secret masked at once, in no output, exported for later steps', async () => {
    // IAM issues the canary key, secret and security token; the id token is known before the step runs.
    const nowSeconds = Math.floor(emulator.admin.now() / 1000);
    const idToken = issuer.sign(issuer.claimsFor(IDP, { exp: nowSeconds + 30 * 86_400 }));
    issuer.token = idToken;
    emulator.admin.addFaults({
      type: 'respond',
      match: { path: '/v3.0/OS-CREDENTIAL/securitytokens' },
      status: 201,
      body: JSON.stringify({
        credential: {
          access: CANARY.accessKey,
          secret: CANARY.secretKey,
          securitytoken: CANARY.securityToken,
          expires_at: new Date(emulator.admin.now() + 86_400_000).toISOString(),
        },
      }),
    });
    const issued = [CANARY.secretKey, CANARY.securityToken, idToken];
    const text = issued.flatMap((s) => [...secretForms(s), s.slice(0, 11), s.slice(-11)]).join(' | ');
    try {
      for (const job of hostileJobs(text).filter((j) => j.inputs.job_kind === 'dli-sql')) {
        const run = await runAction(
          {
            ...job.inputs,
            endpoint: emulator.url,
            project_id: PROJECT,
            identity_provider: IDP,
            export_credentials: 'true',
            ...FAST,
          },
          { env: issuer.env },
        );
        expect(run.exitCode, run.stdout).toBe(job.passes ? 0 : 1);
        const masks = run.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'));
        const iamToken = masks.find((l) => l.startsWith('::add-mask::MIIemu'))?.slice('::add-mask::'.length);
        expect(iamToken).toBeDefined();
        for (const secret of [...issued, CANARY.accessKey]) expect(masks).toContain(`::add-mask::${secret}`);
        // Exported for later steps by design, through the runner's env file, and nowhere else.
        expect(run.envFile).toContain('HUAWEI_CLOUD_SECRET_ACCESS_KEY');
        expect(run.envFile).toContain(CANARY.securityToken);
        expectNoLeaks({ ...run, envFile: '' }, [...issued, iamToken ?? '']);
        // The server's echo did arrive, masked.
        expect(channels(run)).toContain('***');
      }
    } finally {
      issuer.token = undefined;
      emulator.admin.clearFaults();
    }
  }, 60_000);

  it('an endpoint given with a password is refused without echoing it', async () => {
    const password = 'Hq7rX2vK9pLm4sT8';
    const run = await runAction({
      ...akInputs(),
      job_kind: 'dli-flink',
      job_id: '1',
      endpoint: `https://user:${password}@dli.example.com`,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error::Invalid input endpoint/);
    expect(findLeaks(channels(run), [password])).toEqual([]);
  });
});

describe('hostile answers through the emulator', () => {
  it('error answers that echo the secrets in error_code, error_msg, request_id and X-Request-Id', async () => {
    const forms = SECRETS.slice(0, 2).flatMap((s) => [...secretForms(s), s.slice(0, 10), s.slice(-10)]);
    const all = forms.join(' ');
    for (const [i, status] of [400, 503].entries()) {
      emulator.admin.addFaults({
        type: 'respond',
        match: { path: `/streaming/jobs/${97_000 + i}` },
        status,
        headers: { 'Content-Type': 'application/json', 'X-Request-Id': encodeURIComponent(all) },
        body: JSON.stringify({ error_code: `DLI.${all}`, error_msg: `denied ${all}`, request_id: all }),
      } as never);
      const run = await runAction({
        job_kind: 'dli-flink',
        job_id: String(97_000 + i),
        timeout: '2s',
        ...akInputs(),
        ...FAST,
      });
      expect(run.exitCode).toBe(1);
      if (status === 400) expect(run.stdout).toContain('denied');
      expectNoLeaks(run, [CANARY.secretKey, CANARY.securityToken]);
    }
    emulator.admin.clearFaults();
  }, 60_000);

  it('a succeeded CDM job whose answer holds a 20,000-deep field passes, with outputs and summary', async () => {
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    emulator.admin.addFaults({
      type: 'respond',
      match: { path: '/cdm/job/deep_job/status' },
      headers: { 'Content-Type': 'application/json' },
      body: `{"submissions":[{"job-name":"deep_job","status":"SUCCEEDED","progress":100,"creation-date":1,"odd":${deep},"counters":{"org.apache.sqoop.submission.counter.SqoopCounters":{"ROWS_READ":7,"DEEP":${deep}}}}]}`,
    } as never);
    const run = await runAction({
      job_kind: 'cdm',
      cluster_id: CLUSTER,
      job_name: 'deep_job',
      ...akInputs(),
      ...FAST,
    });
    emulator.admin.clearFaults();
    expect(run.exitCode).toBe(0);
    expect(run.outputs.phase).toBe('succeeded');
    expect(JSON.parse(run.outputs.job as string).raw.submissions[0].odd).toBeDefined();
    expect(run.summary).toContain('| ROWS_READ | 7 |');
    expect(run.stderr).toBe('');
  }, 60_000);
});

describe('server text never runs as a workflow command', () => {
  const INJECTION = [
    'disk full',
    '::error file=evil.ts,line=1::pwned',
    '::add-mask::JobGate',
    '::stop-commands::tok123',
    '  ::warning::indented pwned',
    '##[error]old-style pwned',
    '::set-output name=phase::succeeded',
    '\u001b[2K\u001b[1A\u001b[32mall good\u001b[0m',
    '<img src=x onerror=alert(1)> [click](https://evil.example) | cell',
  ].join('\r\n');

  function commandLines(stdout: string) {
    return stdout.split(/\r?\n|\r/).filter((line) => /^\s*(::|##\[)/.test(line));
  }

  it('a failed job whose message holds commands, escapes and markup: one error line, nothing else runs', async () => {
    const errors: string[] = [];
    const summaries: string[] = [];
    for (const job of hostileJobs(INJECTION).filter((j) => !j.passes)) {
      const run = await runAction({ ...job.inputs, ...akInputs(), ...FAST });
      expect(run.exitCode).toBe(1);
      const commands = commandLines(`${run.stdout}\n${run.post?.stdout ?? ''}`);
      const ours = /^::(add-mask|error|warning|debug|group|endgroup)::/;
      for (const line of commands) {
        expect(line, 'a command the Action did not write').toMatch(ours);
        expect(line).not.toMatch(/^\s+::/);
      }
      expect(commands.filter((l) => l.startsWith('::error')).length).toBe(1);
      // Inside the one error annotation the server's words are data; no other line carries them.
      const others = commands.filter((l) => !l.startsWith('::error::'));
      expect(others.join('\n')).not.toMatch(/pwned|stop-commands|set-output|##\[/);
      expect(commands.filter((l) => l.startsWith('::add-mask::')).every((l) => !l.includes('JobGate'))).toBe(
        true,
      );
      // The error annotation carries the message as data: its line breaks escaped, never a new line.
      errors.push(commands.find((l) => l.startsWith('::error')) ?? '');
      expect(`${run.stdout}${run.summary}`).not.toContain('\u001b');
      expect(run.summary).not.toMatch(/<img|(^|[^\\])\]\(https:/);
      summaries.push(run.summary);
      expect(run.outputs.phase).toBe('failed');
    }
    expect(errors.filter((e) => e.includes('pwned ⏎')).length).toBeGreaterThan(0);
    expect(summaries.filter((s) => s.includes('&lt;img src=x')).length).toBeGreaterThan(0);
  }, 120_000);
});

describe('a submitted statement is shown, never obeyed', () => {
  it('secrets in the statement and its settings are redacted; markup, links and commands stay inert', async () => {
    const sql = [
      `CREATE TABLE t USING csv OPTIONS ('access.key'='AKPLAIN', 'secret.key'='${CANARY.secretKey}')`,
      '  ::error file=evil.ts,line=1::pwned',
      '##[warning]old-style pwned',
      '<img src=x onerror=alert(1)> [click](https://evil.example) | cell | `code` *bold*',
      "GRANT SELECT ON t TO u IDENTIFIED BY 'hunter2-not-learned'",
    ].join('\n');
    const run = await runAction({
      job_kind: 'dli-sql',
      mode: 'run',
      sql,
      conf: `spark.password=${CANARY.securityToken}\nspark.sql.shuffle.partitions=2`,
      ...akInputs(),
      ...FAST,
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expectNoLeaks(run, [CANARY.secretKey, CANARY.securityToken, 'hunter2-not-learned']);
    // Looks like a secret though never learned: masked where the statement is shown.
    expect(channels(run)).not.toContain('AKPLAIN');
    expect(run.summary).toContain(String.raw`'secret.key'='\*\*\*'`);
    expect(run.summary).toContain(String.raw`spark.password=\*\*\*`);
    expect(run.summary).toContain('spark.sql.shuffle.partitions=2');
    // The summary shows the statement as text: no HTML, no link, no table break, no code or emphasis.
    const started = run.summary.slice(run.summary.indexOf('### Started with'));
    expect(started).toContain('&lt;img src=x');
    expect(started).not.toMatch(/<img|(^|[^\\])\]\(https:|(^|[^\\])`|(^|[^\\])\*bold/);
    expect(started.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(4);
    // Each line of the statement is logged as data, indented, never as a command.
    const commands = run.stdout.split(/\r?\n|\r/).filter((line) => /^\s*(::|##\[)/.test(line));
    expect(commands.every((l) => /^::(add-mask|debug|group|endgroup)::/.test(l))).toBe(true);
    expect(run.stdout).toContain('pwned');
  }, 60_000);
});

describe('failures before any request end as one clear error line', () => {
  it.each([
    ['project_id', { project_id: 'not a project!' }],
    ['timeout', { timeout: 'soon' }],
    ['job_id', { job_id: '\ud800' }],
  ])('a bad %s', async (input, bad) => {
    const run = await runAction({ job_kind: 'dli-flink', job_id: '1', ...akInputs(), ...bad });
    expect(run.exitCode).toBe(1);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`Invalid input ${input}`);
    // No stack, no bundled source.
    expect(run.stderr.length).toBeLessThan(300);
    expect(run.stdout).not.toMatch(/\n\s+at /);
  });
});

describe('a server cannot stall the step', () => {
  it('429 with Retry-After: 3600 on every answer: the wait ends at its timeout, one line per retry', async () => {
    const id = next++;
    emulator.admin.addJobs({
      kind: 'dli-flink',
      jobId: 95_000 + id,
      name: `slow_${id}`,
      steps: [{ status: 'job_running' }],
    } as never);
    emulator.admin.addFaults({
      type: '429',
      retryAfterSeconds: 3600,
      match: { path: `/streaming/jobs/${95_000 + id}` },
    });
    const started = performance.now();
    const run = await runAction({
      job_kind: 'dli-flink',
      job_id: String(95_000 + id),
      timeout: '3s',
      ...akInputs(),
      ...FAST,
    });
    const seconds = (performance.now() - started) / 1000;
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/timed out after 3s/);
    expect(seconds).toBeLessThan(20);
    expect(run.stderr).not.toContain('TimeoutOverflowWarning');
    expect(run.stdout.length).toBeLessThan(20_000);
    emulator.admin.clearFaults();
  });
});

describe('one way out', () => {
  it('no file of the Action writes to the runner except through output.ts', () => {
    const dir = join(__dirname, '..', 'action', 'src');
    const writers =
      /\bcore\.(info|warning|error|notice|debug|setFailed|setOutput|saveState|setSecret|exportVariable|startGroup|endGroup|group|summary)\b/;
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'output.ts')
      .filter((f) => writers.test(readFileSync(join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
    expect(readFileSync(join(dir, 'output.ts'), 'utf8')).toMatch(writers);
    // @actions/core's modules are reached from output.ts (its writers) and oidc.ts (the id token) only.
    const importers = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from '[^']*@actions\/core[^']*'/.test(readFileSync(join(dir, f), 'utf8')));
    expect(importers.sort()).toEqual(['oidc.ts', 'output.ts']);
  });
});
