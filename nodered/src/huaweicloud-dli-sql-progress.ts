import { withOutputGuard } from './lib/guard.js';
import type { NodeAPI } from './lib/node-red.js';
import { registerJobQueryNode } from './lib/query-node.js';

/** DLI SQL job progress (GET /v1/{project_id}/jobs/{job_id}/progress; the status API where progress answers DLI.0999). */
export = withOutputGuard((RED: NodeAPI) => registerJobQueryNode(RED, 'huaweicloud-dli-sql-progress'));
