import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('the READMEs', () => {
  it('say wherever a duration is taken that a bare number is seconds', () => {
    const root = read('README.md');
    // The Action's timeout and poll intervals, and the command line's --timeout.
    expect(root).toMatch(/^\| `timeout` \|[^\n]*a bare number is seconds: `30` is 30 seconds/m);
    expect(root).toMatch(/^\| `poll_interval` \/ `max_poll_interval` \|[^\n]*`30` is 30 seconds/m);
    expect(root).toMatch(/^\| `jobgate wait [^\n]*a bare number is seconds: `--timeout 30` is 30 seconds/m);
    const cli = read('packages/cli/README.md');
    for (const flag of ['--timeout', '--interval', '--max-interval'])
      expect(cli, flag).toMatch(new RegExp(`^\\| \`${flag}\` +\\|[^\\n]*\`30\` is 30 seconds`, 'm'));
    expect(read('nodered/README.md')).toContain('a bare number is seconds: `30` is 30 seconds');
  });
});
