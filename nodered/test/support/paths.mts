import { fileURLToPath } from 'node:url';

/** The package folder (nodered/). */
export const NODERED_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** The repository root. */
export const ROOT_DIR = fileURLToPath(new URL('../../..', import.meta.url));
