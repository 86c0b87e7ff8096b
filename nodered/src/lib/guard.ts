import { boundValue, fieldsOf, JOB_KINDS, oneLine, printable, redact, startFieldsOf } from './core.js';
import type { DoneFunction, NodeAPI, NodeDef, NodeMessage, NodeStatus, SendFunction } from './node-red.js';

/**
 * The output guard of the Node-RED face: the one place where what a JobGate
 * node hands to Node-RED passes through the core's redactor. Every node
 * module is registered through `withOutputGuard`, which gives it a `RED`
 * whose `nodes.createNode` installs the guard on the node it creates and
 * whose `log` redacts. From then on, on that node:
 *
 * - `send` (and the `send` of an input handler): the msg properties a JobGate
 *   node writes (`OWNED_PROPERTIES`) are bounded and redacted with the core's
 *   `boundValue`: plain JSON data, no deeper than the core's MAX_DEPTH, safe
 *   for Node-RED to clone, with no secret in any string or key;
 * - `error(err, msg)` (and `done(err)`, which Node-RED turns into it): the
 *   error's name, message, code and stack redacted and neutralised, its other
 *   properties (a `cause`, a raw body) left behind, and the msg guarded as for
 *   `send`; Catch nodes and the log see only that;
 * - `warn`, `log`, `debug`, `trace`: text redacted and kept on one line;
 * - `status`: text redacted, on one line, at most STATUS_MAX characters;
 * - the `done` of an input handler completes a msg once: a second call is
 *   ignored, and a report that fails (a msg Node-RED cannot clone) is logged
 *   rather than thrown back into the handler, so one failure reaches Catch at
 *   most once and never ends the process.
 *
 * Node files never reach Node-RED's sinks any other way (the package test
 * checks that), so a new call site cannot forget.
 */

/**
 * The msg properties a JobGate node writes; every other property of a msg passes through as it came.
 * The start node names the job it started as the wait node reads it: `kind` and each identity field;
 * and the start fields it read (`sql`, `conf`, ...) leave it, like everything it writes, without a secret.
 */
export const OWNED_PROPERTIES: readonly string[] = [
  'payload',
  'job',
  'error',
  'statusCode',
  'totalCount',
  'stopped',
  'kind',
  ...new Set(JOB_KINDS.flatMap((kind) => [...fieldsOf(kind), ...startFieldsOf(kind)].map((f) => f.key))),
];

/** Node status text longer than this helps no one in the editor. */
export const STATUS_MAX = 256;

const GUARDED = Symbol.for('jobgate.nodered.outputGuard');

/**
 * A value on its way into a msg: text redacted, objects as bounded, redacted
 * plain JSON data. Binary data (a flow's own Buffer payload, passed through on
 * a failure) is no server answer and stays as it is.
 */
export function guardValue(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  return boundValue(value);
}

/** The msg with its JobGate-written properties guarded (in place: the node owns the msg it sends). */
export function guardMessage<T extends NodeMessage>(msg: T): T {
  const job = msg.job as { raw?: unknown } | null | undefined;
  // msg.job.raw is the answer in msg.payload: one guarded copy serves both, as one object served both before.
  const rawIsPayload = typeof job === 'object' && job !== null && job.raw === msg.payload;
  for (const key of OWNED_PROPERTIES)
    if (Object.hasOwn(msg, key)) (msg as NodeMessage)[key] = guardValue(msg[key]);
  const guardedJob = msg.job as { raw?: unknown } | null | undefined;
  if (rawIsPayload && typeof guardedJob === 'object' && guardedJob !== null) guardedJob.raw = msg.payload;
  return msg;
}

type Outgoing = Parameters<SendFunction>[0];

/** What `send` takes: one msg, or one entry per output, each a msg, null or an array of msgs. */
function guardOutgoing(out: Outgoing): Outgoing {
  const one = (m: unknown): unknown =>
    m !== null && typeof m === 'object' && !Array.isArray(m) ? guardMessage(m as NodeMessage) : m;
  if (Array.isArray(out))
    return out.map((entry) => (Array.isArray(entry) ? entry.map(one) : one(entry))) as Outgoing;
  return one(out) as Outgoing;
}

/**
 * An error as Node-RED may show it: a new Error with the original's name,
 * message and string code (redacted, on one line) and stack (redacted,
 * control characters escaped), and nothing else of it.
 */
export function guardError(error: Error): Error {
  const safe = new Error(oneLine(String(error.message ?? '')));
  safe.name = oneLine(String(error.name || 'Error'));
  safe.stack = printable(typeof error.stack === 'string' ? error.stack : `${safe.name}: ${safe.message}`);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') (safe as Error & { code?: string }).code = oneLine(code);
  return safe;
}

