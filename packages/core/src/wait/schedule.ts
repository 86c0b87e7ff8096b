import type { JobState } from '../kinds/types.js';

export interface ScheduleOptions {
  /** The shortest gap between polls, and the first one. */
  minIntervalMs: number;
  /** The longest gap between polls. */
  maxIntervalMs: number;
  /** How much the gap grows each poll while nothing changes and no progress is reported. */
  growth?: number;
}

/**
 * How far past the predicted end the next poll aims: a share of the minimum
 * gap (250 ms for the default 5 s) or of the estimate, whichever is more.
 * Both scale with the schedule, so a compressed clock (the emulator's) sees
 * the same shape as a real one.
 */
const AIM_PAST_MIN_SHARE = 0.05;
const AIM_PAST_SHARE = 0.02;

interface Sample {
  at: number;
  progress: number;
}

/**
 * Decides when to poll next. Where a job reports progress, the rate observed
 * since progress began predicts the end, and the next poll lands there (a job
 * at 90% after 9 minutes is next read near minute 10), never sooner than the
 * minimum nor later than the maximum. Without progress, the gap grows from the
 * minimum while nothing changes, and drops back on any change.
 */
export class PollSchedule {
  readonly #min: number;
  readonly #max: number;
  readonly #growth: number;
  #first: Sample | undefined;
  #previous: number | undefined;
  #gap: number;
  #lastKey: string | undefined;

  constructor(options: ScheduleOptions) {
    this.#min = Math.max(1, options.minIntervalMs);
    this.#max = Math.max(this.#min, options.maxIntervalMs);
    this.#growth = options.growth ?? 1.5;
    this.#gap = this.#min;
  }

  /** The delay before the next poll, given the state just read at time `now` (ms). */
  next(state: JobState, now: number): number {
    const key = `${state.phase}|${state.status}`;
    const changed = key !== this.#lastKey;
    this.#lastKey = key;

    const estimate = this.#estimateRemaining(state.progress, now, changed);
    if (estimate !== undefined) {
      this.#gap = this.#min;
      // Aim just past the predicted end: landing a hair early costs a whole minimum gap more.
      const margin = Math.max(this.#min * AIM_PAST_MIN_SHARE, estimate * AIM_PAST_SHARE);
      return clamp(estimate + margin, this.#min, this.#max);
    }
    if (changed) {
      this.#gap = this.#min;
      return this.#min;
    }
    this.#gap = Math.min(this.#max, Math.round(this.#gap * this.#growth));
    return this.#gap;
  }

  #estimateRemaining(progress: number | undefined, now: number, changed: boolean): number | undefined {
    const previous = this.#previous;
    this.#previous = progress;
    if (progress === undefined) {
      this.#first = undefined;
      return undefined;
    }
    // A new status, or progress going backwards (DLI SQL reports each sub-job's own), starts a new series.
    if (!this.#first || changed || previous === undefined || progress < previous) {
      this.#first = { at: now, progress };
      return undefined;
    }
    const elapsed = now - this.#first.at;
    const gained = progress - this.#first.progress;
    if (elapsed <= 0 || gained <= 0) return undefined;
    return ((1 - progress) * elapsed) / gained;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.round(Math.min(max, Math.max(min, value)));
}
