/**
 * The example flows in a real, headless Node-RED (4.1 on Node 20, 5 on Node
 * 24) with the packed package installed into its user directory: every node
 * loads, and the flows print the debug lines the README shows.
 */
import { readFileSync } from 'node:fs';
import { type Emulator, startEmulator } from '@jobgate/emulator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exampleFlows, mergeFlows, type RunningNodeRed, startNodeRed } from './support/runtime.mjs';

const EXPECTED_LINES = [
  '[debug:flink job] dli-flink 10001 job_running running',
  '[debug:sql job] dli-sql FINISHED 100%',
  '[debug:dataarts job] dataarts-realtime EXCEPTION failed',
  '[debug:cdm job] cdm jdbc2hive SUCCEEDED',
  '[debug:flink jobs] 10001 orders_enrich running',
  '[debug:flink jobs] 10002 clickstream_agg failed',
  '[debug:errors] DLI.0002 HTTP 400 for job 99999',
  '[debug:progress] dli-sql succeeded FINISHED',
  '[debug:succeeded] dli-sql FINISHED',
  '[debug:succeeded] cdm SUCCEEDED',
  '[debug:failed] dli-flink JOBGATE_JOB_FAILED job_running_exception',
  '[debug:failed] dataarts-realtime JOBGATE_JOB_FAILED EXCEPTION',
  // A flink jobs node as version 0.1 saved it, its status filter in `status`: still filtering.
  '[debug:saved by 0.1] 10002 job_running_exception',
];

const SAVED_BY_0_1 = JSON.parse(
  readFileSync(new URL('./fixtures/flink-jobs-status-0.1.json', import.meta.url), 'utf8'),
) as { type: string; server?: string }[];

// A wait that never ends (a streaming job never finishes), so that stopping Node-RED closes it mid-wait.
const UNENDING_WAIT = [
  { id: 'f0c1d2e3a4b5c6d7', type: 'tab', label: 'unending wait' },
  {
    id: '0a9b8c7d6e5f4a3b',
    type: 'inject',
    z: 'f0c1d2e3a4b5c6d7',
    props: [{ p: 'jobId', v: '10001', vt: 'num' }],
    once: true,
    onceDelay: '0.5',
    repeat: '',
    crontab: '',
    topic: '',
    wires: [['1b2c3d4e5f6a7b8c']],
  },
  {
    id: '1b2c3d4e5f6a7b8c',
    type: 'huaweicloud-job-wait',
    z: 'f0c1d2e3a4b5c6d7',
    name: 'never ends',
    server: '',
    kind: 'dli-flink',
    fields: {},
    until: 'finished',
    timeout: '1h',
    interval: '200ms',
    progressOutput: false,
    outputs: 2,
    wires: [[], []],
  },
];

let emulator: Emulator;
let nodeRed: RunningNodeRed | undefined;

beforeAll(async () => {
  emulator = await startEmulator({ timeScale: 1, seed: 3 });
  // Every job of the default scenario to its last step, so that the lines are the same on every run.
  emulator.admin.advanceClock(3_600_000);
});
afterAll(async () => {
  await nodeRed?.stop();
  await emulator?.close();
});

describe('the example flows in a real Node-RED', () => {
  it('load, run against the emulator and print the expected debug lines, then stop within the close limit', async () => {
    const examples = exampleFlows(emulator.url);
    const flows = mergeFlows(
      examples['Query job status'] ?? [],
      examples['Wait for jobs'] ?? [],
      UNENDING_WAIT,
      SAVED_BY_0_1,
    );
    // Each example brings its own config node, so that either imports alone.
    const configIds = flows
      .filter((n) => (n as { type: string }).type === 'huaweicloud-config')
      .map((n) => (n as { id: string }).id);
    expect(configIds).toHaveLength(2);
    for (const node of flows)
      if ((node as { name?: string }).name === 'never ends')
        (node as { server: string }).server = configIds[0] ?? '';
    for (const node of SAVED_BY_0_1) if (node.server === 'SERVER') node.server = configIds[0] ?? '';
    const { accessKey, secretKey } = emulator.credentials;

    const [queryConfig, waitConfig] = configIds;
    nodeRed = await startNodeRed({
      tarball: inject('packageTarball'),
      flows,
      // The query example's config: `${NAME}` in the credentials file, filled in by Node-RED from its
      // environment. The wait example's config has none: the core reads HUAWEICLOUD_SDK_AK/SK, as the
      // README's walk-through does.
      credentials: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Node-RED's own ${NAME} syntax
        [queryConfig ?? '']: { accessKey: '${JOBGATE_TEST_AK}', secretKey: '${JOBGATE_TEST_SK}' },
      },
      env: {
        JOBGATE_TEST_AK: accessKey,
        JOBGATE_TEST_SK: secretKey,
        HUAWEICLOUD_SDK_AK: accessKey,
        HUAWEICLOUD_SDK_SK: secretKey,
      },
    });
    expect(waitConfig).toBeDefined();
    const { version } = nodeRed.distribution;
    const major = Number(process.versions.node.split('.')[0]);
    expect(version).toBe(major >= 22 ? '5.0.7' : '4.1.15');

    for (const line of EXPECTED_LINES)
      await nodeRed.waitFor(new RegExp(`\\[info\\] ${escapeRegExp(line)}$`, 'm'), 30_000);
    const output = nodeRed.output();
    expect(output).toMatch(new RegExp(`Node-RED version: v${escapeRegExp(version)}`));
    expect(output).toMatch(new RegExp(`Node.js\\s+version: ${escapeRegExp(process.version)}`));
    expect(output).not.toMatch(/Waiting for missing types|\[error\]/);
    // The unending wait is under way: its requests keep coming.
    await expectRequestsFor('/streaming/jobs/10001');

    const stopped = await nodeRed.stop();
    nodeRed = undefined;
    expect(stopped.ms).toBeLessThan(10_000);
    expect(stopped.signal === 'SIGINT' || stopped.code === 0).toBe(true);
    expect(output + stopped).not.toMatch(/Close timed out/);
    for (const secret of [secretKey, accessKey]) expect(output).not.toContain(secret);
    // Nothing polls once Node-RED has stopped.
    emulator.admin.clearRequests();
    await new Promise((r) => setTimeout(r, 500));
    expect(emulator.admin.requests()).toEqual([]);
  }, 120_000);
});

async function expectRequestsFor(path: string) {
  emulator.admin.clearRequests();
  const deadline = Date.now() + 5_000;
  while (!emulator.admin.requests().some((r) => r.path.endsWith(path))) {
    if (Date.now() > deadline) throw new Error(`no request for ${path}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
