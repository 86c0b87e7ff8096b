import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Emulator } from '@jobgate/emulator';
import { NODERED_DIR } from './paths.mjs';

const require = createRequire(import.meta.url);

// The nodes load from dist/ through Node's own require, as Node-RED loads them.
const dist = (file: string) => require(join(NODERED_DIR, 'dist', file)) as (RED: unknown) => void;

export const NODES = {
  config: dist('huaweicloud-config.js'),
  flinkJob: dist('huaweicloud-dli-flink-job.js'),
  flinkJobs: dist('huaweicloud-dli-flink-jobs.js'),
  sqlProgress: dist('huaweicloud-dli-sql-progress.js'),
  dataartsStatus: dist('huaweicloud-dataarts-job-status.js'),
  cdmStatus: dist('huaweicloud-cdm-job-status.js'),
  wait: dist('huaweicloud-job-wait.js'),
  start: dist('huaweicloud-job-start.js'),
};
export const ALL_NODES = Object.values(NODES);

export interface Msg {
  _msgid?: string;
  // biome-ignore lint/suspicious/noExplicitAny: messages are whatever the flow puts in them
  [key: string]: any;
}

export interface TestNode {
  id: string;
  on(event: 'input', listener: (msg: Msg) => void): void;
  on(event: string, listener: (...args: never[]) => void): void;
  receive(msg: Msg): void;
  context(): { flow: { set(k: string, v: unknown): void }; global: { set(k: string, v: unknown): void } };
}

interface Helper {
  init(runtimePath: string, settings?: object): void;
  load(nodes: unknown[], flow: object[], credentials?: Record<string, object>): Promise<void>;
  unload(): Promise<void>;
  setFlows(flow: object[], type?: string, credentials?: Record<string, object>): Promise<void>;
  getNode(id: string): TestNode;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  request(): {
    get(path: string): { expect(status: number): Promise<{ body: unknown }> };
  };
  log(): { args: unknown[][]; getCalls(): { args: unknown[] }[] };
}

export const helper = require('node-red-node-test-helper') as Helper;
helper.init(require.resolve('node-red'));

/** Node ids as Node-RED makes them: opaque, so that no test leans on a readable id. */
export const newId = () => randomBytes(8).toString('hex');

/** A huaweicloud-config node aimed at the emulator, and its credentials keyed by its id. */
export function emulatorConfig(emulator: Emulator, extra: Record<string, unknown> = {}) {
  const id = newId();
  return {
    id,
    node: {
      id,
      type: 'huaweicloud-config',
      name: 'emulator',
      endpoint: emulator.url,
      projectId: emulator.credentials.projectId,
      ...extra,
    },
    credentials: {
      [id]: { accessKey: emulator.credentials.accessKey, secretKey: emulator.credentials.secretKey },
    } as Record<string, Record<string, string>>,
  };
}

/** The next message a helper node receives. */
export function nextMessage(node: TestNode, timeoutMs = 5_000): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no message at ${node.id} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    node.on('input', (msg: Msg) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

/** Every message a helper node receives, as they come. */
export function collect(node: TestNode): Msg[] {
  const seen: Msg[] = [];
  node.on('input', (msg: Msg) => seen.push(msg));
  return seen;
}

export interface Status {
  fill?: string;
  shape?: string;
  text?: string;
}

/**
 * Every status a node shows, in order. Noted on the node itself rather than
 * through the helper's spies, which it removes before it stops the flows: the
 * statuses set while closing count too.
 */
export function statuses(node: TestNode): Status[] {
  const seen: Status[] = [];
  const target = node as unknown as { status(s: Status): void };
  const original = target.status.bind(target);
  target.status = (status: Status) => {
    seen.push(status);
    original(status);
  };
  return seen;
}

/** Resolves when `check` passes, polling; fails with the last error after `timeoutMs`. */
export async function eventually<T>(check: () => T, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Every line the runtime logged while the flow ran, as text. */
export function loggedText(): string {
  return helper
    .log()
    .getCalls()
    .map((call) => JSON.stringify(call.args))
    .join('\n');
}
