import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// Every line the command prints goes through src/output.ts (redacted, terminal escapes neutralised):
// no other file may reach stdout or stderr by any road.
const src = fileURLToPath(new URL('../src', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const WAYS_OUT = [
  /\bprocess\s*\.\s*(stdout|stderr)\b/,
  /\bprocess\s*\[/,
  /\bconsole\s*[.[]/,
  /\bprocess\.binding\b/,
  /['"]node:(tty|fs\/promises)['"]/,
  /\b(writeSync|createWriteStream|emitWarning)\b/,
  /\bwriteFileSync\s*\(\s*[12]\b/,
  /\/dev\/(stdout|stderr|tty)/,
];

it('only src/output.ts writes to the terminal', () => {
  const offenders = files(src)
    .filter((file) => relative(src, file) !== 'output.ts')
    .flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return WAYS_OUT.filter((re) => re.test(text)).map((re) => `${relative(src, file)}: ${re}`);
    });
  expect(offenders).toEqual([]);
  // The sink itself writes through the core's neutraliser.
  const sink = readFileSync(join(src, 'output.ts'), 'utf8');
  expect(sink).toMatch(/import \{[^}]*oneLine[^}]*printable[^}]*\} from '@jobgate\/core'/);
});
