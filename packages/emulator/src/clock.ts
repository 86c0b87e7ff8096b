/**
 * The emulator's job clock: starts at the real time of day, runs `timeScale` times faster than wall
 * time, and can be pushed forward by the admin API. Job timelines and AK lockouts use it; signature
 * date skew does not (the gateway compares X-Sdk-Date with its real clock).
 */
export class Clock {
  readonly #timeScale: number;
  #epochAtStart = 0;
  #wallAtStart = 0;
  #advanced = 0;

  constructor(timeScale: number) {
    if (!Number.isFinite(timeScale) || timeScale <= 0) {
      throw new RangeError(`timeScale must be a positive number, got ${timeScale}`);
    }
    this.#timeScale = timeScale;
    this.reset();
  }

  get timeScale(): number {
    return this.#timeScale;
  }

  /** Emulator time in epoch milliseconds. */
  now(): number {
    return Math.floor(
      this.#epochAtStart + (performance.now() - this.#wallAtStart) * this.#timeScale + this.#advanced,
    );
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advance needs a non-negative number of ms, got ${ms}`);
    this.#advanced += ms;
    return this.now();
  }

  reset(): void {
    this.#epochAtStart = Date.now();
    this.#wallAtStart = performance.now();
    this.#advanced = 0;
  }
}
