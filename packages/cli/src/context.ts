import { createClient, InputError, type JobGateClient } from '@jobgate/core';
import { clientOptionsOf, flagError, type Values } from './args.js';
import type { ExitCode } from './exit-codes.js';

export interface Context {
  env: Record<string, string | undefined>;
  /** Fires on Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal;
}

export type Command = (argv: readonly string[], ctx: Context) => Promise<ExitCode>;

/** A client from the flags and the environment; a bad setting names its flag. */
export function clientOf(values: Values, ctx: Context): JobGateClient {
  try {
    return createClient(clientOptionsOf(values, ctx.env));
  } catch (error) {
    throw error instanceof InputError ? flagError(error) : error;
  }
}
