/**
 * The Node-RED editor in a real browser (Debian's chromium, driven by
 * playwright-core): the palette shows the nodes under "Huawei Cloud", each
 * example flow imports from the Import > Examples menu, every node's edit
 * dialog opens with its fields and its help has every section, and the page
 * logs no error on the way.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOB_KINDS } from '@jobgate/core';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningNodeRed, startNodeRed } from './support/runtime.mjs';

const PACKAGE = '@jobgate/node-red-huaweicloud-jobs';
const OUR_TYPES = [
  'huaweicloud-config',
  'huaweicloud-dli-flink-job',
  'huaweicloud-dli-flink-jobs',
  'huaweicloud-dli-sql-progress',
  'huaweicloud-dataarts-job-status',
  'huaweicloud-cdm-job-status',
  'huaweicloud-job-wait',
  'huaweicloud-job-start',
];

function findChromium(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const executablePath = findChromium();
// Locally a missing browser skips this file; in CI it is a failure.
const skip = !executablePath && process.env.CI !== 'true';
if (skip)
  console.warn(
    'editor.test: skipped, no `chromium` on PATH (apt-get install -y chromium); CI=true makes this a failure',
  );

let nodeRed: RunningNodeRed | undefined;
let context: BrowserContext | undefined;
let profile: string | undefined;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (skip) return;
  if (!executablePath)
    throw new Error('chromium is not installed (apt-get install -y chromium), and CI=true');
  nodeRed = await startNodeRed({ tarball: inject('packageTarball'), flows: [] });
  profile = mkdtempSync(join(tmpdir(), 'jobgate-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  await page.goto(nodeRed.url);
  // Every node's editor code has run: each registers its type.
  await page.waitForFunction(
    (types) => types.every((t) => (globalThis as unknown as EditorWindow).RED?.nodes?.getType?.(t)),
    OUR_TYPES,
    {
      timeout: 30_000,
    },
  );
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await nodeRed?.stop();
});

interface EditorNode {
  id: string;
  type: string;
  z?: string;
}
/** What the page code below reads: this file is type-checked without the DOM library. */
interface BrowserGlobals {
  document: { querySelectorAll(selector: string): { length: number } };
}
interface EditorWindow {
  RED: {
    nodes: {
      getType(type: string): { category: string; icon?: unknown; outputLabels?: unknown } | undefined;
      createExportableNodeSet(nodes: EditorNode[]): object[];
      eachNode(cb: (n: EditorNode) => void): void;
      eachConfig(cb: (n: EditorNode) => void): void;
      eachWorkspace(cb: (ws: { id: string; label: string }) => void): void;
      node(id: string): EditorNode;
    };
    actions: { invoke(name: string): void };
    editor: { edit(node: EditorNode): void; editConfig(name: string, type: string, id: string): void };
    sidebar: { help: { show(type: string): void } };
    workspaces: { active(): string };
    view: { redraw(full?: boolean): void; importNodes(flow: unknown, options?: object): void };
    utils: { getNodeLabel(node: EditorNode): string };
  };
}

async function importExample(title: string) {
  await page.evaluate(() =>
    (globalThis as unknown as EditorWindow).RED.actions.invoke('core:show-examples-import-dialog'),
  );
  const library = page.locator('#red-ui-clipboard-dialog-import-tab-examples');
  await library.getByText(PACKAGE, { exact: true }).click();
  await library.getByText(title, { exact: true }).click();
  await page.locator('#red-ui-clipboard-dialog-ok').click();
  // Each example is one tab of the same name.
  await page.waitForFunction(
    (t) => {
      let found = false;
      (globalThis as unknown as EditorWindow).RED.nodes.eachWorkspace((ws) => {
        if (ws.label === t) found = true;
      });
      return found;
    },
    title,
    { timeout: 10_000 },
  );
}

