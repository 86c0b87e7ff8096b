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
export { Clock } from './clock.js';
export type { Fault, FaultInput, FaultType } from './faults.js';
export { FaultSchema, FaultTypeSchema } from './faults.js';
export type { Prng } from './prng.js';
export { createPrng } from './prng.js';
export type { RouteName } from './routes.js';
export type {
  CdmJob,
  Credential,
  DataArtsBatchJob,
  DataArtsJob,
  Dialect,
  FlinkJob,
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
