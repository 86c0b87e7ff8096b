/**
 * What the Flow Library's scorecard and a Node-RED install read from the
 * package: its manifest, a .js/.html pair and help for every node, icons, and
 * examples that together use every node.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fieldsOf, getJobKind } from '@jobgate/core';
import { describe, expect, it } from 'vitest';
import { NODERED_DIR } from './support/paths.mjs';

const require = createRequire(import.meta.url);
// The table the nodes read their msg properties by, as the built package holds it.
const { MSG_OVERRIDES } = require(join(NODERED_DIR, 'dist', 'lib', 'msg-overrides.js')) as {
  MSG_OVERRIDES: Record<string, { msg: string; label: string }[]>;
};

const pkg = JSON.parse(readFileSync(join(NODERED_DIR, 'package.json'), 'utf8'));
const nodes: Record<string, string> = pkg['node-red'].nodes;
const html = (type: string) =>
  readFileSync(join(NODERED_DIR, nodes[type] ?? '').replace(/\.js$/, '.html'), 'utf8');
const CONFIG = 'huaweicloud-config';
const flowNodeTypes = Object.keys(nodes).filter((t) => t !== CONFIG);

/** The lowest version a range like ">=20.18" lets in, compared as numbers. */
function atLeast(range: string, version: string): boolean {
  const min = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!min) return false;
  const [a, b, c] = version.split('.').map(Number);
  const want = [Number(min[1]), Number(min[2] ?? 0), Number(min[3] ?? 0)];
  const have = [a ?? 0, b ?? 0, c ?? 0];
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== (want[i] ?? 0)) return (have[i] ?? 0) > (want[i] ?? 0);
  return true;
}

describe('the package manifest', () => {
  it('passes the Flow Library scorecard checks it can be checked for here', () => {
    expect(pkg.name).toMatch(/^@[a-z0-9-]+\/[a-z0-9-]+$/); // P04: scoped
    expect(pkg.license).toBe('Apache-2.0'); // P01
    expect(pkg.repository?.url ?? pkg.bugs?.url).toBeTruthy(); // P03
    expect(pkg.keywords).toContain('node-red'); // P05
    expect(atLeast(pkg['node-red'].version, '5.0.7')).toBe(true); // P06
    expect(atLeast(pkg['node-red'].version, '4.1.15')).toBe(true);
    expect(atLeast(pkg.engines.node, '22.9.0')).toBe(true); // P07
    expect(atLeast(pkg.engines.node, '20.18.0')).toBe(true);
    expect(Object.keys(pkg.dependencies ?? {}).length).toBeLessThanOrEqual(6); // D01: none at all, the core is bundled
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'examples']));
    expect(existsSync(join(NODERED_DIR, 'README.md'))).toBe(true);
  });

  it('names every node after the product, with no clash with core node types (N01)', () => {
    expect(Object.keys(nodes).sort()).toEqual([
      'huaweicloud-cdm-job-status',
      'huaweicloud-config',
      'huaweicloud-dataarts-job-status',
      'huaweicloud-dli-flink-job',
      'huaweicloud-dli-flink-jobs',
      'huaweicloud-dli-sql-progress',
      'huaweicloud-job-start',
      'huaweicloud-job-wait',
    ]);
  });

  it('ships a CommonJS .js beside an .html for every node, with the icons beside them', () => {
    for (const [type, file] of Object.entries(nodes)) {
      const js = readFileSync(join(NODERED_DIR, file), 'utf8');
      expect(js, file).toMatch(/^"use strict";/);
      expect(js, file).toMatch(/module\.exports = /);
      expect(html(type)).toMatch(
        new RegExp(`(RED\\.nodes\\.registerType|HuaweiCloudJobs\\.registerQueryNode)\\('${type}'`),
      );
    }
  });

  it('ships the editor code the nodes share in resources/, which Node-RED serves', () => {
    expect(pkg.files).toContain('resources');
    for (const type of Object.keys(nodes).filter((t) => t !== CONFIG))
      expect(html(type)).toContain(`<script src="resources/${pkg.name}/editor.js"></script>`);
    expect(readFileSync(join(NODERED_DIR, 'resources', 'editor.js'), 'utf8')).toContain(
      'window.HuaweiCloudJobs =',
    );
  });
});

/** The icon each node shows: one per purpose. */
const ICONS: Record<string, string> = {
  'huaweicloud-dli-flink-job': 'huaweicloud-query.svg',
  'huaweicloud-dataarts-job-status': 'huaweicloud-query.svg',
  'huaweicloud-cdm-job-status': 'huaweicloud-query.svg',
  'huaweicloud-dli-flink-jobs': 'huaweicloud-list.svg',
  'huaweicloud-dli-sql-progress': 'huaweicloud-progress.svg',
  'huaweicloud-job-wait': 'huaweicloud-wait.svg',
  'huaweicloud-job-start': 'huaweicloud-start.svg',
};

