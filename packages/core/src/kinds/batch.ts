import type { CallOptions } from '../api-context.js';
import type { JobGateClient } from '../client.js';
import { AbortError } from '../errors.js';
import type { JobKind, Observation } from './types.js';

/** How long a read waits for others to share its request. Polls are seconds apart; this is noise. */
const WINDOW_MS = 25;

interface Waiter {
  ref: Record<string, unknown>;
  signal: AbortSignal | undefined;
  resolve(observation: Observation): void;
  reject(error: unknown): void;
}

/**
 * Gathers reads of one kind that arrive within a short window on one client
 * and serves them with the kind's `fetchMany`, falling back to `fetch` for a
 * lone read and for anything the batch did not find.
 */
class Batcher {
  readonly #client: JobGateClient;
  readonly #pending = new Map<JobKind, Waiter[]>();

  constructor(client: JobGateClient) {
    this.#client = client;
  }

  read(kind: JobKind, ref: Record<string, unknown>, options: CallOptions): Promise<Observation> {
    return new Promise<Observation>((resolve, reject) => {
      const signal = options.signal;
      // A waiter that gives up leaves at once; the shared read goes on for the others.
      const onAbort = () => reject(new AbortError(signal?.reason));
      const settle = () => signal?.removeEventListener('abort', onAbort);
      const waiter: Waiter = {
        ref,
        signal,
        resolve: (observation) => {
          settle();
          resolve(observation);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = this.#pending.get(kind);
      if (queue) queue.push(waiter);
      else {
        this.#pending.set(kind, [waiter]);
        setTimeout(() => void this.#flush(kind), WINDOW_MS);
      }
    });
  }

  async #flush(kind: JobKind): Promise<void> {
    const waiters = (this.#pending.get(kind) ?? []).filter((w) => !w.signal?.aborted);
    this.#pending.delete(kind);
    if (waiters.length === 0) return;
    let found = new Map<string, Observation>();
    if (waiters.length > 1 && kind.fetchMany && kind.batchKey) {
      const unique = [...new Map(waiters.map((w) => [kind.batchKey?.(w.ref) ?? '', w.ref])).values()];
      const shared = allAborted(waiters);
      try {
        found = await kind.fetchMany(this.#client, unique, { signal: shared?.signal });
      } catch (error) {
        for (const w of waiters) w.reject(error);
        return;
      } finally {
        shared?.dispose();
      }
    }
    await Promise.all(
      waiters.map(async (w) => {
        const hit = kind.batchKey ? found.get(kind.batchKey(w.ref)) : undefined;
        try {
          w.resolve(hit ?? (await kind.fetch(this.#client, w.ref, { signal: w.signal })));
        } catch (error) {
          w.reject(error);
        }
      }),
    );
  }
}

/** A signal that fires only when every waiter has given up; dispose() removes its listeners. */
function allAborted(waiters: readonly Waiter[]): { signal: AbortSignal; dispose(): void } | undefined {
  const signals = waiters.map((w) => w.signal);
  if (signals.some((s) => s === undefined)) return undefined;
  const controller = new AbortController();
  const check = () => {
    if (signals.every((s) => s?.aborted)) controller.abort();
  };
  for (const s of signals) s?.addEventListener('abort', check, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of signals) s?.removeEventListener('abort', check);
    },
  };
}

const batchers = new WeakMap<JobGateClient, Batcher>();

/** Reads through the client's batcher when the kind can read many jobs at once. */
export function observe(
  client: JobGateClient,
  kind: JobKind,
  ref: Record<string, unknown>,
  options: CallOptions & { batch?: boolean },
): Promise<Observation> {
  if (!options.batch || !kind.fetchMany) return kind.fetch(client, ref, options);
  let batcher = batchers.get(client);
  if (!batcher) {
    batcher = new Batcher(client);
    batchers.set(client, batcher);
  }
  return batcher.read(kind, ref, options);
}
