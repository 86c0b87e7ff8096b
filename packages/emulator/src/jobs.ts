import type { CdmJob, DataArtsBatchJob, DataArtsJob, FlinkJob, Job, SqlJob } from './scenario.js';
import { jobKey } from './scenario.js';

/** A job as held by the emulator: its scenario definition and when its clock started. */
export interface JobEntry<J extends Job = Job> {
  job: J;
  /** Emulator time (epoch ms) at which the job was added: its timeline starts here. */
  addedAt: number;
  /** Order of addition, for stable ids derived from it. */
  seq: number;
}

/** Where a job is on its timeline at a given emulator time. */
export interface JobView<J extends Job = Job> {
  entry: JobEntry<J>;
  job: J;
  now: number;
  index: number;
  step: J['steps'][number];
  next: J['steps'][number] | undefined;
  /** Emulator time the current step began. */
  stepStartedAt: number;
  /** How far through the current step (0..1), or undefined for a step that lasts forever. */
  fraction: number | undefined;
  createdAt: number;
}

export class JobStore {
  #entries = new Map<string, JobEntry>();
  #seq = 0;

  /** Adds jobs, their clocks starting now; a job with the same identity replaces the old one. */
  add(jobs: readonly Job[], now: number): void {
    for (const job of jobs) {
      const key = jobKey(job);
      this.#entries.delete(key);
      this.#entries.set(key, { job, addedAt: now, seq: this.#seq++ });
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#seq = 0;
  }

  /** A start: the job plays `steps` from `now` as a new run (a new sequence number), keeping its creation time. */
  restart<J extends Job>(entry: JobEntry<J>, steps: J['steps'], now: number): void {
    const createdAt = entry.job.createdAt ?? entry.addedAt;
    entry.job = { ...entry.job, createdAt, steps };
    entry.addedAt = now;
    entry.seq = this.#seq++;
  }

  /** A stop: the timeline is cut at `now` and goes on with `steps`; what came before stays as it was. */
  continueWith<J extends Job>(entry: JobEntry<J>, steps: J['steps'], now: number): void {
    const view = viewJob(entry, now);
    const past = entry.job.steps.slice(0, view.index);
    const current = { ...view.step, durationMs: now - view.stepStartedAt };
    entry.job = { ...entry.job, steps: [...past, current, ...steps] };
  }

  all(): JobEntry[] {
    return [...this.#entries.values()];
  }

  #find<J extends Job>(
    kind: J['kind'],
    projectId: string,
    test: (job: J) => boolean,
  ): JobEntry<J> | undefined {
    for (const entry of this.#entries.values()) {
      const job = entry.job;
      if (job.kind !== kind) continue;
      if (job.projectId !== undefined && job.projectId !== projectId) continue;
      if (test(job as J)) return entry as JobEntry<J>;
    }
    return undefined;
  }

  flink(projectId: string, jobId: number): JobEntry<FlinkJob> | undefined {
    return this.#find<FlinkJob>('dli-flink', projectId, (job) => job.jobId === jobId);
  }

  flinkJobs(projectId: string): JobEntry<FlinkJob>[] {
    return this.all().filter(
      (e): e is JobEntry<FlinkJob> =>
        e.job.kind === 'dli-flink' && (e.job.projectId === undefined || e.job.projectId === projectId),
    );
  }

  sql(projectId: string, jobId: string): JobEntry<SqlJob> | undefined {
    const id = jobId.toLowerCase();
    return this.#find<SqlJob>('dli-sql', projectId, (job) => job.jobId.toLowerCase() === id);
  }

  /** `workspace` undefined = the default workspace, which holds the jobs defined without one. */
  dataArts(
    projectId: string,
    jobName: string,
    workspace: string | undefined,
  ): JobEntry<DataArtsJob> | undefined {
    return this.#find<DataArtsJob>(
      'dataarts-realtime',
      projectId,
      (job) => job.jobName === jobName && job.workspace === workspace,
    );
  }

  /** The runs of a batch job in a workspace (`undefined` = the default one), oldest first. */
  batchRuns(projectId: string, jobName: string, workspace: string | undefined): JobEntry<DataArtsBatchJob>[] {
    return this.all().filter(
      (e): e is JobEntry<DataArtsBatchJob> =>
        e.job.kind === 'dataarts-batch' &&
        (e.job.projectId === undefined || e.job.projectId === projectId) &&
        e.job.jobName === jobName &&
        e.job.workspace === workspace,
    );
  }

  cdm(projectId: string, clusterId: string, jobName: string): JobEntry<CdmJob> | undefined {
    return this.#find<CdmJob>(
      'cdm',
      projectId,
      (job) => job.clusterId === clusterId && job.jobName === jobName,
    );
  }
}

/** The step a job is in at emulator time `now`. */
export function viewJob<J extends Job>(entry: JobEntry<J>, now: number): JobView<J> {
  const steps = entry.job.steps as J['steps'];
  let startedAt = entry.addedAt;
  let index = 0;
  for (; index < steps.length - 1; index++) {
    const duration = steps[index]?.durationMs ?? Number.POSITIVE_INFINITY;
    if (now < startedAt + duration) break;
    startedAt += duration;
  }
  const step = steps[index] as J['steps'][number];
  const duration = index < steps.length - 1 ? (step.durationMs ?? 0) : undefined;
  const fraction =
    duration === undefined
      ? undefined
      : duration === 0
        ? 1
        : Math.min(1, Math.max(0, (now - startedAt) / duration));
  return {
    entry,
    job: entry.job,
    now,
    index,
    step,
    next: steps[index + 1],
    stepStartedAt: startedAt,
    fraction,
    createdAt: entry.job.createdAt ?? entry.addedAt,
  };
}

/** Emulator time at which step `index` begins (or began). */
export function stepStart(entry: JobEntry, index: number): number {
  let at = entry.addedAt;
  for (let i = 0; i < index; i++) at += entry.job.steps[i]?.durationMs ?? 0;
  return at;
}

/**
 * Progress at this moment: the step's own value, rising linearly towards the next step's value while
 * the step runs, when the step gives one explicitly and the next one is higher (so a SQL or CDM job shows
 * rising progress without scripting every percent, and a failure's -1 is never blended in).
 */
export function currentProgress(
  view: JobView,
  explicit: (step: Job['steps'][number]) => number | undefined,
  fallback: (step: Job['steps'][number]) => number,
): number {
  const own = explicit(view.step);
  const value = own ?? fallback(view.step);
  if (own === undefined || view.next === undefined || view.fraction === undefined) return value;
  const target = explicit(view.next) ?? fallback(view.next);
  if (target <= value) return value;
  return value + (target - value) * view.fraction;
}