/** Node ids of the given type in the editor's flows. */
function idsOf(type: string): Promise<string[]> {
  return page.evaluate((t) => {
    const ids: string[] = [];
    const RED = (globalThis as unknown as EditorWindow).RED;
    RED.nodes.eachNode((n) => {
      if (n.type === t) ids.push(n.id);
    });
    RED.nodes.eachConfig((n) => {
      if (n.type === t) ids.push(n.id);
    });
    return ids;
  }, type);
}

async function openAndCancel(id: string, type: string) {
  if (type === 'huaweicloud-config') {
    await page.evaluate(
      ([t, i]) => (globalThis as unknown as EditorWindow).RED.editor.editConfig('', t as string, i as string),
      [type, id],
    );
    await page.locator('#node-config-dialog-cancel').waitFor({ state: 'visible' });
    expect(await page.locator('#node-config-input-secretKey').getAttribute('type')).toBe('password');
    await expectVisible('#node-config-input-endpoint');
    await page.locator('#node-config-dialog-cancel').click();
    await page.locator('#node-config-dialog-cancel').waitFor({ state: 'detached' });
    return;
  }
  await page.evaluate((i) => {
    const RED = (globalThis as unknown as EditorWindow).RED;
    RED.editor.edit(RED.nodes.node(i));
  }, id);
  await page.locator('#node-dialog-cancel').waitFor({ state: 'visible' });
  await expectVisible('#node-input-server');
  if (type === 'huaweicloud-job-wait' || type === 'huaweicloud-job-start') {
    // The kinds and their fields come from the runtime's table: the start node lists those that start.
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as BrowserGlobals).document.querySelectorAll('#node-input-kind option')
          .length === n,
      // Each kind, and the first choice: the kind from msg.kind.
      (type === 'huaweicloud-job-start' ? JOB_KINDS.filter((k) => k.start).length : JOB_KINDS.length) + 1,
    );
    const fields = await page.locator('#node-input-huaweicloud-fields .red-ui-typedInput-container').count();
    expect(fields).toBeGreaterThan(0);
  } else if (type !== 'huaweicloud-dli-flink-jobs') {
    expect(await page.locator('#dialog-form .red-ui-typedInput-container').count()).toBeGreaterThan(0);
  }
  await page.locator('#node-dialog-cancel').click();
  await page.locator('#node-dialog-cancel').waitFor({ state: 'detached' });
}

async function expectVisible(selector: string) {
  await page.locator(selector).first().waitFor({ state: 'attached', timeout: 5_000 });
}

async function expectHelp(type: string) {
  await page.evaluate((t) => (globalThis as unknown as EditorWindow).RED.sidebar.help.show(t), type);
  // The help sidebar: the node's title, then its help text.
  const help = page.locator('.red-ui-help-title:visible + .red-ui-help');
  await help.waitFor({ state: 'visible' });
  const sections =
    type === 'huaweicloud-config'
      ? ['Properties', 'Details', 'References']
      : ['Inputs', 'Outputs', 'Details', 'References'];
  for (const section of sections)
    await help.locator('h3', { hasText: section }).first().waitFor({ timeout: 5_000 });
  const tooltip = await help.locator('p').first().textContent();
  expect(tooltip?.trim().length ?? 0).toBeGreaterThan(10);
}

