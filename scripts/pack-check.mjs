// Installs the packed packages into an empty folder with npm, as a user would, and runs them: the
// `jobgate` and `jobgate-emulator` commands, a wait and a run against the emulator started by
// `jobgate emulator`, `import('@jobgate/core')` with its declarations, and the Node-RED package's
// nodes, icons and examples. The packages come from the tarballs (installed together, so that they
// satisfy each other); their third-party dependencies come from the npm registry.
//   node scripts/pack-check.mjs [tarball folder]      default: .cache/packages (see scripts/pack.mjs)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = resolve(process.argv[2] ?? join(root, '.cache', 'packages'));
const tarballs = existsSync(source)
  ? readdirSync(source)
      .filter((f) => f.endsWith('.tgz'))
      .map((f) => join(source, f))
  : [];
if (tarballs.length === 0) {
  console.error(`no packages in ${source}: run npm run pack first`);
  process.exit(1);
}

const started = performance.now();
const app = mkdtempSync(join(tmpdir(), 'jobgate-installed-'));
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

/** Nothing of this machine's Huawei Cloud settings: only what each check passes. */
const env = (extra = {}) => ({
  PATH: `${join(app, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`,
  HOME: process.env.HOME ?? app,
  ...(process.env.SYSTEMROOT ? { SYSTEMROOT: process.env.SYSTEMROOT } : {}),
  // npm's own settings (registry, cache, proxy) still apply.
  ...Object.fromEntries(
    Object.entries(process.env).filter(([k]) => /^(npm_config_|HTTPS?_PROXY|NO_PROXY)/i.test(k)),
  ),
  ...extra,
});
const run = (command, args, extra) =>
  spawnSync(command, args, { cwd: app, env: env(extra), encoding: 'utf8', timeout: 60_000 });
const bin = (name) => join(app, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

try {
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'jobgate-user', private: true, type: 'module' }),
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = run(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs]);
  check(install.status === 0, `npm install ${tarballs.map((t) => t.slice(source.length + 1)).join(' ')}`);
  if (install.status !== 0) throw new Error(install.stderr || install.error?.message);

  // Each installed package: no workspace range left, a README and the licence beside it.
  for (const dir of readdirSync(join(app, 'node_modules', '@jobgate'))) {
    const pkg = join(app, 'node_modules', '@jobgate', dir);
    const manifest = readFileSync(join(pkg, 'package.json'), 'utf8');
    check(!manifest.includes('workspace:'), `@jobgate/${dir}: every dependency range resolves`);
    check(
      existsSync(join(pkg, 'README.md')) && existsSync(join(pkg, 'LICENSE')),
      `@jobgate/${dir}: README and LICENSE`,
    );
  }

  const help = run(npm === 'npm' ? 'npx' : 'npx.cmd', ['--no-install', 'jobgate', '--help']);
  check(
    help.status === 0 && /^jobgate \d+\.\d+\.\d+: /.test(help.stdout) && help.stdout.includes('jobgate run'),
    'npx jobgate --help',
  );
  const emulatorHelp = run(bin('jobgate-emulator'), ['--help']);
  check(emulatorHelp.status === 0, 'jobgate-emulator --help');

  const core = run(process.execPath, [
    '--input-type=module',
    '-e',
    "const c = await import('@jobgate/core'); console.log([typeof c.waitForJob, typeof c.runJob, c.JOB_KINDS.length].join(' '));",
  ]);
  check(
    core.status === 0 && /^function function \d+$/.test(core.stdout.trim()),
    `import('@jobgate/core'): ${core.stdout.trim() || core.stderr.trim()}`,
  );
  const types = createRequire(join(app, 'package.json'))('@jobgate/core/package.json').types;
  check(
    existsSync(join(app, 'node_modules', '@jobgate', 'core', types)),
    `@jobgate/core declarations (${types})`,
  );

  // The emulator from the installed command, and a wait and a run against it.
  const emulator = spawn(bin('jobgate'), ['emulator', '--port', '0', '--time-scale', '600', '--quiet'], {
    cwd: app,
    env: env(),
  });
  try {
    const banner = await new Promise((resolveBanner, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`no banner: ${text}`)), 30_000);
      emulator.stdout.on('data', (chunk) => {
        text += chunk;
        if (/Ctrl-C stops/.test(text)) {
          clearTimeout(timer);
          resolveBanner(text);
        }
      });
      emulator.once('exit', (code) => reject(new Error(`jobgate emulator exited ${code}: ${text}`)));
    });
    const url = /listening on (\S+)/.exec(banner)?.[1];
    const [, accessKey, secretKey, projectId] =
      /access key (\S+)\s+secret key (\S+)\s+project (\S+)/.exec(banner) ?? [];
    check(Boolean(url && accessKey), `jobgate emulator: listening on ${url}`);
    const against = {
      JOBGATE_ENDPOINT: url,
      HUAWEI_CLOUD_PROJECT_ID: projectId,
      HUAWEI_CLOUD_ACCESS_KEY_ID: accessKey,
      HUAWEI_CLOUD_SECRET_ACCESS_KEY: secretKey,
    };
    const wait = run(
      bin('jobgate'),
      [
        'wait',
        'cdm',
        '6ec9a0a4-76be-4262-8697-e7af1fac7920',
        'jdbc2hive',
        '--interval',
        '100ms',
        '--max-interval',
        '200ms',
      ],
      against,
    );
    check(
      wait.status === 0 && wait.stdout.includes('succeeded'),
      `jobgate wait cdm … jdbc2hive: exit ${wait.status}`,
    );
    const started = run(
      bin('jobgate'),
      ['run', 'dli-sql', 'SELECT 1', '--interval', '100ms', '--max-interval', '200ms', '--quiet'],
      against,
    );
    check(
      started.status === 0 && started.stdout.includes('succeeded'),
      `jobgate run dli-sql 'SELECT 1': exit ${started.status}`,
    );
  } finally {
    emulator.kill('SIGTERM');
  }

  // The Node-RED package: every node file loads (as Node-RED's require would) beside its .html, with its icons and examples.
  const nodered = join(app, 'node_modules', '@jobgate', 'node-red-huaweicloud-jobs');
  const redManifest = JSON.parse(readFileSync(join(nodered, 'package.json'), 'utf8'));
  const requireIn = createRequire(join(nodered, 'package.json'));
  for (const [type, file] of Object.entries(redManifest['node-red'].nodes)) {
    const path = join(nodered, file);
    let loads = false;
    try {
      const mod = requireIn(path);
      loads = typeof (mod.default ?? mod) === 'function';
    } catch {}
    check(
      loads && existsSync(path.replace(/\.js$/, '.html')),
      `Node-RED node ${type}: ${file} and its .html`,
    );
  }
  check(
    existsSync(join(nodered, 'dist', 'icons')) && readdirSync(join(nodered, 'examples')).length > 0,
    'Node-RED icons and examples',
  );
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
  console.error(error instanceof Error ? error.message : error);
} finally {
  rmSync(app, { recursive: true, force: true });
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  failures.length
    ? `packed packages: ${failures.length} check(s) failed in ${seconds}s`
    : `packed packages: installed and ran in ${seconds}s`,
);
process.exit(failures.length ? 1 : 0);
