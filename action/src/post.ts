import { AbortError, describeJob, getJobKind, getJobState, isTerminal, type JobRef } from '@jobgate/core';
import { clientFor, learnSecrets, stopStartedJob } from './client.js';
import { readClientInputs } from './inputs.js';
import * as out from './output.js';

/**
 * Runs after the job, also after a cancel. It stops a job only when the main step started it, the
 * workflow was cancelled (or the main step was killed before it ended), cancel_on_abort allows it, no
 * stop was confirmed, and the job has not already ended. Anything else is left as it is.
 */
export async function post(): Promise<void> {
  const saved = out.getState('job');
  if (!saved) return;
  let ref: JobRef;
  try {
    ref = JSON.parse(saved) as JobRef;
  } catch {
    out.warning('Post step: the saved job could not be read; nothing was stopped.');
    return;
  }
  const job = describeJob({ kind: String(ref.kind), ref });
  const cancelled = out.getState('outcome') === 'cancelled';
  if (out.getState('started') !== 'true') {
    if (cancelled)
      out.warning(
        `The wait was cancelled; ${job} was left as it is on Huawei Cloud (this step did not start it).`,
      );
    else out.debug(`Post step: nothing to clean up for ${job}.`);
    return;
  }
  if (out.getState('stopped') === 'true') {
    out.debug(`Post step: the main step already stopped ${job}.`);
    return;
  }
  if (!cancelled && out.getState('done') === 'true') {
    out.debug(`Post step: the main step ended normally; ${job} is left as it is.`);
    return;
  }
  if (!/^(true|yes|on)$/i.test(out.getInput('cancel_on_abort').trim() || 'true')) {
    out.warning(`The workflow was cancelled; ${job} was left running as cancel_on_abort is false.`);
    return;
  }

  learnSecrets();
  const client = clientFor(
    readClientInputs((name) => out.getInput(name), process.env, getJobKind(String(ref.kind)).service),
  );
  try {
    try {
      const state = await getJobState(client, ref, { signal: AbortSignal.timeout(5_000) });
      if (isTerminal(state.phase)) {
        out.info(`Post step: ${job} already ended (${state.status}, ${state.phase}); nothing to stop.`);
        return;
      }
    } catch (error) {
      // Unknown: a stop of an ended job is refused harmlessly, a job left running is not harmless.
      out.warning(
        `Post step: the state of ${job} could not be read (${error instanceof Error ? error.message : String(error)}); stopping it anyway.`,
      );
    }
    let options: Record<string, unknown> = {};
    try {
      options = JSON.parse(out.getState('stop_options') || '{}') as Record<string, unknown>;
    } catch {
      // The kind's defaults.
    }
    await stopStartedJob(client, ref, options, new AbortError('the workflow was cancelled'));
    out.info(`Stopped ${job} (by the post step: the main step ended before it could stop it)`);
    await out.summary(
      `JobGate: ${out.markdownText(job)} was stopped by the post step, as the workflow was cancelled.\n`,
    );
  } catch (error) {
    out.fail(`Post step: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await client.close();
  }
}
