/**
 * Everything the emulator remembers, and the admin operations on it. The HTTP admin API and the
 * in-process `admin` helpers both call these methods, so they cannot drift apart.
 */
import { Authenticator, MAX_TRACKED_KEYS } from './auth.js';
import { RingBuffer } from './bounded.js';
import { Clock } from './clock.js';
import type { Fault, FaultType } from './faults.js';
import { FaultInjector, RateLimiter } from './faults.js';
import { type IamRoute, IamService } from './iam.js';
import { JobStore, viewJob } from './jobs.js';
import type { Prng } from './prng.js';
import { createPrng } from './prng.js';
import type { RouteName } from './routes.js';
import type { Job, OnStartRule, Scenario } from './scenario.js';
import { parseFaults, parseJobs, parseOnStart } from './scenario.js';

/** One line of the request log. It never holds a signature, a secret key or a token. */
export interface RequestLogEntry {
  seq: number;
  /** Wall-clock time the request arrived (ISO 8601). */
  time: string;
  /** Emulator (scaled) time the request arrived, epoch ms. */
  emulatorTime: number;
  method: string;
  /** The raw path as received, without the query. */
  path: string;
  /** The raw query string, without `?` ('' when none). */
  query: string;
  /** HTTP status sent; 0 when the connection was dropped without an answer. */
  status: number;
  durationMs: number;
  requestId: string;
  route?: RouteName | IamRoute;
  auth?: 'aksk' | 'token';
  accessKey?: string;
  /** The fault applied, or `rate-limit` when the per-AK limit answered. */
  fault?: FaultType | 'rate-limit';
  /** The error code of an error answer. */
  errorCode?: string;
  /** Why authentication failed, in a few words. */
  reason?: string;
}

export interface JobSummary {
  kind: Job['kind'];
  identity: Record<string, string | number>;
  /** Absent when the job is visible in every project. */
  projectId?: string;
  status: string;
  step: number;
  steps: number;
}

/** The request log as the admin API reads it. */
export interface RequestLog {
  /** The kept entries, oldest first. */
  requests: RequestLogEntry[];
  /** Entries dropped (oldest first) to stay within `capacity` since the log was last cleared. */
  dropped: number;
  /** How many entries the log keeps. */
  capacity: number;
}

/** The request log keeps the last this many requests unless told otherwise. */
export const DEFAULT_REQUEST_LOG_SIZE = 10_000;

export interface EmulatorStateOptions {
  timeScale: number;
  seed: number;
  /** Entries the request log keeps (default 10,000); older ones are dropped. 0 keeps none. */
  requestLogSize?: number;
  /** Access keys outside the scenario whose failures and lockouts are remembered (default 10,000). */
  maxTrackedKeys?: number;
}

// Request ids come from their own stream so that the fault sequence for a seed does not depend on how
// many requests (admin ones included) were answered.
const REQUEST_ID_SALT = 0x9e3779b9;
// Likewise the ids of submitted SQL jobs.
const JOB_ID_SALT = 0x85ebca6b;

export class EmulatorState {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly clock: Clock;
  readonly store = new JobStore();
  readonly auth: Authenticator;
  readonly iam: IamService;
  readonly rateLimiter: RateLimiter | undefined;
  faults: FaultInjector;
  #ids: Prng;
  #jobIds: Prng;
  /** Lifecycles of started jobs: those added at run time first, then the scenario's. */
  onStart: OnStartRule[];
  readonly #log: RingBuffer<RequestLogEntry>;
  #seq = 0;

