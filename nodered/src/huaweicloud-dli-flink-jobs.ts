import {
  FlinkJobListFilter,
  type FlinkJobListItem,
  getJobKind,
  InputError,
  type JobState,
} from './lib/core.js';
import { withOutputGuard } from './lib/guard.js';
import {
  badField,
  checkField,
  FieldReader,
  type FieldSchema,
  FLINK_JOBS_OVERRIDES,
  type MsgOverride,
} from './lib/msg-overrides.js';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './lib/node-red.js';
import { clientOf, InFlight } from './lib/runtime.js';

/** How an editor field's text becomes a filter value: a whole number becomes a number; the core checks the rest. */
const NUMERIC = new Set(['limit', 'offset', 'rootId']);

function filterValue(name: string, value: unknown): unknown {
  if (typeof value === 'string') {
    const text = value.trim();
    return NUMERIC.has(name) && /^-?\d+$/.test(text) ? Number(text) : text;
  }
  return value;
}

const FILTERS = FLINK_JOBS_OVERRIDES.filter((f) => f.msg.startsWith('filter.'));
const byName = (name: string) => FLINK_JOBS_OVERRIDES.find((f) => f.name === name) as MsgOverride;
const filterShape = FlinkJobListFilter.shape as unknown as Record<string, FieldSchema>;

/**
 * The list filters for one message: each from the node, or msg.filter when
 * the node leaves it unset (the job-name filter is stored as `jobName`, the
 * status filter as `statusFilter`: `name` and `status` are the node's own).
 */
async function filterOf(reader: FieldReader, msg: NodeMessage): Promise<FlinkJobListFilter> {
  const override = msg.filter;
  if (override !== undefined && override !== null) {
    if (typeof override !== 'object' || Array.isArray(override))
      throw new InputError(
        'msg.filter',
        'expected an object of list filters such as { "status": "job_running" }',
      );
    for (const key of Object.keys(override))
      if (!FILTERS.some((f) => f.name === key))
        throw new InputError(
          `msg.filter.${key}`,
          `not a list filter; expected one of ${FILTERS.map((f) => f.name).join(', ')}`,
        );
  }
  const filter: Record<string, unknown> = {};
  for (const field of FILTERS) {
    const got = await reader.read(msg, field);
    if (!got) continue;
    const value = filterValue(field.name, got.value);
    const schema = filterShape[field.name];
    filter[field.name] = schema ? checkField(field, schema, { ...got, value }) : value;
  }
  return filter as FlinkJobListFilter;
}

async function outputOf(
  reader: FieldReader,
  msg: NodeMessage,
): Promise<{ allPages: boolean; split: boolean }> {
  const allPages = await reader.read(msg, byName('allPages'));
  if (allPages && allPages.value !== true)
    throw badField(byName('allPages'), 'expected true or false', allPages);
  const output = await reader.read(msg, byName('output'));
  if (output && output.value !== 'array' && output.value !== 'split')
    throw badField(byName('output'), 'expected "array" or "split"', output);
  return { allPages: allPages !== undefined, split: output?.value === 'split' };
}

export = withOutputGuard((RED: NodeAPI) => {
  const flink = getJobKind('dli-flink');

  /** The JobState of one list item, classified by the Flink kind's own status table. */
  function stateOf(item: FlinkJobListItem, observedAt: string): JobState {
    const status = item.status ?? '';
    const phase = Object.hasOwn(flink.statuses, status) ? flink.statuses[status] : undefined;
    return {
      kind: flink.name,
      ref: { jobId: item.job_id },
      phase: phase ?? 'unknown',
      status,
      ...(item.status_desc?.trim() ? { message: item.status_desc.trim() } : {}),
      observedAt,
      raw: item,
    };
  }

  function FlinkJobListNode(this: Node<unknown>, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const reader = new FieldReader(RED, this, def);
    const inFlight = new InFlight();

    this.on('input', (msg, send, done) => {
      void inFlight
        .run(async (signal) => {
          const client = clientOf(RED, def.server);
          const filter = await filterOf(reader, msg);
          const { allPages, split } = await outputOf(reader, msg);
          let jobs: FlinkJobListItem[];
          let total: number | undefined;
          if (allPages) {
            const { offset: _all, ...rest } = filter;
            jobs = [];
            for await (const job of client.dli.listAllFlinkJobs(rest, { signal })) jobs.push(job);
            total = jobs.length;
          } else {
            const answer = await client.dli.listFlinkJobs(filter, { signal });
            jobs = answer.job_list?.jobs ?? [];
            total = answer.job_list?.total_count ?? undefined;
          }
          this.status({
            fill: 'green',
            shape: 'dot',
            text: `${jobs.length} job${jobs.length === 1 ? '' : 's'}`,
          });
          if (split) {
            const observedAt = new Date().toISOString();
            // msg.parts lets a join node put the list back together.
            jobs.forEach((job, index) => {
              const out = RED.util.cloneMessage(msg);
              out.payload = job;
              out.job = stateOf(job, observedAt);
              out.parts = {
                id: msg._msgid,
                index,
                count: jobs.length,
                type: 'array',
                len: 1,
                ...(msg.parts ? { parts: msg.parts } : {}),
              };
              send(out);
            });
          } else {
            msg.payload = jobs;
            if (total !== undefined) msg.totalCount = total;
            send(msg);
          }
          done();
        })
        .catch((error: unknown) => inFlight.fail(this, msg, error, done));
    });

    inFlight.closeWith(this);
  }

  RED.nodes.registerType('huaweicloud-dli-flink-jobs', FlinkJobListNode as never);
});
