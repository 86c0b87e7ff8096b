// The post step's entry (dist/post): the step's bundle in its post phase, so that the Action ships the
// core once.
import { loadStep } from './entry.js';

await loadStep('post');
