import {
  AbortError,
  describeJob,
  fieldsOf,
  getJobKind,
  getJobState,
  type HttpEvent,
  HuaweiCloudError,
  InputError,
  type JobFailedError,
  type JobGateError,
  type JobRef,
  type JobState,
  StopFailedError,
  startJob,
  WaitTimeoutError,
  waitForJob,
} from '@jobgate/core';
import { clientFor, learnSecrets, stopStartedJob } from './client.js';
import { type ActionConfig, inputErrorOf, readInputs } from './inputs.js';
import * as out from './output.js';
import { POST_PHASE } from './phase.js';
import { post } from './post.js';
import { Heartbeat, renderSummary, startDetails, stateLine } from './report.js';

/** Outputs are capped well below the runner's limit; the raw answer is what gets dropped. */
const MAX_JOB_OUTPUT = 512 * 1024;

/** Exported as huaweicloud/auth-action names them, with the security token as the SDKs read it. */
async function exportCredentials(client: ReturnType<typeof clientFor>, signal: AbortSignal): Promise<void> {
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

/**
 * The job's identity as outputs (each reference field by its input's name, and `job` as `{kind, ref}`),
 * and as state for the post step: set the moment it is known.
 */
function announce(kind: string, ref: JobRef): void {
  const { kind: _kind, ...fields } = ref as Record<string, unknown>;
  for (const field of fieldsOf(getJobKind(kind))) {
    const value = fields[field.key];
    if (value !== undefined) out.output(field.input, String(value));
  }
  out.jsonOutput('job', { kind, ref: fields }, MAX_JOB_OUTPUT);
  out.saveState('job', JSON.stringify(ref));
}

/** Why the step should stop the job it started, given how the wait ended; undefined to leave it. */
function stopReason(config: ActionConfig, error: unknown): 'cancel' | 'timeout' | undefined {
  if (error instanceof AbortError) return config.cancelOnAbort ? 'cancel' : undefined;
  if (error instanceof WaitTimeoutError) return config.stopOnTimeout ? 'timeout' : undefined;
  return undefined;
}

/** The step: inputs, start (in `run` and `start` modes), wait, outputs, summary, verdict. */
export async function run(): Promise<void> {
  learnSecrets();
  const started = performance.now();
  let config: ActionConfig;
  let client: ReturnType<typeof clientFor>;
  const pollLog: string[] = [];
  try {
    config = await readInputs((name) => out.getInput(name), process.env);
    client = clientFor(config, (event) => pollLog.push(httpLine(event)));
  } catch (error) {
    out.fail(
      error instanceof InputError
        ? `Invalid input ${inputErrorOf(error).message}`
        : `JobGate could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    return;
  }
  const title = getJobKind(config.kind).title;
  let ref = config.ref;
  let job = ref ? describeJob({ kind: config.kind, ref }) : `the new ${title}`;
  out.output('job_kind', config.kind);
  if (ref) announce(config.kind, ref);

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
  let startedHere = false;
  let stoppedBy: string | undefined;

  const fail = (message: string) => {
    reason = message;
    out.fail(message);
  };

  try {
    if (config.exportCredentials) await exportCredentials(client, controller.signal);
    if (config.spec) {
      out.info(`Starting a ${title}`);
      for (const detail of startDetails(config.spec)) {
        out.info(`  ${detail.label}:`);
        for (const line of detail.lines) out.info(`    ${line}`);
      }
      // Not cut short by a cancel: once sent, the start may have started a job, and only its answer
      // names the job to stop.
      ref = await startJob(client, config.spec);
      startedHere = true;
      out.saveState('started', 'true');
      out.saveState('stop_options', JSON.stringify(config.stop));
      announce(config.kind, ref);
      job = describeJob({ kind: config.kind, ref });
      out.info(`Started ${job}`);
      if (controller.signal.aborted) throw new AbortError(controller.signal.reason);
      if (config.mode === 'start') {
        verdict = 'passed';
        reason = `Started ${job}`;
        return;
      }
    }
    if (!ref) throw new Error('no job to wait on');
    out.info(
      `Waiting on ${job} (${config.waitFor === 'none' ? 'current state only' : `until ${config.waitFor}`}, timeout ${out.getInput('timeout') || '60m'})`,
    );
    if (config.waitFor === 'none') {
      last = await getJobState(client, ref, { signal: controller.signal });
      setStateOutputs(last);
      out.info(stateLine(last));
    } else {
      last = await waitForJob(client, ref, {
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
  } catch (caught) {
    let error = caught;
    const why = startedHere && ref ? stopReason(config, error) : undefined;
    if (why && ref) {
      out.info(`Stopping ${job}: ${why === 'cancel' ? 'the workflow was cancelled' : 'the wait timed out'}`);
      try {
        await stopStartedJob(client, ref, config.stop, error as JobGateError);
        stoppedBy = 'main step';
        out.saveState('stopped', 'true');
        out.output('stopped', 'true');
        out.info(`Stopped ${job} (by the main step, ${why === 'cancel' ? 'on cancel' : 'on timeout'})`);
      } catch (stopError) {
        error = stopError;
      }
    }
    if ((error as JobFailedError).name === 'JobFailedError') {
      last = (error as JobFailedError).state;
      setStateOutputs(last);
      fail(`${job} ${last.phase}: status ${last.status}${last.message ? `: ${last.message}` : ''}`);
    } else if (error instanceof StopFailedError) {
      fail(`${job}: ${error.message}${why === 'cancel' ? '; the post step will try again' : ''}`);
    } else if (error instanceof WaitTimeoutError) {
      if (error.state) last = error.state;
      fail(`${job}: ${error.message}${stoppedBy ? '; the job was stopped' : ''}`);
    } else if (error instanceof AbortError) {
      const left = startedHere
        ? stoppedBy
          ? '; the job was stopped'
          : '; the job was left running (cancel_on_abort is false)'
        : '';
      fail(
        `The wait on ${job} was cancelled (${controller.signal.reason ?? 'aborted'})${last ? `; last status ${last.status} (${last.phase})` : ''}${left}`,
      );
    } else if (error instanceof HuaweiCloudError) {
      fail(`${job}: ${error.message}`);
    } else {
      fail(`${job}: ${error instanceof Error ? error.message : String(error)}`);
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    // The post step stops a job this step started only when this step did not get this far.
    out.saveState('done', 'true');
    const durationMs = performance.now() - started;
    out.output('duration_seconds', String(Math.round(durationMs / 1000)));
    if (last) out.jsonOutput('job', last, MAX_JOB_OUTPUT, withoutRaw);
    else if (!ref) out.jsonOutput('job', undefined, MAX_JOB_OUTPUT);
    if (!stoppedBy && startedHere) out.output('stopped', 'false');
    const requests = client.transport.requestCount;
    if (pollLog.length) out.group(`Poll details (${requests} request${requests === 1 ? '' : 's'})`, pollLog);
    if (verdict === 'passed') out.info(reason);
    const summary = renderSummary({
      kind: config.kind,
      ref,
      mode: config.mode,
      spec: config.spec,
      stoppedBy,
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
// One bundle holds both steps: dist/main and dist/post load it (entry.ts), the post step in its post phase.
if ((globalThis as Record<symbol, unknown>)[POST_PHASE]) {
  await post().catch((error: unknown) => {
    out.fail(
      `JobGate post step failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
} else {
  await run().catch((error: unknown) => {
    out.fail(`JobGate failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
  });
}
