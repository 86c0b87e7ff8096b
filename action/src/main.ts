import * as core from '@actions/core';
import {
  AbortError,
  createClient,
  describeJob,
  getJobState,
  type HttpEvent,
  HuaweiCloudError,
  InputError,
  type JobFailedError,
  type JobState,
  WaitTimeoutError,
  waitForJob,
} from '@jobgate/core';
import { type ActionConfig, readInputs } from './inputs.js';
import { Heartbeat, renderSummary, stateLine } from './report.js';

const SECRET_INPUTS = ['secret_key', 'security_token', 'auth_token'];
const SECRET_ENV = ['HUAWEI_CLOUD_SECRET_ACCESS_KEY', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'];
/** Outputs are capped well below the runner's limit; the raw answer is what gets dropped. */
const MAX_JOB_OUTPUT = 512 * 1024;

function maskSecrets(): void {
  for (const name of SECRET_INPUTS) {
    const value = core.getInput(name);
    if (value) core.setSecret(value);
  }
  for (const name of SECRET_ENV) {
    const value = process.env[name];
    if (value) core.setSecret(value);
  }
}

function setStateOutputs(state: JobState): void {
  core.setOutput('status', state.status);
  core.setOutput('phase', state.phase);
  core.setOutput('progress', state.progress === undefined ? '' : String(state.progress));
}

function jobOutput(state: JobState | undefined): string {
  if (!state) return '';
  const full = JSON.stringify(state);
  return full.length <= MAX_JOB_OUTPUT
    ? full
    : JSON.stringify({ ...state, raw: '(omitted: too large for an output)' });
}

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
  maskSecrets();
  const started = Date.now();
  let config: ActionConfig;
  try {
    config = readInputs((name) => core.getInput(name), process.env);
  } catch (error) {
    core.setFailed(error instanceof InputError ? `Invalid input ${error.message}` : String(error));
    return;
  }
  const job = describeJob({ kind: config.kind, ref: config.ref });
  core.setOutput('job_kind', config.kind);
  core.saveState('job', JSON.stringify(config.ref));

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    core.saveState('outcome', 'cancelled');
    controller.abort(`received ${signal}`);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const pollLog: string[] = [];
  const client = createClient({
    ...config.client,
    http: { onEvent: (event) => pollLog.push(httpLine(event)) },
  });
  let last: JobState | undefined;
  // A finished DLI SQL job lists no sub-jobs: the summary shows the last ones seen.
  let lastDetails: JobState['details'];
  const heartbeat = new Heartbeat();
  let verdict: 'passed' | 'failed' = 'failed';
  let reason = '';

  const fail = (message: string) => {
    reason = message;
    core.setFailed(message);
  };

  core.info(
    `Waiting on ${job} (${config.waitFor === 'none' ? 'current state only' : `until ${config.waitFor}`}, timeout ${core.getInput('timeout') || '60m'})`,
  );
  try {
    if (config.waitFor === 'none') {
      last = await getJobState(client, config.ref, { signal: controller.signal });
      setStateOutputs(last);
      core.info(stateLine(last));
    } else {
      last = await waitForJob(client, config.ref, {
        until: config.waitFor,
        timeoutMs: config.timeoutMs,
        intervalMs: config.intervalMs,
        maxIntervalMs: config.maxIntervalMs,
        signal: controller.signal,
        onUpdate: (event) => {
          const now = Date.now();
          if (event.type === 'state') {
            last = event.state;
            if (event.state.details?.length) lastDetails = event.state.details;
            setStateOutputs(event.state);
            core.info(stateLine(event.state));
            heartbeat.logged(now);
          } else if (event.type === 'poll') {
            last = event.state;
            setStateOutputs(event.state);
            if (heartbeat.due(now)) {
              core.info(`still ${stateLine(event.state)} after ${Math.round(event.elapsedMs / 1000)}s`);
            }
          } else {
            core.warning(
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
      reason = `${job} is ${phase} (status ${last.status})`;
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
        core.warning(`${job} has undocumented status ${last.status}; passing as fail_on_unknown is false`);
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
    const durationMs = Date.now() - started;
    core.setOutput('duration_seconds', String(Math.round(durationMs / 1000)));
    core.setOutput('job', jobOutput(last));
    if (pollLog.length) {
      core.startGroup(`Poll details (${client.transport.requestCount} requests)`);
      for (const line of pollLog) core.info(line);
      core.endGroup();
    }
    if (verdict === 'passed') core.info(reason);
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
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summary).write();
    await client.close();
  }
}

await run();
