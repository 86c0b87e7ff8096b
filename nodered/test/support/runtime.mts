/**
 * A real, headless Node-RED with the packed package installed in its user
 * directory, as a user installs it: Node-RED 4.1 on Node 20, Node-RED 5 on
 * Node 24 (the leg of the suite decides, by the Node it runs on).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODERED_DIR, ROOT_DIR } from './paths.mjs';

const NODE_RED_5 = '5.0.7';

export interface NodeRedDistribution {
  /** e.g. "4.1.15" */
  version: string;
  redJs: string;
}

/** Runs a command to its end without blocking the test worker (an install takes half a minute). */
function run(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, output }));
  });
}

/** Node-RED 5 needs Node 22.9 or later: that leg runs it; the Node 20 leg runs the workspace's 4.1. */
export async function nodeRedForThisNode(): Promise<NodeRedDistribution> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    const require = createRequire(join(NODERED_DIR, 'package.json'));
    const pkg = require.resolve('node-red/package.json');
    return { version: require('node-red/package.json').version, redJs: join(pkg, '..', 'red.js') };
  }
  return installNodeRed5();
}

/** Installs Node-RED 5 once into .cache/node-red5 with npm, and reuses it on later runs. */
async function installNodeRed5(): Promise<NodeRedDistribution> {
  const prefix = join(ROOT_DIR, '.cache', 'node-red5');
  const pkgFile = join(prefix, 'node_modules', 'node-red', 'package.json');
  const installed = () =>
    existsSync(pkgFile) && JSON.parse(readFileSync(pkgFile, 'utf8')).version === NODE_RED_5;
  if (!installed()) {
    mkdirSync(prefix, { recursive: true });
    writeFileSync(join(prefix, 'package.json'), '{"private":true}\n');
    const npm = await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', `node-red@${NODE_RED_5}`],
      prefix,
    );
    if (npm.status !== 0 || !installed())
      throw new Error(`could not install node-red@${NODE_RED_5} into ${prefix}:\n${npm.output}`);
  }
  return { version: NODE_RED_5, redJs: join(prefix, 'node_modules', 'node-red', 'red.js') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RunningNodeRed {
  url: string;
  userDir: string;
  distribution: NodeRedDistribution;
  /** Everything Node-RED printed so far. */
  output(): string;
  /** Resolves once the output matches, or fails with the output after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGINT, as Ctrl-C; resolves with the exit code and how long stopping took. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

export interface StartOptions {
  tarball: string;
  flows: object[];
  /** Plain: credentialSecret is false, so the credentials file is JSON as written. */
  credentials?: Record<string, object>;
  env?: Record<string, string>;
}

/** Installs the packed package into a fresh user directory and starts Node-RED on it. */
export async function startNodeRed(options: StartOptions): Promise<RunningNodeRed> {
  const distribution = await nodeRedForThisNode();
  const userDir = mkdtempSync(join(tmpdir(), 'jobgate-nodered-user-'));
  writeFileSync(
    join(userDir, 'package.json'),
    `${JSON.stringify({ name: 'node-red-project', description: 'A Node-RED project', version: '0.0.1', private: true })}\n`,
  );
  // --offline: the package must install without the registry, that is, with no runtime dependency.
  const install = await run(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', options.tarball],
    userDir,
  );
  if (install.status !== 0) throw new Error(`npm install of the package failed:\n${install.output}`);

  const port = await freePort();
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(options.flows, null, 2));
  if (options.credentials)
    writeFileSync(join(userDir, 'flows_cred.json'), JSON.stringify(options.credentials));
  writeFileSync(
    join(userDir, 'settings.js'),
    `module.exports = ${JSON.stringify(
      {
        uiHost: '127.0.0.1',
        uiPort: port,
        flowFile: 'flows.json',
        credentialSecret: false,
        telemetry: { enabled: false, updateNotification: false },
        diagnostics: { enabled: false, ui: false },
        // No internet here: no palette catalogue to fetch from catalogue.nodered.org.
        editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
        externalModules: { palette: { allowInstall: false } },
        logging: { console: { level: 'info', metrics: false, audit: false } },
      },
      null,
      2,
    )};\n`,
  );

  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [distribution.redJs, '--userDir', userDir, '--settings', join(userDir, 'settings.js'), 'flows.json'],
    { cwd: userDir, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const running: RunningNodeRed = {
    url: `http://127.0.0.1:${port}`,
    userDir,
    distribution,
    output: () => output,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(
            `Node-RED ${distribution.version} never printed ${pattern}; its output:\n${output}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      const started = Date.now();
      if (child.exitCode === null) child.kill('SIGINT');
      // Past Node-RED's own 15 s close limit, something hangs: end it, and let the test see how long it took.
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const result = await exited;
      clearTimeout(killer);
      rmSync(userDir, { recursive: true, force: true });
      return { ...result, ms: Date.now() - started };
    },
  };
  await running.waitFor(/Started flows|Server now running/, 60_000);
  return running;
}

/** The example flows of the package, aimed at an emulator instead of the documented port 8080. */
export function exampleFlows(emulatorUrl: string): Record<string, object[]> {
  const read = (name: string) =>
    JSON.parse(
      readFileSync(join(NODERED_DIR, 'examples', `${name}.json`), 'utf8').replaceAll(
        'http://127.0.0.1:8080',
        emulatorUrl,
      ),
    );
  return { 'Query job status': read('Query job status'), 'Wait for jobs': read('Wait for jobs') };
}

/** Both example flows in one flows file: their shared config node only once. */
export function mergeFlows(...flows: object[][]): object[] {
  const seen = new Set<string>();
  return flows.flat().filter((node) => {
    const id = (node as { id: string }).id;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
