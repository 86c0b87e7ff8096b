import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lazySchema } from '../src/lazy-schema.js';

describe('lazySchema', () => {
  it('builds its schema once, on first use, and parses and fails as the schema itself', () => {
    let builds = 0;
    const build = () => z.object({ jobId: z.string().min(1, 'expected a non-empty job id') });
    const Lazy = lazySchema(() => {
      builds += 1;
      return build();
    });
    expect(builds).toBe(0);
    const Wrapped = z.object({ ref: Lazy.optional() });
    expect(builds).toBe(1);
    const parsed: z.infer<typeof Lazy> = Lazy.parse({ jobId: 'a' });
    expect(parsed).toEqual({ jobId: 'a' });
    expect(Object.keys(Lazy.shape)).toEqual(['jobId']);
    expect(Lazy instanceof z.ZodObject).toBe(true);
    expect(Lazy.safeParse({ jobId: '' }).error?.issues).toEqual(
      build().safeParse({ jobId: '' }).error?.issues,
    );
    expect(Wrapped.safeParse({ ref: { jobId: '' } }).error?.issues[0]?.message).toBe(
      'expected a non-empty job id',
    );
    expect(builds).toBe(1);
  });
});
