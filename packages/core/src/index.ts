// The public surface of @jobgate/core: signing, the client and its APIs, errors, response schemas, job kinds, waiting.

export type { CallOptions } from './api-context.js';
export {
  AccessKeyAuth,
  type CredentialSource,
  Credentials,
  type EnvironmentSettings,
  fixedCredentials,
  IamTokenExchangeAuth,
  IdTokenAuth,
  type IdTokenSource,
  isCredentialSource,
  learnCredentials,
  type RequestCredentials,
  secretsOf,
  settingsFromEnv,
  TemporaryDuration,
  TokenAuth,
} from './auth/credentials.js';
export type { AccessKeyCredentials, SigningRequest, SignOptions } from './auth/signer.js';
export {
  buildCanonicalRequest,
  canonicalQuery,
  canonicalUri,
  encodeRfc3986,
  formatSdkDate,
  SIGNING_ALGORITHM,
  sha256Hex,
  signRequest,
  stringToSign,
} from './auth/signer.js';
export {
  DEFAULT_DURATION_SECONDS,
  type IssuedCredentials,
  readIdToken,
  renewalMargin,
  TemporaryCredentials,
  type TemporaryCredentialsOptions,
} from './auth/temporary.js';
export {
  boundValue,
  MAX_DEPTH,
  MAX_NODES,
  safeStringify,
  TOO_DEEP,
} from './bounded.js';
export { CdmApi } from './cdm/api.js';
export * from './cdm/schemas.js';
export { type ClientOptions, createClient, type JobGateClient, ProjectId } from './client.js';
export { DataArtsApi, type JobParamOptions, type WorkspaceOptions } from './dataarts/api.js';
export * from './dataarts/schemas.js';
export {
  DliApi,
  FlinkJobListFilter,
  MAX_LIST_PAGES,
  MAX_SQL_BYTES,
  MAX_SQL_CONF,
  MAX_TAGS,
  SqlJobSubmission,
} from './dli/api.js';
export * from './dli/schemas.js';
export { parseDuration } from './duration.js';
export {
  defaultHost,
  type EndpointOptions,
  isLoopbackHost,
  KNOWN_REGIONS,
  resolveEndpoint,
  SERVICES,
  type ServiceName,
} from './endpoints.js';
export { extractErrorInfo } from './error-schemas.js';
export {
  AbortError,
  describeJob,
  formatDuration,
  HuaweiCloudError,
  IdentityError,
  InputError,
  isRetryable,
  JobFailedError,
  JobGateError,
  NetworkError,
  RequestTimeoutError,
  ResponseFormatError,
  StartOutcomeUnknownError,
  StopFailedError,
  WaitTimeoutError,
} from './errors.js';
export { backoffDelay, parseRetryAfter } from './http/backoff.js';
export { MAX_TIMER_MS } from './http/request-gate.js';
export {
  type ApiAnswer,
  type ApiRequest,
  HTTP_DEFAULTS,
  type HttpEvent,
  type HttpOptions,
  HttpTransport,
  parseHttpOptions,
  provesNotReceived,
} from './http/transport.js';
export {
  createTemporaryKeys,
  describeIdToken,
  exchangeIdToken,
  type IamCall,
  type IamToken,
  type TemporaryKeys,
} from './iam/api.js';
export * from './iam/schemas.js';
export { humanIssue, InstanceId, parseInput } from './inputs.js';
export { aggregateSubmissions } from './kinds/cdm.js';
export {
  getJobKind,
  getJobState,
  JOB_KIND_NAMES,
  JOB_KINDS,
  type JobKindName,
  JobRef,
  JobStartSpec,
  type JobStopRequest,
  parseJobRef,
  parseStartSpec,
  parseStopOptions,
  parseStopRequest,
} from './kinds/index.js';
export {
  DetailTable,
  fieldsOf,
  isTerminal,
  type JobKind,
  type JobKindField,
  type JobKindStart,
  type JobKindStop,
  JobState,
  PHASES,
  Phase,
  phaseOf,
  type Started,
  startFieldsOf,
  stopFieldsOf,
  TERMINAL_PHASES,
} from './kinds/types.js';
export { oneLine, printable } from './printable.js';
export {
  displayUrl,
  PARTIAL_MIN,
  type RedactOptions,
  Redactor,
  redact,
  redactor,
  urlSecrets,
} from './redact.js';
export {
  RUN_DEFAULTS,
  type RunEvent,
  type RunOptions,
  runJob,
  startJob,
  stopJob,
} from './run/run-job.js';
export { readSuccessFlag, type SuccessFlag } from './schema-helpers.js';
export { PollSchedule, type ScheduleOptions } from './wait/schedule.js';
export {
  checkWaitOptions,
  WAIT_DEFAULTS,
  type WaitEvent,
  type WaitOptions,
  type WaitUntil,
  waitForJob,
} from './wait/wait-for-job.js';
