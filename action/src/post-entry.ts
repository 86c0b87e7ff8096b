// The post step's entry: the main bundle in its post phase, so that the Action ships the core once. The
// bundle is loaded at run time from beside this one (dist/post/index.js → dist/main/index.js), not
// bundled again.
import { POST_PHASE } from './phase.js';

(globalThis as Record<symbol, unknown>)[POST_PHASE] = true;
const mainBundle = '../main/index.js';
await import(/* webpackIgnore: true */ mainBundle);