  constructor(scenario: Scenario, options: EmulatorStateOptions) {
    this.scenario = scenario;
    this.seed = options.seed;
    this.clock = new Clock(options.timeScale);
    this.#log = new RingBuffer(options.requestLogSize ?? DEFAULT_REQUEST_LOG_SIZE);
    this.auth = new Authenticator(scenario, this.clock, Date.now, options.maxTrackedKeys ?? MAX_TRACKED_KEYS);
    this.iam = new IamService(scenario.identityProviders ?? [], this.clock, this.auth);
    this.rateLimiter = scenario.rateLimit ? new RateLimiter(scenario.rateLimit.perAkPerSecond) : undefined;
    this.faults = new FaultInjector(createPrng(this.seed), scenario.faults ?? []);
    this.#ids = createPrng(this.seed ^ REQUEST_ID_SALT);
    this.#jobIds = createPrng(this.seed ^ JOB_ID_SALT);
    this.onStart = [...(scenario.onStart ?? [])];
    this.store.add(scenario.jobs, this.clock.now());
  }

  /** Back to the loaded scenario: clock, jobs, faults, PRNGs, lockouts, rate windows and log. */
  reset(): void {
    this.clock.reset();
    this.store.clear();
    this.store.add(this.scenario.jobs, this.clock.now());
    this.faults = new FaultInjector(createPrng(this.seed), this.scenario.faults ?? []);
    this.#ids = createPrng(this.seed ^ REQUEST_ID_SALT);
    this.#jobIds = createPrng(this.seed ^ JOB_ID_SALT);
    this.onStart = [...(this.scenario.onStart ?? [])];
    this.auth.clear();
    this.iam.clear();
    this.rateLimiter?.clear();
    this.#log.clear();
    this.#seq = 0;
  }

  nextRequestId(): string {
    return this.#ids.hex(16);
  }

  /** A UUID (version 4 in form) for a submitted SQL job. */
  nextJobId(): string {
    const hex = this.#jobIds.hex(16);
    const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /** Validates (throws ScenarioError naming the field) and adds lifecycles of started jobs, before the others. */
  addOnStart(input: unknown): OnStartRule[] {
    const rules = parseOnStart(input);
    this.onStart.unshift(...rules);
    return rules;
  }

  /** Validates (throws ScenarioError naming the field) and adds jobs whose clocks start now. */
  addJobs(input: unknown): Job[] {
    const jobs = parseJobs(input);
    this.store.add(jobs, this.clock.now());
    return jobs;
  }

  addFaults(input: unknown): Fault[] {
    const faults = parseFaults(input);
    this.faults.add(faults);
    return faults;
  }

  clearFaults(): void {
    this.faults.clear();
  }

  advanceClock(ms: number): number {
    return this.clock.advance(ms);
  }

  record(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const full = { seq: ++this.#seq, ...entry };
    this.#log.push(full);
    return full;
  }

  requests(): RequestLogEntry[] {
    return this.#log.toArray().map((e) => ({ ...e }));
  }

  requestLog(): RequestLog {
    return { requests: this.requests(), dropped: this.#log.dropped, capacity: this.#log.capacity };
  }

  /** The log's fill without copying it: entries kept, dropped and the capacity. */
  requestLogUsage(): { entries: number; dropped: number; capacity: number } {
    return { entries: this.#log.length, dropped: this.#log.dropped, capacity: this.#log.capacity };
  }

  clearRequests(): void {
    this.#log.clear();
  }

  jobs(): JobSummary[] {
    const now = this.clock.now();
    return this.store.all().map((entry) => {
      const view = viewJob(entry, now);
      return {
        kind: entry.job.kind,
        identity: identityOf(entry.job),
        ...(entry.job.projectId === undefined ? {} : { projectId: entry.job.projectId }),
        status: view.step.status,
        step: view.index,
        steps: entry.job.steps.length,
      };
    });
  }
}

export function identityOf(job: Job): Record<string, string | number> {
  switch (job.kind) {
    case 'dli-flink':
    case 'dli-sql':
      return { jobId: job.jobId };
    case 'dataarts-realtime':
      return job.workspace === undefined
        ? { jobName: job.jobName }
        : { jobName: job.jobName, workspace: job.workspace };
    case 'dataarts-batch':
      return {
        jobName: job.jobName,
        instanceId: job.instanceId,
        ...(job.workspace === undefined ? {} : { workspace: job.workspace }),
      };
    case 'cdm':
      return { clusterId: job.clusterId, jobName: job.jobName };
  }
}
