import { z } from 'zod';
import { JobParams } from '../dataarts/schemas.js';
import { InstanceId, JobName, WorkspaceId } from '../inputs.js';
import { lazySchema } from '../lazy-schema.js';
import { defineJobKind, fraction, text } from './types.js';

const NODE_COLUMNS = ['node', 'type', 'status', 'rows read', 'retries'];
/** Node statuses that end a node well; `skip` is a node skipped by its conditions. */
const NODE_DONE = new Set(['success', 'skip', 'skip-by-depend']);
const NODE_FAILED = new Set(['fail', 'running-exception']);

const jobName = lazySchema(() =>
  JobName.describe('The batch job name in DataArts Studio Factory').meta({ label: 'Job name' }),
);
const workspace = lazySchema(() =>
  WorkspaceId.optional()
    .describe('The DataArts workspace id; needed when the account has several workspaces')
    .meta({ label: 'Workspace' }),
);

/**
 * One run (instance) of a DataArts Studio Factory batch job: started with run-immediate, read and
 * stopped through its instance.
 */
export const dataartsBatchKind = defineJobKind({
  name: 'dataarts-batch',
  title: 'DataArts batch job run',
  service: 'dataarts',
  description: 'One run (instance) of a batch job in DataArts Studio Factory (DLF)',
  streaming: false,
  ref: lazySchema(() =>
    z.object({
      jobName,
      instanceId: InstanceId.describe('The run (instance) id, an integer such as 132343').meta({
        label: 'Instance ID',
      }),
      workspace,
    }),
  ),
  statuses: {
    waiting: 'pending',
    // Paused by an operator: not running now, may be resumed; no verdict.
    pause: 'pending',
    running: 'running',
    success: 'succeeded',
    fail: 'failed',
    'running-exception': 'failed',
    'manual-stop': 'cancelled',
    // The v2 pages' spellings. Frozen: held by an operator, no verdict yet.
    freeze: 'pending',
    // Skipped because something it depends on did not succeed: it ended without doing its work.
    'skip-by-depend': 'cancelled',
  },
  async fetch(client, ref, options) {
    const response = await client.dataarts.getBatchInstance(ref.jobName, ref.instanceId, {
      ...options,
      workspace: ref.workspace,
    });
    const nodes = response.nodes ?? [];
    const failed = nodes
      .filter((n) => NODE_FAILED.has(n.status ?? ''))
      .map((n) => `${n.nodeName ?? '?'}: ${n.status}`);
    const done = nodes.filter((n) => NODE_DONE.has(n.status ?? '')).length;
    return {
      status: response.status ?? '',
      progress: response.status === 'success' ? 1 : nodes.length ? fraction(done, nodes.length) : undefined,
      message: failed.length ? `nodes failed: ${failed.join(', ')}` : undefined,
      details: nodes.length
        ? [
            {
              title: 'Nodes',
              columns: NODE_COLUMNS,
              rows: nodes.map((n) => [
                text(n.nodeName) ?? null,
                n.type ?? null,
                n.status ?? null,
                n.inputRowCount ?? null,
                n.retryTimes ?? null,
              ]),
            },
          ]
        : [],
      raw: response,
    };
  },
  start: {
    spec: lazySchema(() =>
      z.strictObject({
        jobName,
        workspace,
        jobParams: JobParams.optional()
          .describe('Parameters of this run, as name=value pairs (at most 100)')
          .meta({ label: 'Job parameters' }),
      }),
    ),
    async start(client, spec, options) {
      const answer = await client.dataarts.runBatchJob(spec.jobName, {
        ...options,
        workspace: spec.workspace,
        jobParams: spec.jobParams,
      });
      return {
        ref: {
          jobName: spec.jobName,
          instanceId: answer.instanceId,
          ...(spec.workspace === undefined ? {} : { workspace: spec.workspace }),
        },
      };
    },
  },
  stop: {
    spec: lazySchema(() => z.strictObject({})),
    async stop(client, ref, _spec, options) {
      await client.dataarts.stopBatchInstance(ref.jobName, ref.instanceId, {
        ...options,
        workspace: ref.workspace,
      });
    },
  },
});
