import {
  AbortError,
  fieldsOf,
  JOB_KINDS,
  JobFailedError,
  type JobState,
  type JobStopRequest,
  parseDuration,
  parseJobRef,
  StopFailedError,
  stopJob,
  WaitTimeoutError,
  waitForJob,
} from './lib/core.js';
import { withOutputGuard } from './lib/guard.js';
import {
  badField,
  FieldReader,
  kindOf,
  type MsgOverride,
  readJobRef,
  WAIT_OVERRIDES,
} from './lib/msg-overrides.js';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from './lib/node-red.js';
import {
  CLOSE_LIMIT_MS,
  clientOf,
  configOf,
  errorStatus,
  failWith,
  InFlight,
  type JobRefInput,
  statusCodeOf,
  type TypedValue,
} from './lib/runtime.js';

interface WaitDef extends NodeDef {
  server?: string;
  /** The identity fields of its kind, by key (jobId, jobName, ...): a TypedInput each. */
  fields?: Record<string, TypedValue | undefined>;
  progressOutput?: boolean;
  /** Stop the job when its wait is cancelled (msg.cancel), times out, or the flow stops. Off by default. */
  stopOnCancel?: boolean;
}

/** A stop on close must end before Node-RED gives up on the close (the node's own limit). */
const STOP_LIMIT_MS = CLOSE_LIMIT_MS - 1_000;

/** What the editor's kind dropdown and identity fields are built from: the core's table of job kinds. */
const KIND_CATALOG = JOB_KINDS.map((kind) => ({
  name: kind.name,
  title: kind.title,
  description: kind.description,
  streaming: kind.streaming,
  fields: fieldsOf(kind as never),
}));

// setTimeout fires at once (with a warning) beyond 2^31-1 ms, about 24.8 days.
const MAX_TIMER_MS = 2 ** 31 - 1;

const byName = (name: string) => WAIT_OVERRIDES.find((f) => f.name === name) as MsgOverride;

/** A duration from the node or the msg (or its default), its error naming where a bad one came from. */
async function durationOf(
  reader: FieldReader,
  msg: NodeMessage,
  name: string,
  fallback: string,
): Promise<number> {
  const field = byName(name);
  const got = await reader.read(msg, field);
  if (!got) return parseDuration(name, fallback);
  if (typeof got.value !== 'string' && typeof got.value !== 'number')
    throw badField(
      field,
      'expected a duration such as 30m, 90s or 1h30m, or a number of seconds such as 30',
      got,
    );
  try {
    return Math.min(parseDuration(name, got.value), MAX_TIMER_MS);
  } catch {
    throw badField(
      field,
      'expected a positive duration such as 30m, 90s or 1h30m, or a number of seconds such as 30',
      got,
    );
  }
}

async function untilOf(reader: FieldReader, msg: NodeMessage): Promise<'finished' | 'running'> {
  const field = byName('until');
  const got = await reader.read(msg, field);
  if (!got) return 'finished';
  if (got.value !== 'finished' && got.value !== 'running')
    throw badField(field, 'expected "finished" or "running"', got);
  return got.value;
}

function percent(state: JobState): string {
  return state.progress !== undefined ? ` ${Math.round(state.progress * 100)}%` : '';
}

/** The live text of one wait: its phase and progress ("running 42%"). */
function activeStatus(state: JobState): NodeStatus {
  const word = state.phase === 'unknown' ? `unknown ${state.status}` : state.phase;
  return { fill: 'blue', shape: 'dot', text: `${word}${percent(state)}` };
}

class CancelledByMessage extends Error {
  override name = 'CancelledByMessage';
  constructor() {
    super('cancelled by msg.cancel');
  }
}

/** The ref's identity as the core normalises it (so 104 and "104" are the same job). */
function identityOf(ref: JobRefInput): string {
  const parsed = parseJobRef(ref);
  const fields = Object.entries(parsed.ref).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([parsed.kind.name, fields]);
}

