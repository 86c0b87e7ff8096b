// The main step's entry (dist/main): the step's bundle, in its main phase.
import { loadStep } from './entry.js';

await loadStep('main');