describe('the editor files', () => {
  it('gives each kind of node its own icon, an SVG shipped beside the node files', () => {
    expect(Object.keys(ICONS).sort()).toEqual([...flowNodeTypes].sort());
    for (const [type, icon] of Object.entries(ICONS)) {
      expect(html(type)).toContain(`icon: '${icon}'`);
      const svg = readFileSync(join(NODERED_DIR, 'dist', 'icons', icon), 'utf8');
      expect(svg).toMatch(
        /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="40" height="60" viewBox="0 0 40 60">/,
      );
    }
    // Every icon shipped is used, and no two purposes share one.
    expect(readdirSync(join(NODERED_DIR, 'dist', 'icons')).sort()).toEqual(
      [...new Set(Object.values(ICONS))].sort(),
    );
  });

  it.each(flowNodeTypes)('%s: palette category, icon, and help with every section', (type) => {
    const text = html(type);
    expect(text).toMatch(/category: J\.CATEGORY|registerQueryNode\(/);
    const help = text.slice(text.indexOf(`data-help-name="${type}"`));
    expect(help).toMatch(/^data-help-name="[^"]+">\s*<p>[^<]{20,}/); // the palette tooltip
    for (const section of ['Inputs', 'Outputs', 'Details', 'References'])
      expect(help).toContain(`<h3>${section}</h3>`);
    expect(help).toContain('<code>msg.');
  });

  it('documents the config node, whose credentials are declared in the editor too', () => {
    const text = html(CONFIG);
    expect(text).toContain("category: 'config'");
    expect(text).toMatch(
      /accessKey: \{ type: 'text' \}[\s\S]*secretKey: \{ type: 'password' \}[\s\S]*securityToken: \{ type: 'password' \}/,
    );
    for (const section of ['Properties', 'Details', 'References'])
      expect(text).toContain(`<h3>${section}</h3>`);
  });

  it('labels the wait node outputs in its help as ports', () => {
    const text = html('huaweicloud-job-wait');
    expect(text).toContain('<ol class="node-ports">');
    expect(text).toContain("['succeeded', 'failed', 'progress']");
  });

  it.each([
    ['huaweicloud-dli-flink-job', 'dli-flink'],
    ['huaweicloud-dli-sql-progress', 'dli-sql'],
    ['huaweicloud-dataarts-job-status', 'dataarts-realtime'],
    ['huaweicloud-cdm-job-status', 'cdm'],
  ])('%s has a TypedInput for each identity field of %s', (type, kind) => {
    const text = html(type);
    const keys = [...text.matchAll(/\{ key: '(\w+)'|key: '(\w+)',/g)].map((m) => m[1] ?? m[2]);
    expect(keys).toEqual(fieldsOf(getJobKind(kind)).map((f) => f.key));
    expect(text).toContain(`HuaweiCloudJobs.registerQueryNode('${type}'`);
    expect(text).toContain(`<div id="node-input-${type}-fields"></div>`);
  });

  it.each(flowNodeTypes)('%s: its help lists the msg property of every field it reads', (type) => {
    const fields = MSG_OVERRIDES[type] ?? [];
    expect(fields.length).toBeGreaterThan(0);
    const text = html(type);
    const help = text.slice(text.indexOf(`data-help-name="${type}"`));
    const inputs = help.slice(help.indexOf('<h3>Inputs</h3>'), help.indexOf('<h3>Outputs</h3>'));
    expect(inputs).not.toContain('<!--msg-properties-->');
    for (const field of fields) {
      expect(inputs).toContain(`<dt class="optional">${field.msg} <span class="property-type">`);
      expect(inputs).toContain(`sets <i>${field.label}</i> when the node leaves it empty`);
    }
  });
});

describe('the examples', () => {
  const examples = readdirSync(join(NODERED_DIR, 'examples')).filter((f) => f.endsWith('.json'));
  const flows = examples.map(
    (f) => JSON.parse(readFileSync(join(NODERED_DIR, 'examples', f), 'utf8')) as Record<string, unknown>[],
  );

  it('together use every node (N02)', () => {
    const used = new Set(flows.flat().map((n) => n.type));
    for (const type of Object.keys(nodes)) expect(used.has(type), type).toBe(true);
  });

  it('carry no credentials and aim at the emulator on its documented port', () => {
    for (const flow of flows) {
      const configs = flow.filter((n) => n.type === CONFIG);
      expect(configs).toHaveLength(1);
      expect(configs[0]).not.toHaveProperty('credentials');
      expect(configs[0]?.endpoint).toBe('http://127.0.0.1:8080');
      // Every node of the package in the example uses its own config node, so that each imports alone.
      for (const node of flow.filter((n) => typeof n.server === 'string'))
        expect(node.server).toBe(configs[0]?.id);
      expect(JSON.stringify(flow)).not.toMatch(/secret-key|SecretKey|JOBGATEEMULATORAK00/);
    }
  });
});