export = withOutputGuard((RED: NodeAPI) => {
  RED.httpAdmin.get(
    '/huaweicloud-jobs/kinds',
    RED.auth.needsPermission('huaweicloud-job-wait.read'),
    (_req, res) => res.json(KIND_CATALOG),
  );

  function JobWaitNode(this: Node<unknown>, def: WaitDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const reader = new FieldReader(RED, node, def);
    const inFlight = new InFlight();
    const waits = new Map<number, { identity: string; status: NodeStatus; touched: number }>();
    let touches = 0;
    let outcome: NodeStatus | undefined;

    /** One status for every wait: the most recently updated one, with a count when there are several. */
    function refresh() {
      let latest: { status: NodeStatus; touched: number } | undefined;
      for (const wait of waits.values()) if (!latest || wait.touched > latest.touched) latest = wait;
      if (!latest) {
        node.status(outcome ?? {});
        return;
      }
      const count = waits.size > 1 ? ` (${waits.size} waits)` : '';
      node.status({ ...latest.status, text: `${latest.status.text}${count}` });
    }

    function touch(id: number, status: NodeStatus) {
      const wait = waits.get(id);
      if (!wait) return;
      wait.status = status;
      wait.touched = ++touches;
      refresh();
    }

    /** Sends a msg to the failed output: the job failed or was cancelled, the wait timed out or was cancelled. */
    function sendFailed(
      msg: NodeMessage,
      send: (m: (NodeMessage | null)[]) => void,
      error: Error,
      state?: JobState,
    ) {
      if (state) {
        msg.payload = state.raw;
        msg.job = state;
      }
      const statusCode = statusCodeOf(error);
      msg.error = {
        name: error.name,
        code: (error as { code?: string }).code ?? 'ERROR',
        message: error.message,
        ...(statusCode !== undefined ? { statusCode } : {}),
      };
      send([null, msg]);
    }

    node.on('input', (msg, send, done) => {
      void (async () => {
        const kind = kindOf(byName('kind'), await reader.read(msg, byName('kind')));
        const ref = await readJobRef(reader, msg, kind, WAIT_OVERRIDES);
        const identity = identityOf(ref);

        if (msg.cancel === true) {
          for (const [id, wait] of waits)
            if (wait.identity === identity) inFlight.abort(id, new CancelledByMessage());
          done();
          return;
        }

        const client = clientOf(RED, def.server);
        // Kept now: as the flow closes, the config node may be gone by the time a stop goes out.
        const ownClient = configOf(RED, def.server).ownClient;
        const until = await untilOf(reader, msg);
        const timeoutMs = await durationOf(reader, msg, 'timeout', '1h');
        const intervalMs = await durationOf(reader, msg, 'interval', '5s');
        await inFlight.run(async (signal, id) => {
          waits.set(id, {
            identity,
            status: { fill: 'blue', shape: 'ring', text: 'waiting' },
            touched: ++touches,
          });
          refresh();
          try {
            const state = await waitForJob(client, ref as never, {
              until,
              timeoutMs,
              intervalMs,
              signal,
              onUpdate: (event) => {
                if (event.type === 'state') {
                  touch(id, activeStatus(event.state));
                  if (def.progressOutput) {
                    const update = RED.util.cloneMessage(msg);
                    update.payload = event.state.raw;
                    update.job = event.state;
                    send([null, null, update]);
                  }
                } else if (event.type === 'transient-error') {
                  touch(id, { fill: 'yellow', shape: 'ring', text: `retrying (${event.error.code})` });
                }
              },
            });
            waits.delete(id);
            outcome = { fill: 'green', shape: 'dot', text: state.phase };
            msg.payload = state.raw;
            msg.job = state;
            send([msg, null]);
            done();
          } catch (caught) {
            let error = caught;
            let stopped = false;
            if (def.stopOnCancel && (error instanceof AbortError || error instanceof WaitTimeoutError)) {
              touch(id, { fill: 'yellow', shape: 'ring', text: 'stopping the job' });
              // As the flow closes, the shared client closes with its config node: the stop gets its own.
              const own = inFlight.closing ? ownClient?.() : undefined;
              try {
                await stopJob(own?.client ?? client, ref as JobStopRequest, {
                  signal: AbortSignal.timeout(STOP_LIMIT_MS),
                });
                stopped = true;
                node.log(`stopped ${kind.name} job ${JSON.stringify(ref)}: ${error.message}`);
              } catch (stopError) {
                error = new StopFailedError(ref, error, stopError);
              } finally {
                await own?.close();
              }
            }
            waits.delete(id);
            if (inFlight.closing) {
              // The flow is stopping: nothing more to send, but a job left running is worth a word.
              if (error instanceof StopFailedError) node.warn(error.message);
              done();
              return;
            }
            const verdict = verdictOf(error);
            if (verdict) {
              outcome = stopped ? { fill: 'red', shape: 'ring', text: 'stopped' } : verdict.status;
              if (stopped) msg.stopped = true;
              sendFailed(msg, send, error as Error, verdict.state);
              done();
            } else {
              // Not an answer about the job (not found, refused, unreachable): to Catch nodes.
              outcome = errorStatus(error);
              failWith(msg, error, done);
            }
          }
          refresh();
        });
      })().catch((error: unknown) => inFlight.fail(node, msg, error, done));
    });

    inFlight.closeWith(node, () => waits.clear());
  }

  RED.nodes.registerType('huaweicloud-job-wait', JobWaitNode as never);
});

/** How a wait that did not succeed ends on the failed output; undefined for errors that go to Catch nodes. */
function verdictOf(error: unknown): { status: NodeStatus; state?: JobState | undefined } | undefined {
  if (error instanceof JobFailedError)
    return {
      status: { fill: 'red', shape: 'ring', text: `${error.state.phase}: ${error.state.status}` },
      state: error.state,
    };
  if (error instanceof WaitTimeoutError)
    return { status: { fill: 'red', shape: 'ring', text: 'timed out' }, state: error.state };
  if (error instanceof AbortError) return { status: { fill: 'red', shape: 'ring', text: 'wait cancelled' } };
  if (error instanceof StopFailedError)
    return { status: { fill: 'red', shape: 'ring', text: 'stop failed' } };
  return undefined;
}
