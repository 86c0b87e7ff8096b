import {
  type FlinkJobListFilter,
  type FlinkJobListItem,
  getJobKind,
  InputError,
  type JobState,
} from './lib/core.js';
import { withOutputGuard } from './lib/guard.js';
import type { Node, NodeAPI, NodeDef } from './lib/node-red.js';
import { clientOf, InFlight } from './lib/runtime.js';

/** The list API's filters as the editor stores them (the job-name filter is `jobName`: `name` is the node's). */
interface ListDef extends NodeDef {
  server?: string;
  jobType?: string;
  status?: string;
  queueName?: string;
  jobName?: string;
  userName?: string;
  tags?: string;
  order?: string;
  limit?: string | number;
  offset?: string | number;
  rootId?: string | number;
  sysEnterpriseProjectName?: string;
  showDetail?: boolean;
  allPages?: boolean;
  output?: 'array' | 'split';
}

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

// Editor fields hold text; a whole number becomes a number, anything else is left for the core to reject by name.
function integer(value: unknown): unknown {
  if (typeof value === 'number') return value;
  const t = text(value);
  return t !== undefined && /^-?\d+$/.test(t) ? Number(t) : t;
}

function filterOf(def: ListDef): Record<string, unknown> {
  const filter: Record<string, unknown> = {
    jobType: text(def.jobType),
    status: text(def.status),
    queueName: text(def.queueName),
    name: text(def.jobName),
    userName: text(def.userName),
    tags: text(def.tags),
    order: text(def.order),
    limit: integer(def.limit),
    offset: integer(def.offset),
    rootId: integer(def.rootId),
    sysEnterpriseProjectName: text(def.sysEnterpriseProjectName),
    showDetail: def.showDetail === true ? true : undefined,
  };
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
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

  function FlinkJobListNode(this: Node<unknown>, def: ListDef) {
    RED.nodes.createNode(this, def);
    const configured = filterOf(def);
    const inFlight = new InFlight();

    this.on('input', (msg, send, done) => {
      void inFlight
        .run(async (signal) => {
          const client = clientOf(RED, def.server);
          const override = msg.filter;
          if (
            override !== undefined &&
            (typeof override !== 'object' || override === null || Array.isArray(override))
          )
            throw new InputError(
              'msg.filter',
              'expected an object of list filters such as { status: "job_running" }',
            );
          const filter = { ...configured, ...(override as object | undefined) } as FlinkJobListFilter;
          let jobs: FlinkJobListItem[];
          let total: number | undefined;
          if (def.allPages) {
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
          if (def.output === 'split') {
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
