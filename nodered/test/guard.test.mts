/**
 * The output guard, structurally: every node file registers through
 * withOutputGuard and reaches Node-RED's sinks no other way, and every node
 * of the package, as built, hands Node-RED only redacted, bounded values on
 * each sink (send, done, error, warn, log, debug, trace, status, RED.log).
 * Also: the leak finder the secret-canary tests rely on finds every form.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { echoForms, findLeaks } from '../../packages/core/test/support/leaks.js';
import { NODERED_DIR } from './support/paths.mjs';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(NODERED_DIR, 'package.json'), 'utf8'));
const nodeFiles: Record<string, string> = pkg['node-red'].nodes;

const SECRET = 'Zq81xW0pLm-guard-secret-canary';
const TOKEN = 'Rt55Hy2kPo-guard-token-canary';
const SECRETS = [SECRET, TOKEN];

describe('the leak finder', () => {
  it.each(Object.entries(echoForms(SECRET)))('finds the %s form, alone and inside JSON', (_form, echoed) => {
    expect(findLeaks(`before ${echoed} after`, SECRETS)).not.toEqual([]);
    expect(findLeaks(JSON.stringify({ a: [`x${echoed}y`] }), SECRETS)).not.toEqual([]);
    expect(findLeaks(JSON.stringify(JSON.stringify({ a: echoed })), SECRETS)).not.toEqual([]);
  });

  it('finds nothing in text without the secret, and nothing in a 7-character piece', () => {
    const near = `${SECRET.slice(0, 7)} ${SECRET.slice(-7)} ${TOKEN.slice(1, 9)}x ${encodeURIComponent(SECRET.slice(0, 7))} *** %2A`;
    expect(findLeaks(near, SECRETS)).toEqual([]);
  });
});

describe('every node file', () => {
  const sources = readdirSync(join(NODERED_DIR, 'src'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'));

  it.each(Object.keys(nodeFiles))('%s registers through withOutputGuard', (type) => {
    const source = readFileSync(join(NODERED_DIR, 'src', `${type}.ts`), 'utf8');
    expect(source).toMatch(/^export = withOutputGuard\(\(RED: NodeAPI\) =>/m);
    expect(source.match(/^export =/gm)).toHaveLength(1);
  });

  // RED.log is fine: the RED a node file gets is the guarded one (checked above).
  it('reaches no sink of Node-RED or the process but through the guard', () => {
    const bypass =
      /\bconsole\.|process\.(stdout|stderr)|require\(['"]@node-red|\._(flow|complete|emitInput|log)\b|prototype\.(send|error|warn|log|debug|trace|status|on)\b|\butil\.inspect\b/;
    const offenders = sources
      .filter((f) => f !== join('lib', 'guard.ts'))
      .flatMap((f) =>
        readFileSync(join(NODERED_DIR, 'src', f), 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
          .filter(
            ({ line }) => bypass.test(line) && !line.trim().startsWith('*') && !line.trim().startsWith('//'),
          ),
      );
    expect(offenders).toEqual([]);
  });
});

/** A stand-in for Node-RED's node: each sink notes what reaches it. */
function sinkNode(credentials: object = {}) {
  const seen: { sink: string; args: unknown[] }[] = [];
  const inputs: ((msg: object, send: (m: unknown) => void, done: (e?: Error) => void) => void)[] = [];
  const note =
    (sink: string) =>
    (...args: unknown[]) => {
      seen.push({ sink, args });
    };
  const proto = {
    send: note('send'),
    status: note('status'),
    error: note('error'),
    warn: note('warn'),
    log: note('log'),
    debug: note('debug'),
    trace: note('trace'),
    on(event: string, listener: never) {
      if (event === 'input') inputs.push(listener);
    },
  };
  const node = Object.assign(Object.create(proto), { credentials });
  return { node, seen, inputs };
}

function stubRed() {
  const constructors = new Map<string, (this: object, def: object) => void>();
  const logged: unknown[][] = [];
  const log = Object.fromEntries(
    ['info', 'warn', 'error', 'debug', 'trace'].map((level) => [
      level,
      (...args: unknown[]) => logged.push(args),
    ]),
  );
  const nodes = new Map<string, object>();
  const RED = {
    nodes: {
      createNode(node: object, def: { id: string; type: string }) {
        Object.assign(node, { id: def.id, type: def.type });
      },
      registerType(type: string, ctor: (this: object, def: object) => void) {
        constructors.set(type, ctor);
      },
      getNode: (id: string) => nodes.get(id) ?? null,
    },
    util: { cloneMessage: <T,>(m: T) => structuredClone(m), evaluateNodeProperty() {} },
    httpAdmin: { get() {} },
    auth: { needsPermission: () => () => {} },
    log,
  };
  return { RED, constructors, logged, nodes };
}

