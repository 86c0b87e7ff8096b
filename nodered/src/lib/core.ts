/**
 * The one module that loads @jobgate/core. The core is ESM-only and the node
 * files must be CommonJS to load in Node-RED 4.1, so the build bundles this
 * module (the core with zod and undici) into one CommonJS file that every
 * node file requires: the installed package needs no runtime dependency.
 */

export type {
  FlinkJobListItem,
  JobGateClient,
  JobKind,
  JobRef,
  JobStartSpec,
  JobState,
  JobStopRequest,
  WaitEvent,
} from '@jobgate/core';
export {
  AbortError,
  boundValue,
  createClient,
  FLINK_JOB_STATUSES,
  FLINK_JOB_TYPES,
  FlinkJobListFilter,
  fieldsOf,
  getJobKind,
  getJobState,
  HuaweiCloudError,
  humanIssue,
  InputError,
  isTerminal,
  JOB_KINDS,
  JobFailedError,
  JobGateError,
  oneLine,
  parseDuration,
  parseJobRef,
  printable,
  ResponseFormatError,
  redact,
  redactor,
  StopFailedError,
  secretsOf,
  settingsFromEnv,
  startFieldsOf,
  startJob,
  stopJob,
  urlSecrets,
  WaitTimeoutError,
  waitForJob,
} from '@jobgate/core';
export { EnvHttpProxyAgent } from 'undici';
