// Types for TypeScript callers of runSoak (the CI soak test in test/).
export interface BenchRow {
  figure: string;
  value: string | number;
  unit?: string;
  target?: string;
  pass?: boolean;
}

export interface SoakFigures {
  waits: number;
  correct: number;
  wrongVerdicts: number;
  overruns: number;
  timeouts: number;
  errors: number;
  errorSamples: { id: number; kind: string; error: string; code?: string; message: string }[];
  requests: number;
  faultyAnswers: number;
  faultyShare: number;
  faultRate: number;
  faultsByType: Record<string, number>;
  transientErrorsSeenByWaits: number;
  httpRetries: number;
  medianDetectionDelayS: number | undefined;
  p95DetectionDelayS: number | undefined;
  wallS: number;
  peakRssMb: number;
  processWarnings: { name: string; message: string; stack?: string }[];
}

export interface SoakOptions {
  waits?: number;
  seed?: number;
  faultRate?: number;
  timeScale?: number;
  minLifecycleMs?: number;
  maxLifecycleMs?: number;
  timeoutMarginMs?: number;
  throttleLimit?: number;
}

export function faultMix(
  rate: number,
  options?: { weights?: Record<string, number>; throttleLimit?: number },
): { type: string; probability: number; latencyMs?: number; retryAfterSeconds?: number; limit?: number }[];
export function runSoak(
  options?: SoakOptions,
): Promise<{ name: 'soak'; rows: BenchRow[]; figures: SoakFigures }>;
export const run: typeof runSoak;