/** A deep array, deeper than any bound. */
function deep(levels: number): unknown {
  let value: unknown = [SECRET];
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe('the built nodes', () => {
  it('teach the redactor the config credentials even when the config cannot make a client, and guard every sink of every node', () => {
    const { RED, constructors, logged, nodes } = stubRed();
    for (const file of Object.values(nodeFiles)) require(join(NODERED_DIR, file))(RED);
    expect([...constructors.keys()].sort()).toEqual(Object.keys(nodeFiles).sort());

    // A bad region beside good keys: no client is made, so only the config node can teach the redactor.
    const config = sinkNode({ accessKey: 'AKCANARY', secretKey: SECRET, securityToken: TOKEN });
    constructors.get('huaweicloud-config')?.call(config.node, {
      id: 'c',
      type: 'huaweicloud-config',
      region: 'mars-1',
      projectId: 'not a project id!',
    });
    nodes.set('c', config.node);
    expect(config.seen.some((s) => s.sink === 'error')).toBe(true);

    const echo = Object.values(echoForms(SECRET)).join(' | ');
    const fail = Object.assign(new Error(`failed: ${echo}\nsecond line ${TOKEN}`), {
      code: `CODE_${SECRET}`,
      cause: { raw: SECRET },
    });
    const msg = () => ({
      payload: { answer: echo, [SECRET]: 1, deep: deep(2_000) },
      job: { message: echo, raw: deep(100) },
      error: { message: echo },
      topic: 'kept',
    });
    for (const type of Object.keys(nodeFiles)) {
      const { node, seen, inputs } = sinkNode();
      constructors.get(type)?.call(node, { id: type, type, server: 'c', kind: 'dli-flink' });
      node.send(msg());
      node.send([msg(), null, [msg(), msg()]]);
      node.status({ fill: 'red', shape: 'ring', text: echo });
      node.status(`text ${SECRET}`);
      node.error(fail, msg());
      node.error(`report ${SECRET}`);
      for (const level of ['warn', 'log', 'debug', 'trace']) {
        node[level](`${level} ${echo}`);
        node[level](fail);
        node[level]({ nested: { value: echo } });
      }
      if (type !== 'huaweicloud-config') {
        // The input handler's done completes once, and a report that throws never reaches the handler.
        expect(inputs).toHaveLength(1);
        let completions = 0;
        const done = () => {
          completions++;
          throw new RangeError(`Maximum call stack size exceeded ${SECRET}`);
        };
        inputs[0]?.({ payload: 1 }, () => {}, done);
        expect(completions).toBeLessThanOrEqual(1);
      }

      const captured = JSON.stringify(
        seen.map(({ sink, args }) => ({
          sink,
          args: args.map((a) =>
            a instanceof Error
              ? { ...a, name: a.name, message: a.message, stack: a.stack, string: String(a) }
              : a,
          ),
        })),
      );
      expect(findLeaks(captured, SECRETS), type).toEqual([]);
      expect(captured).toContain('[omitted: nested too deep]');
      expect(captured).toContain('"topic":"kept"');
      const errors = seen.filter((s) => s.sink === 'error' && s.args.length === 2).map((s) => s.args[0]);
      expect(errors[0]).toBeInstanceOf(Error);
      expect(Object.hasOwn(errors[0] as object, 'cause')).toBe(false);
      expect((errors[0] as Error).message).not.toContain('\n');
    }

    // RED.log, as a node module gets it.
    const { withOutputGuard } = require(join(NODERED_DIR, 'dist', 'lib', 'guard.js'));
    withOutputGuard((red: typeof RED) => {
      for (const level of ['info', 'warn', 'error', 'debug', 'trace'] as const)
        red.log[level]?.(`${level} ${echo}`);
    })(RED);
    expect(logged).toHaveLength(5);
    expect(findLeaks(JSON.stringify(logged), SECRETS)).toEqual([]);
  });
});
