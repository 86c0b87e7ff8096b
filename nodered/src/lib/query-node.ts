import { getJobKind, getJobState } from './core.js';
import { FieldReader, MSG_OVERRIDES, QUERY_NODE_KINDS, readJobRef } from './msg-overrides.js';
import type { Node, NodeAPI, NodeDef } from './node-red.js';
import { clientOf, InFlight, stateStatus } from './runtime.js';

/**
 * Registers a node that reads one job's state once, through the API its job
 * kind reads: `msg.payload` gets the validated answer, `msg.job` the
 * JobState, and the rest of the msg passes through. The identity fields are
 * the kind's own (`jobId`, `jobName`, ...), each a TypedInput stored as
 * `<key>` and `<key>Type`, and the msg property of the same name when the
 * node leaves one empty.
 */
export function registerJobQueryNode(RED: NodeAPI, type: keyof typeof QUERY_NODE_KINDS): void {
  const kind = getJobKind(QUERY_NODE_KINDS[type]);
  const fields = MSG_OVERRIDES[type] ?? [];

  function JobQueryNode(this: Node<unknown>, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const reader = new FieldReader(RED, this, def);
    const inFlight = new InFlight();

    this.on('input', (msg, send, done) => {
      void inFlight
        .run(async (signal) => {
          const client = clientOf(RED, def.server);
          const ref = await readJobRef(reader, msg, kind, fields);
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
