import {
  HuaweiCloudError,
  InputError,
  type JobGateClient,
  type JobState,
  ResponseFormatError,
} from './core.js';
import type { DoneFunction, Node, NodeAPI, NodeMessage, NodeStatus } from './node-red.js';

/** Closing waits this long for aborted requests to settle: well inside Node-RED's 15 s. */
export const CLOSE_LIMIT_MS = 5_000;

/** What a huaweicloud-config node offers the nodes that use it. */
export interface ConfigNode {
  /** The client, or the reason there is none (a bad region, no credentials, ...). */
  readonly client: JobGateClient | undefined;
  readonly problem: Error | undefined;
  /**
   * A client of its own with the same settings, closed by the caller: for a request that must go out
   * as the flow closes, when the shared client is closing with the config node.
   */
  ownClient?: () => { client: JobGateClient; close(): Promise<void> };
}

/** The config node a node points at, or the error that explains why there is none. */
export function configOf(RED: NodeAPI, configId: unknown): ConfigNode {
  const config =
    typeof configId === 'string' && configId ? (RED.nodes.getNode(configId) as ConfigNode | null) : null;
  if (!config) throw new InputError('server', 'no huaweicloud-config node is selected');
  return config;
}

/** A TypedInput as stored in a node's config: the value and its type. */
export interface TypedValue {
  value: string;
  type: string;
}

/** The client of the config node a node points at, or the error that explains why there is none. */
export function clientOf(RED: NodeAPI, configId: unknown): JobGateClient {
  const config = configOf(RED, configId);
  if (config.problem) throw config.problem;
  if (!config.client) throw new InputError('server', 'the huaweicloud-config node has no client');
  return config.client;
}

/** Evaluates a TypedInput against a msg; JSONata and context stores may be asynchronous. */
export function evaluate(
  RED: NodeAPI,
  node: Node<unknown>,
  msg: NodeMessage,
  input: TypedValue,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    try {
      RED.util.evaluateNodeProperty(input.value, input.type, node, msg, (error, result) =>
        error ? reject(error) : resolve(result),
      );
    } catch (error) {
      reject(error);
    }
  });
}

/** A job reference before the core validates it. */
export type JobRefInput = { kind: string } & Record<string, unknown>;

/** A TypedInput from the `<key>` and `<key>Type` properties of a node's config. */
export function typedInputOf(def: Record<string, unknown>, key: string): TypedValue | undefined {
  const value = def[key];
  const type = def[`${key}Type`];
  if (typeof type !== 'string' || !type) return undefined;
  return { value: typeof value === 'string' ? value : String(value ?? ''), type };
}

const PHASE_FILL: Record<string, NodeStatus['fill']> = {
  pending: 'grey',
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'red',
  unknown: 'yellow',
};

/** A short status for a job state: its phase colour, its own status word and any progress. */
export function stateStatus(state: JobState): NodeStatus {
  const progress = state.progress !== undefined ? ` ${Math.round(state.progress * 100)}%` : '';
  return {
    fill: PHASE_FILL[state.phase] ?? 'grey',
    shape: 'dot',
    text: `${state.status || state.phase}${progress}`,
  };
}

/** A short status for an error: its code, never its full text (which may be long). */
export function errorStatus(error: unknown): NodeStatus {
  let text = 'error';
  if (error instanceof InputError) text = `invalid ${error.field}`;
  else if (error instanceof HuaweiCloudError) text = `${error.code} (HTTP ${error.status})`;
  else if (typeof (error as { code?: unknown } | null)?.code === 'string')
    text = (error as { code: string }).code;
  return { fill: 'red', shape: 'ring', text };
}

/** The HTTP status an error carries, for msg.statusCode. */
export function statusCodeOf(error: unknown): number | undefined {
  if (error instanceof HuaweiCloudError || error instanceof ResponseFormatError) return error.status;
  return undefined;
}

/**
 * Hands an error to Node-RED with the original msg, so that Catch nodes get
 * it: `msg.error.code` comes from the error's own `code` (DLI.0002,
 * JOBGATE_INVALID_INPUT, ...), and the HTTP status goes to `msg.statusCode`.
 * The core's messages never hold a secret, and no config is added here.
 */
export function failWith(msg: NodeMessage, error: unknown, done: DoneFunction): void {
  const statusCode = statusCodeOf(error);
  if (statusCode !== undefined) msg.statusCode = statusCode;
  done(error instanceof Error ? error : new Error(String(error)));
}

/**
 * In-flight work of one node (requests, waits), each with its own
 * AbortController, so that closing the node (a redeploy, a stop) ends all of
 * it at once and nothing outlives the flow.
 */
export class InFlight {
  readonly #tasks = new Map<number, { controller: AbortController; settled: Promise<unknown> }>();
  #next = 0;
  closing = false;

  /** Runs `work` with a signal that aborts when the node closes. */
  run<T>(work: (signal: AbortSignal, id: number) => Promise<T>): Promise<T> {
    const id = this.#next++;
    const controller = new AbortController();
    const promise = work(controller.signal, id);
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    this.#tasks.set(id, { controller, settled });
    void settled.then(() => this.#tasks.delete(id));
    return promise;
  }

  abort(id: number, reason: Error): void {
    this.#tasks.get(id)?.controller.abort(reason);
  }

  /**
   * The end of a handler that failed: an abort caused by closing the node is
   * no error of the flow's; anything else shows on the node and reaches Catch
   * with the msg.
   */
  fail(node: Node, msg: NodeMessage, error: unknown, done: DoneFunction): void {
    if (this.closing) {
      done();
      return;
    }
    node.status(errorStatus(error));
    failWith(msg, error, done);
  }

  /** Ends all in-flight work when the node closes (a redeploy, a stop), then clears its status. */
  closeWith(node: Node, cleanUp: () => void = () => {}): void {
    node.on('close', (_removed: boolean, done: () => void) => {
      void this.close(CLOSE_LIMIT_MS).then(() => {
        cleanUp();
        node.status({});
        done();
      });
    });
  }

  /** Aborts everything and resolves when all of it has settled, or after `limitMs`. */
  async close(limitMs: number): Promise<void> {
    this.closing = true;
    const settled = [...this.#tasks.values()].map((t) => {
      t.controller.abort(new Error('the node was closed'));
      return t.settled;
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(settled),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, limitMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
