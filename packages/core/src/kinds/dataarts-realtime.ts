import { z } from 'zod';
import { JobParams } from '../dataarts/schemas.js';
import { JobName, WorkspaceId } from '../inputs.js';
import { lazySchema } from '../lazy-schema.js';
import { defineJobKind, text } from './types.js';

const NODE_COLUMNS = ['node', 'type', 'status', 'last instance', 'records in', 'records out'];

const ref = lazySchema(() =>
  z.object({
    jobName: JobName.describe('The job name in DataArts Studio Factory').meta({ label: 'Job name' }),
    workspace: WorkspaceId.optional()
      .describe('The DataArts workspace id; needed when the account has several workspaces')
      .meta({ label: 'Workspace' }),
  }),
);

/** DataArts Studio Factory real-time jobs (seed 003), started and stopped by name. */
export const dataartsRealtimeKind = defineJobKind({
  name: 'dataarts-realtime',
  title: 'DataArts real-time job',
  service: 'dataarts',
  description: 'A real-time job in DataArts Studio Factory (DLF)',
  streaming: true,
  ref,
  statuses: {
    STARTING: 'pending',
    // The Go SDK's spelling.
    STARTTING: 'pending',
    INIT: 'pending',
    SCHEDULING: 'pending',
    // Paused (both spellings): not running now, may be resumed; no verdict.
    PAUSE: 'pending',
    PAUSED: 'pending',
    STOPPING: 'pending',
    NORMAL: 'running',
    OVERLOAD: 'running',
    EXCEPTION: 'failed',
    ABNORMAL: 'failed',
    // Waiting on a real-time job to finish means waiting for it to stop cleanly.
    STOPPED: 'succeeded',
    DISABLE: 'cancelled',
  },
  async fetch(client, ref, options) {
    const response = await client.dataarts.getRealtimeJobStatus(ref.jobName, {
      ...options,
      workspace: ref.workspace,
    });
    const nodes = response.nodes ?? [];
    const troubled = nodes
      .filter((n) => n.status === 'EXCEPTION' || n.status === 'ABNORMAL')
      .map((n) => `${n.name}: ${n.status}`);
    return {
      status: response.status ?? '',
      message: troubled.length ? `nodes in trouble: ${troubled.join(', ')}` : undefined,
      details: nodes.length
        ? [
            {
              title: 'Nodes',
              columns: NODE_COLUMNS,
              rows: nodes.map((n) => [
                n.name,
                n.type ?? null,
                n.status ?? null,
                text(n.lastInstanceStatus) ?? null,
                n.totalGetRecords ?? null,
                n.totalPutRecords ?? null,
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
        ...ref.shape,
        jobParams: JobParams.optional()
          .describe('Parameters of the job, as name=value pairs (at most 100)')
          .meta({ label: 'Job parameters' }),
      }),
    ),
    async start(client, spec, options) {
      await client.dataarts.startRealtimeJob(spec.jobName, {
        ...options,
        workspace: spec.workspace,
        jobParams: spec.jobParams,
      });
      const { jobParams: _params, ...started } = spec;
      return { ref: started };
    },
  },
  stop: {
    spec: lazySchema(() => z.strictObject({})),
    async stop(client, ref, _spec, options) {
      await client.dataarts.stopRealtimeJob(ref.jobName, { ...options, workspace: ref.workspace });
    },
  },
});
