import * as nodeModule from 'node:module';
import { POST_PHASE } from './phase.js';

/** The step's bundle (main and post phases), beside the entries: dist/main and dist/post load dist/step. */
const STEP_BUNDLE = '../step/index.js';

/**
 * Loads the step's bundle, in its post phase or not. V8's compile cache (Node 22.1+, in the temporary
 * directory) first: a runner that keeps its temporary directory compiles the bundle once, not at every
 * step; a fresh runner writes the cache as the step ends, and starts no slower.
 */
export async function loadStep(phase: 'main' | 'post'): Promise<void> {
  if (phase === 'post') (globalThis as Record<symbol, unknown>)[POST_PHASE] = true;
  try {
    (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  } catch {
    // Without a cache the step only compiles its bundle as it always did.
  }
  await import(/* webpackIgnore: true */ STEP_BUNDLE);
}
