import { fieldsOf, getJobKind, getJobState } from './core.js';
import type { Node, NodeAPI, NodeDef } from './node-red.js';
import { clientOf, evaluateRef, InFlight, stateStatus, typedInputOf } from './runtime.js';

/**
 * Registers a node that reads one job's state once, through the API its job
 * kind reads: `msg.payload` gets the validated answer, `msg.job` the
 * JobState, and the rest of the msg passes through. The identity fields are
 * the kind's own (`jobId`, `jobName`, ...), each a TypedInput stored as
 * `<key>` and `<key>Type`.
 */
export function registerJobQueryNode(RED: NodeAPI, type: string, kindName: string): void {
  const kind = getJobKind(kindName);
  const fields = fieldsOf(kind);

  function JobQueryNode(this: Node<unknown>, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const inputs = Object.fromEntries(fields.map((f) => [f.key, typedInputOf(def, f.key)]));
    const inFlight = new InFlight();

    this.on('input', (msg, send, done) => {
      void inFlight
        .run(async (signal) => {
          const client = clientOf(RED, def.server);
          const ref = await evaluateRef(RED, this, msg, kind.name, fields, inputs);
          const state = await getJobState(client, ref as never, { signal });
          msg.payload = state.raw;
          msg.job = state;
          this.status(stateStatus(state));
          send(msg);
          done();
        })
        .catch((error: unknown) => inFlight.fail(this, msg, error, done));
    });

    inFlight.closeWith(this);
  }

  RED.nodes.registerType(type, JobQueryNode as never);
}
