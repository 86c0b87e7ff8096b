import * as core from '@actions/core';
import {
  AbortError,
  type ClientOptions,
  createClient,
  describeJob,
  getJobState,
  type HttpEvent,
  HuaweiCloudError,
  InputError,
  type JobFailedError,
  JobGateError,
  type JobState,
  urlSecrets,
  WaitTimeoutError,
  waitForJob,
} from '@jobgate/core';
import { type ActionConfig, inputErrorOf, readInputs } from './inputs.js';
import * as out from './output.js';
import { Heartbeat, renderSummary, stateLine } from './report.js';

const SECRET_INPUTS = ['secret_key', 'security_token', 'auth_token'];
const SECRET_ENV = ['HUAWEI_CLOUD_SECRET_ACCESS_KEY', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'];
/** Outputs are capped well below the runner's limit; the raw answer is what gets dropped. */
const MAX_JOB_OUTPUT = 512 * 1024;

/** The job's GitHub id token for `audience`, asked afresh at each exchange. */
function gitHubIdToken(audience: string): () => Promise<string> {
  return async () => {
    try {
      return await core.getIDToken(audience);
    } catch (error) {
      throw new JobGateError(
        'JOBGATE_ID_TOKEN',
        `GitHub did not give an id token for audience ${JSON.stringify(audience)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}

function credentialsOf(config: ActionConfig): ClientOptions['credentials'] {
  if (!config.oidc) return config.client.credentials;
  const { idpId, audience, durationSeconds } = config.oidc;
  return { idpId, idToken: gitHubIdToken(audience), durationSeconds };
}

/** Exported as huaweicloud/auth-action names them, with the security token as the SDKs read it. */
async function exportCredentials(
  client: ReturnType<typeof createClient>,
  signal: AbortSignal,
): Promise<void> {
  const issued = (await client.credentials.current(signal)) as {
    accessKey: string;
    secretKey: string;
    securityToken: string;
  };
  out.exportSecret('HUAWEI_CLOUD_ACCESS_KEY_ID', issued.accessKey);
  out.exportSecret('HUAWEI_CLOUD_SECRET_ACCESS_KEY', issued.secretKey);
  out.exportSecret('HUAWEICLOUD_SDK_SECURITY_TOKEN', issued.securityToken);
  out.info(
    'Exported temporary credentials for later steps (HUAWEI_CLOUD_ACCESS_KEY_ID, HUAWEI_CLOUD_SECRET_ACCESS_KEY, HUAWEICLOUD_SDK_SECURITY_TOKEN)',
  );
}

/** Every secret the step may hold, before anything else runs: masked by the runner, redacted by the core. */
function learnSecrets(): void {
  for (const name of SECRET_INPUTS) out.secret(core.getInput(name));
  for (const name of SECRET_ENV) out.secret(process.env[name]);
  for (const password of urlSecrets(core.getInput('endpoint'))) out.secret(password);
}

function setStateOutputs(state: JobState): void {
  out.output('status', state.status);
  out.output('phase', state.phase);
  out.output('progress', state.progress === undefined ? '' : String(state.progress));
}

const withoutRaw = (state: unknown) => ({
  ...(state as JobState),
  raw: '(omitted: too large for an output)',
});

function httpLine(event: HttpEvent): string {
  switch (event.type) {
    case 'response':
      return `${event.method} ${event.path} -> ${event.status} in ${event.durationMs} ms${event.requestId ? ` (request id ${event.requestId})` : ''}`;
    case 'network-error':
      return `${event.method} ${event.path} -> ${event.error.message}`;
    case 'retry':
      return `retrying ${event.method} ${event.path} in ${event.delayMs} ms after ${event.error.code}`;
  }
}

/** The step: inputs, wait, outputs, summary, verdict. */
export async function run(): Promise<void> {
  learnSecrets();
  const started = performance.now();
  let config: ActionConfig;
  let client: ReturnType<typeof createClient>;
  const pollLog: string[] = [];
  try {
    config = readInputs((name) => core.getInput(name), process.env);
    client = createClient({
      ...config.client,
      credentials: credentialsOf(config),
      // Every issued secret (id token, IAM token, temporary keys) is masked the moment it exists.
      onSecret: (value) => out.secret(value),
      http: { onEvent: (event) => pollLog.push(httpLine(event)) },
    });
  } catch (error) {
    out.fail(
      error instanceof InputError
        ? `Invalid input ${inputErrorOf(error).message}`
        : `JobGate could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    return;
  }
  const job = describeJob({ kind: config.kind, ref: config.ref });
  out.output('job_kind', config.kind);
  out.saveState('job', JSON.stringify(config.ref));

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    out.saveState('outcome', 'cancelled');
    controller.abort(`received ${signal}`);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let last: JobState | undefined;
  // A finished DLI SQL job lists no sub-jobs: the summary shows the last ones seen.
  let lastDetails: JobState['details'];
  const heartbeat = new Heartbeat();
  let verdict: 'passed' | 'failed' = 'failed';
  let reason = '';

  const fail = (message: string) => {
    reason = message;
    out.fail(message);
  };

  out.info(
    `Waiting on ${job} (${config.waitFor === 'none' ? 'current state only' : `until ${config.waitFor}`}, timeout ${core.getInput('timeout') || '60m'})`,
  );
  try {
    if (config.exportCredentials) await exportCredentials(client, controller.signal);
    if (config.waitFor === 'none') {
      last = await getJobState(client, config.ref, { signal: controller.signal });
      setStateOutputs(last);
      out.info(stateLine(last));
    } else {
      last = await waitForJob(client, config.ref, {
        until: config.waitFor,
        timeoutMs: config.timeoutMs,
        intervalMs: config.intervalMs,
        maxIntervalMs: config.maxIntervalMs,
        signal: controller.signal,
        onUpdate: (event) => {
          const now = performance.now();
          if (event.type === 'state') {
            last = event.state;
            if (event.state.details?.length) lastDetails = event.state.details;
            setStateOutputs(event.state);
            out.info(stateLine(event.state));
            heartbeat.logged(now);
          } else if (event.type === 'poll') {
            last = event.state;
            setStateOutputs(event.state);
            if (heartbeat.due(now)) {
              out.info(`still ${stateLine(event.state)} after ${Math.round(event.elapsedMs / 1000)}s`);
            }
          } else {
            out.warning(
              `Transient error ${event.consecutive}/${event.budget + 1}, will retry: ${event.error.message}`,
            );
          }
        },
      });
      setStateOutputs(last);
    }
    const phase = last.phase;
    if (phase === 'succeeded' || (config.waitFor === 'running' && phase === 'running')) {
      verdict = 'passed';
      reason = `${job} ${phase === 'succeeded' ? 'succeeded' : `is ${phase}`} (status ${last.status})`;
    } else if (phase === 'failed' || phase === 'cancelled') {
      fail(`${job} ${phase}: status ${last.status}${last.message ? `: ${last.message}` : ''}`);
    } else if (phase === 'unknown' && config.failOnUnknown) {
      fail(
        `${job} has status ${last.status}, which no documentation describes; failing as fail_on_unknown is true`,
      );
    } else {
      verdict = 'passed';
      reason = `${job} is ${phase} (status ${last.status})`;
      if (phase === 'unknown')
        out.warning(`${job} has undocumented status ${last.status}; passing as fail_on_unknown is false`);
    }
  } catch (error) {
    if ((error as JobFailedError).name === 'JobFailedError') {
      last = (error as JobFailedError).state;
      setStateOutputs(last);
      fail(`${job} ${last.phase}: status ${last.status}${last.message ? `: ${last.message}` : ''}`);
    } else if (error instanceof WaitTimeoutError) {
      if (error.state) last = error.state;
      fail(`${job}: ${error.message}`);
    } else if (error instanceof AbortError) {
      fail(
        `The wait on ${job} was cancelled (${controller.signal.reason ?? 'aborted'})${last ? `; last status ${last.status} (${last.phase})` : ''}`,
      );
    } else if (error instanceof HuaweiCloudError) {
      fail(`${job}: ${error.message}`);
    } else {
      fail(`${job}: ${error instanceof Error ? error.message : String(error)}`);
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    const durationMs = performance.now() - started;
    out.output('duration_seconds', String(Math.round(durationMs / 1000)));
    out.jsonOutput('job', last, MAX_JOB_OUTPUT, withoutRaw);
    const requests = client.transport.requestCount;
    if (pollLog.length) out.group(`Poll details (${requests} request${requests === 1 ? '' : 's'})`, pollLog);
    if (verdict === 'passed') out.info(reason);
    const summary = renderSummary({
      kind: config.kind,
      ref: config.ref,
      region: config.region,
      state: last && !last.details?.length && lastDetails ? { ...last, details: lastDetails } : last,
      verdict,
      reason,
      durationMs,
      requests: client.transport.requestCount,
    });
    await out.summary(summary);
    await client.close();
  }
}

// Whatever fails, however early, ends as one clear error line: never a stack of bundled source.
process.on('uncaughtException', (error) => {
  out.fail(`JobGate failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
await run().catch((error: unknown) => {
  out.fail(`JobGate failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
});