/** What a log or error call reports: text on one line, errors as guardError makes them, objects bounded. */
export function guardReport(report: unknown): unknown {
  if (typeof report === 'string') return oneLine(report);
  if (report instanceof Error) return guardError(report);
  if (report !== null && typeof report === 'object') return boundValue(report);
  return report;
}

/** A status with its text redacted, on one line and short; `{}` (clear) stays as it is. */
export function guardStatus(status: unknown): NodeStatus | Record<string, never> {
  if (typeof status === 'string' || typeof status === 'number' || typeof status === 'boolean')
    return { text: oneLine(String(status), STATUS_MAX) };
  if (status === null || typeof status !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(status))
    out[key] = typeof value === 'string' ? oneLine(value, STATUS_MAX) : guardValue(value);
  return out as NodeStatus;
}

/** The members of a Node-RED node the guard wraps. */
interface Sinks {
  send(msg: Outgoing): void;
  status(status: unknown): void;
  error(report: unknown, msg?: NodeMessage): void;
  warn(report: unknown): void;
  log(report: unknown): void;
  debug?(report: unknown): void;
  trace?(report: unknown): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
  [GUARDED]?: true;
}

type InputListener = (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void;

/** Installs the guard on a node that Node-RED has just created (idempotent). */
export function guardNode(target: object): void {
  const node = target as Sinks;
  if (node[GUARDED]) return;
  Object.defineProperty(node, GUARDED, { value: true });
  const send = node.send;
  const status = node.status;
  const error = node.error;
  const on = node.on;
  const report = (failure: unknown) => error.call(node, guardReport(failure));

  node.send = (msg) => send.call(node, guardOutgoing(msg));
  node.status = (s) => status.call(node, guardStatus(s));
  node.error = (failure, msg) => {
    if (msg !== null && typeof msg === 'object') error.call(node, guardReport(failure), guardMessage(msg));
    else report(failure);
  };
  for (const level of ['warn', 'log', 'debug', 'trace'] as const) {
    const original = node[level];
    if (typeof original === 'function') node[level] = (r) => original.call(node, guardReport(r));
  }
  node.on = (event: string, listener: (...args: never[]) => void) => {
    if (event !== 'input') return on.call(node, event, listener);
    const handler = listener as unknown as InputListener;
    // Three parameters: Node-RED counts the listeners that take `done`.
    const guarded: InputListener = (msg, sendMsg, done) => {
      let finished = false;
      const once: DoneFunction = (failure) => {
        if (finished) return;
        finished = true;
        try {
          done(failure);
        } catch (reportFailed) {
          // The report itself failed (Node-RED could not clone the msg for Catch): log it, never rethrow.
          report(reportFailed);
        }
      };
      handler.call(node as never, msg, sendMsg, once);
    };
    return on.call(node, 'input', guarded as never);
  };
}

/** RED.log with every message guarded. */
function guardLog(log: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(log, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      if (key === 'log')
        return (entry: unknown) =>
          value.call(
            target,
            entry !== null && typeof entry === 'object' && 'msg' in entry
              ? { ...entry, msg: guardReport((entry as { msg: unknown }).msg) }
              : guardReport(entry),
          );
      if (['info', 'warn', 'error', 'debug', 'trace', 'audit'].includes(String(key)))
        return (message: unknown, ...rest: unknown[]) => value.call(target, guardReport(message), ...rest);
      return value.bind(target);
    },
  });
}

/**
 * Wraps a node module's registration function: the module gets a RED whose
 * `nodes.createNode` installs the output guard on each node it creates, whose
 * `nodes.registerType` guards what a failing constructor throws, and whose
 * `log` redacts. Every node file exports through this.
 */
export function withOutputGuard<T>(register: (RED: NodeAPI) => T): (RED: NodeAPI) => T {
  return (RED) => {
    const nodes = new Proxy(RED.nodes, {
      get(target, key) {
        if (key === 'createNode')
          return (node: object, def: NodeDef) => {
            target.createNode(node, def);
            guardNode(node);
          };
        if (key === 'registerType')
          return (type: string, nodeConstructor: (this: never, def: never) => void, options?: object) => {
            function Guarded(this: never, def: never) {
              try {
                nodeConstructor.call(this, def);
              } catch (failure) {
                throw failure instanceof Error ? guardError(failure) : new Error(oneLine(String(failure)));
              }
            }
            target.registerType(type, Guarded, options as never);
          };
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const guarded = new Proxy(RED, {
      get(target, key) {
        if (key === 'nodes') return nodes;
        if (key === 'log') {
          const log = Reflect.get(target, key);
          return log && typeof log === 'object' ? guardLog(log as Record<string, unknown>) : log;
        }
        return Reflect.get(target, key);
      },
    });
    return register(guarded);
  };
}
