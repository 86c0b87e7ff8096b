import { withOutputGuard } from './lib/guard.js';
import type { NodeAPI } from './lib/node-red.js';
import { registerJobQueryNode } from './lib/query-node.js';

/** DataArts Studio Factory real-time job status (GET /v1/{project_id}/jobs/{job_name}/status). */
export = withOutputGuard((RED: NodeAPI) => registerJobQueryNode(RED, 'huaweicloud-dataarts-job-status'));
