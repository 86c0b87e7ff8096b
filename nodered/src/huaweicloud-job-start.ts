import { fieldsOf, JOB_KINDS, type JobStartSpec, startFieldsOf, startJob } from './lib/core.js';
import { withOutputGuard } from './lib/guard.js';
import {
  FieldReader,
  type FieldSchema,
  kindOf,
  type MsgOverride,
  readStartSpec,
  START_OVERRIDES,
  valueForm,
} from './lib/msg-overrides.js';
import type { Node, NodeAPI, NodeDef } from './lib/node-red.js';
import { clientOf, errorStatus, failWith, InFlight, type TypedValue } from './lib/runtime.js';

interface StartDef extends NodeDef {
  server?: string;
  /** The start fields of its kind, by key (sql, jobId, jobParams, ...): a TypedInput each. */
  fields?: Record<string, TypedValue | undefined>;
}

/** TypedInput types beyond msg, flow, global, env and JSONata, by what the field takes. */
const EXTRA_TYPES = { text: ['str'], boolean: ['bool'], list: ['json', 'str'], object: ['json'] } as const;

/** What the editor's kind list and start fields are built from: the kinds of the core's table that can start a job. */
const START_CATALOG = JOB_KINDS.filter((kind) => kind.start).map((kind) => {
  const shape = (kind.start?.spec.shape ?? {}) as Record<string, FieldSchema>;
  return {
    name: kind.name,
    title: kind.title,
    description: kind.description,
    streaming: kind.streaming,
    fields: startFieldsOf(kind).map((field) => ({
      ...field,
      types: EXTRA_TYPES[valueForm(shape[field.key])],
    })),
    // What the start sends on, for the help text under the fields.
    identity: fieldsOf(kind).map((f) => f.key),
  };
});

const byName = (name: string) => START_OVERRIDES.find((f) => f.name === name) as MsgOverride;

export = withOutputGuard((RED: NodeAPI) => {
  RED.httpAdmin.get(
    '/huaweicloud-jobs/start-kinds',
    RED.auth.needsPermission('huaweicloud-job-start.read'),
    (_req, res) => res.json(START_CATALOG),
  );

  function JobStartNode(this: Node<unknown>, def: StartDef) {
    RED.nodes.createNode(this, def);
    const reader = new FieldReader(RED, this, def);
    const inFlight = new InFlight();

    this.on('input', (msg, send, done) => {
      void (async () => {
        const kind = kindOf(byName('kind'), await reader.read(msg, byName('kind')));
        const spec = await readStartSpec(reader, msg, kind);
        const client = clientOf(RED, def.server);
        this.status({ fill: 'blue', shape: 'dot', text: 'starting' });
        // A start is sent once and not cut short: once sent it may have started a job, and only its
        // answer names the job to stop. Closing the node waits for it (up to CLOSE_LIMIT_MS).
        const ref = await inFlight.run(() => startJob(client, spec as JobStartSpec));
        const { kind: _kind, ...fields } = ref as Record<string, unknown>;
        // What the wait node reads, as it reads it: msg.kind and each identity field of the kind.
        msg.kind = kind.name;
        for (const key of Object.keys(fields)) msg[key] = fields[key];
        msg.payload = ref;
        msg.job = { kind: kind.name, ref: fields };
        const shown = Object.values(fields).filter((v) => v !== undefined);
        this.status({ fill: 'green', shape: 'dot', text: `started ${shown.join(' ')}` });
        send(msg);
        done();
      })().catch((error: unknown) => {
        if (inFlight.closing) {
          done();
          return;
        }
        this.status(errorStatus(error));
        failWith(msg, error, done);
      });
    });

    inFlight.closeWith(this);
  }

  RED.nodes.registerType('huaweicloud-job-start', JobStartNode as never);
});