describe.skipIf(skip)('the editor', () => {
  it('shows the nodes in a "Huawei Cloud" palette category, with their icons', async () => {
    const categories = await page.evaluate(
      (types) => types.map((t) => (globalThis as unknown as EditorWindow).RED.nodes.getType(t)?.category),
      OUR_TYPES,
    );
    expect(categories).toEqual(['config', ...Array(OUR_TYPES.length - 1).fill('Huawei Cloud')]);
    for (const type of OUR_TYPES.slice(1)) {
      await page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).waitFor({ state: 'attached' });
    }
    const icons = await page.evaluate(async (pkg) => {
      const RED = (globalThis as unknown as EditorWindow).RED;
      const out: Record<string, number> = {};
      for (const type of [
        'huaweicloud-dli-flink-job',
        'huaweicloud-dli-flink-jobs',
        'huaweicloud-dli-sql-progress',
        'huaweicloud-job-wait',
        'huaweicloud-job-start',
      ]) {
        const icon = String(RED.nodes.getType(type)?.icon);
        out[icon] = (await fetch(`icons/${pkg}/${icon}`)).status;
      }
      return out;
    }, PACKAGE);
    expect(icons).toEqual({
      'huaweicloud-query.svg': 200,
      'huaweicloud-list.svg': 200,
      'huaweicloud-progress.svg': 200,
      'huaweicloud-wait.svg': 200,
      'huaweicloud-start.svg': 200,
    });
  });

  it('loads the editor code the nodes share from resources/, with no error', async () => {
    const shared = await page.evaluate(async (pkg) => {
      const res = await fetch(`resources/${pkg}/editor.js`);
      const api = (globalThis as unknown as { HuaweiCloudJobs?: Record<string, unknown> }).HuaweiCloudJobs;
      return { status: res.status, members: Object.keys(api ?? {}).sort() };
    }, PACKAGE);
    expect(shared.status).toBe(200);
    expect(shared.members).toEqual(
      expect.arrayContaining(['typed', 'typedRow', 'registerQueryNode', 'optional']),
    );
    expect(problems).toEqual([]);
  });

  it('imports each example flow, opens every node and its help, with no error in the page', async () => {
    await importExample('Query job status');
    await importExample('Wait for jobs');
    await importExample('Run a SQL statement');
    const seen = new Set<string>();
    for (const type of OUR_TYPES) {
      const ids = await idsOf(type);
      expect(ids.length, `${type} in the examples`).toBeGreaterThan(0);
      for (const id of ids) await openAndCancel(id, type);
      await expectHelp(type);
      seen.add(type);
    }
    expect([...seen]).toEqual(OUR_TYPES);
    // The wait node's ports are labelled.
    const labels = await page.evaluate(() => {
      const def = (globalThis as unknown as EditorWindow).RED.nodes.getType(
        'huaweicloud-job-wait',
      ) as unknown as {
        outputLabels: (i: number) => string;
      };
      return [0, 1, 2].map((i) => def.outputLabels(i));
    });
    expect(labels).toEqual(['succeeded', 'failed', 'progress']);
    expect(problems).toEqual([]);
  }, 90_000);

  it("the start node's dialog: every kind that starts, its fields as TypedInputs with JSON where a field takes an object, saved by key", async () => {
    await page.evaluate(() => {
      const RED = (globalThis as unknown as EditorWindow).RED;
      RED.view.importNodes(
        [
          {
            id: 'a1b2c3d4e5f60718',
            type: 'huaweicloud-job-start',
            x: 200,
            y: 400,
            kind: 'dli-sql',
            fields: { sql: { value: 'SELECT 1', type: 'str' } },
          },
        ],
        { generateIds: false },
      );
      RED.editor.edit(RED.nodes.node('a1b2c3d4e5f60718'));
    });
    await page.locator('#node-dialog-ok').waitFor({ state: 'visible' });
    await page.locator('#node-input-huaweicloud-field-sql').waitFor({ state: 'attached' });
    expect(await page.locator('#node-input-huaweicloud-field-sql').inputValue()).toBe('SELECT 1');
    // conf takes a list or an object: JSON is one of its types; a plain text field has none.
    const types = await page.evaluate(() => {
      const $ = (
        globalThis as unknown as { $: (s: string) => { typedInput(a: string, b?: unknown): unknown } }
      ).$;
      const has = (id: string) => {
        try {
          $(id).typedInput('type', 'json');
          return $(id).typedInput('type') === 'json';
        } catch {
          return false;
        }
      };
      return {
        conf: has('#node-input-huaweicloud-field-conf'),
        queue: has('#node-input-huaweicloud-field-queue'),
      };
    });
    expect(types).toEqual({ conf: true, queue: false });
    await page.locator('#node-input-kind').selectOption('cdm');
    await page.locator('#node-input-huaweicloud-field-variables').waitFor({ state: 'attached' });
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    const saved = await page.evaluate(() => {
      const RED = (globalThis as unknown as EditorWindow).RED;
      return RED.nodes.createExportableNodeSet([RED.nodes.node('a1b2c3d4e5f60718')])[0] as Record<
        string,
        unknown
      >;
    });
    expect(saved.kind).toBe('cdm');
    expect(Object.keys(saved.fields as object).sort()).toEqual(['clusterId', 'jobName', 'variables']);
    const label = await page.evaluate(() => {
      const RED = (globalThis as unknown as EditorWindow).RED;
      return RED.utils.getNodeLabel(RED.nodes.node('a1b2c3d4e5f60718'));
    });
    expect(label).toBe('start CDM migration job');
    expect(problems).toEqual([]);
  });

  it('loads a flow saved with the status filter in `status`, and no label ever shows [object Object]', async () => {
    const saved = readFileSync(new URL('./fixtures/flink-jobs-status-0.1.json', import.meta.url), 'utf8');
    await page.evaluate((flow) => {
      (globalThis as unknown as EditorWindow).RED.view.importNodes(JSON.parse(flow), { generateIds: false });
    }, saved);
    const id = 'b1c2d3e4f5a60718';
    const labelOf = (i: string) =>
      page.evaluate((n) => {
        const RED = (globalThis as unknown as EditorWindow).RED;
        return RED.utils.getNodeLabel(RED.nodes.node(n));
      }, i);
    expect(await labelOf(id)).toBe('flink jobs: job_running_exception');

    // Node-RED keeps each node's status in `status`, as the runtime reports it: do so for every node.
    await page.evaluate(() => {
      const RED = (globalThis as unknown as EditorWindow).RED;
      RED.nodes.eachNode((n) => {
        const node = n as unknown as { status: object; dirty: boolean; dirtyStatus: boolean };
        node.status = { fill: 'green', shape: 'dot', text: '2 jobs' };
        node.dirty = true;
        node.dirtyStatus = true;
      });
      RED.view.redraw(true);
    });
    expect(await labelOf(id)).toBe('flink jobs: job_running_exception');
    const labels = await page.evaluate(() => {
      const RED = (globalThis as unknown as EditorWindow).RED;
      const all: string[] = [];
      RED.nodes.eachNode((n) => {
        if (n.type.startsWith('huaweicloud-')) all.push(String(RED.utils.getNodeLabel(n)));
      });
      return all;
    });
    expect(labels.length).toBeGreaterThanOrEqual(OUR_TYPES.length);
    for (const label of labels) expect(label).not.toMatch(/\[object |undefined|null/);
    expect(await page.locator('.red-ui-flow-node-label', { hasText: '[object' }).count()).toBe(0);

    // Its dialog shows the filter, and saving keeps it under its new name.
    await page.evaluate((i) => {
      const RED = (globalThis as unknown as EditorWindow).RED;
      RED.editor.edit(RED.nodes.node(i));
    }, id);
    await page.locator('#node-dialog-ok').waitFor({ state: 'visible' });
    expect(await page.locator('#node-input-statusFilter').inputValue()).toBe('job_running_exception');
    await page.locator('#node-dialog-ok').click();
    await page.locator('#node-dialog-ok').waitFor({ state: 'detached' });
    const exported = await page.evaluate((i) => {
      const RED = (globalThis as unknown as EditorWindow).RED;
      return RED.nodes.createExportableNodeSet([RED.nodes.node(i)])[0] as Record<string, unknown>;
    }, id);
    expect(exported.statusFilter).toBe('job_running_exception');
    expect(await labelOf(id)).toBe('flink jobs: job_running_exception');
    expect(problems).toEqual([]);
  });
});
