export { ADMIN_PREFIX } from './admin.js';
export type { AuthResult, ParsedAuthorization, ReceivedRequest } from './auth.js';
export {
  Authenticator,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  encodeRfc3986,
  LOCK_MS,
  MAX_ACCESS_KEY_LENGTH,
  MAX_CONSECUTIVE_FAILURES,
  MAX_SKEW_MS,
  MAX_TRACKED_KEYS,
  parseAuthorization,
  parseSdkDate,
  signatureFor,
  stringToSign,
} from './auth.js';
export { USAGE as EMULATOR_USAGE } from './cli-args.js';
export { Clock } from './clock.js';
export type { Fault, FaultInput, FaultType } from './faults.js';
export { FaultSchema, FaultTypeSchema } from './faults.js';
export type { IamRoute } from './iam.js';
export {
  IAM_TOKEN_LIFETIME_MS,
  ID_TOKEN_PATH,
  MAX_DURATION_SECONDS,
  MIN_DURATION_SECONDS,
  SECURITY_TOKEN_PATH,
} from './iam.js';
export type { Prng } from './prng.js';
export { createPrng } from './prng.js';
export type { RouteName } from './routes.js';
export { type CliIo, runEmulatorCli } from './run-cli.js';
export type {
  CdmJob,
  Credential,
  DataArtsBatchJob,
  DataArtsJob,
  Dialect,
  FlinkJob,
  IdentityProvider,
  IdentityProviderInput,
  Job,
  JobInput,
  OnStartRule,
  OnStartRuleInput,
  Scenario,
  ScenarioInput,
  ScenarioIssue,
  SqlJob,
} from './scenario.js';
export {
  DEFAULT_DIALECT,
  DEFAULT_SCENARIO_PATH,
  DialectSchema,
  IdentityProviderSchema,
  JobSchema,
  loadScenarioFile,
  OnStartRuleSchema,
  parseScenario,
  ScenarioError,
  ScenarioSchema,
} from './scenario.js';
export type { Emulator, EmulatorAdmin, EmulatorOptions } from './server.js';
export { startEmulator } from './server.js';
export type { JobSummary, RequestLog, RequestLogEntry } from './state.js';
export { DEFAULT_REQUEST_LOG_SIZE } from './state.js';
export type { TestIssuer, TestIssuerOptions, TokenRequest } from './test-issuer.js';
export { GITHUB_ISSUER, startTestIssuer } from './test-issuer.js';
