import * as out from './output.js';

/**
 * Runs after the job, also after a cancel. The main step saved the job's
 * identity; stopping the remote job on cancel comes in a later release, so
 * for now the post step says what was left as it was.
 */
export function post(): void {
  const job = out.getState('job');
  if (!job) return;
  if (out.getState('outcome') === 'cancelled') {
    out.warning(
      `The wait was cancelled; the job ${job} was left as it is on Huawei Cloud (JobGate does not stop jobs yet).`,
    );
  } else {
    out.debug(`Post step: nothing to clean up for ${job}.`);
  }
}

post();
