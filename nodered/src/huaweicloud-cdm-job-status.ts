import { withOutputGuard } from './lib/guard.js';
import type { NodeAPI } from './lib/node-red.js';
import { registerJobQueryNode } from './lib/query-node.js';

/** CDM migration job status (GET /v1.1/{project_id}/clusters/{cluster_id}/cdm/job/{job_name}/status). */
export = withOutputGuard((RED: NodeAPI) => registerJobQueryNode(RED, 'huaweicloud-cdm-job-status'));
