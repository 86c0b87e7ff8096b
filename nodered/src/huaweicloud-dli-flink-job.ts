import { withOutputGuard } from './lib/guard.js';
import type { NodeAPI } from './lib/node-red.js';
import { registerJobQueryNode } from './lib/query-node.js';

/** DLI Flink job details (GET /v1.0/{project_id}/streaming/jobs/{job_id}). */
export = withOutputGuard((RED: NodeAPI) => registerJobQueryNode(RED, 'huaweicloud-dli-flink-job'));
