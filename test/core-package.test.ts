import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

// A consumer of the built @jobgate/core (pnpm test builds it first): its exports and declarations.
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'jobgate-consumer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('import { signRequest, waitForJob } from "@jobgate/core" type-checks and runs from the built package', () => {
  mkdirSync(join(dir, 'node_modules', '@jobgate'), { recursive: true });
  symlinkSync(join(root, 'packages', 'core'), join(dir, 'node_modules', '@jobgate', 'core'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(
    join(dir, 'consumer.ts'),
    [
      "import { signRequest, waitForJob, type JobState, type WaitOptions } from '@jobgate/core';",
      "const headers: Record<string, string> = signRequest({ method: 'GET', url: 'https://h.example.com/x' }, { accessKey: 'AK', secretKey: 'SK' });",
      'const options: WaitOptions = { until: "running", timeoutMs: 1000 };',
      'const wait: typeof waitForJob = waitForJob;',
      'const phase: JobState["phase"] = "succeeded";',
      'console.log(headers.Authorization?.split(",")[0], typeof wait, options.until, phase);',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        outDir: 'out',
        types: [],
      },
      files: ['consumer.ts'],
    }),
  );
  const tsc = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir],
    { encoding: 'utf8' },
  );
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.status).toBe(0);
  const run = spawnSync(process.execPath, [join(dir, 'out', 'consumer.js')], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.stdout.trim()).toBe('SDK-HMAC-SHA256 Access=AK function running succeeded');
});
