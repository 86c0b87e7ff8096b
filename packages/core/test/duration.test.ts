import { describe, expect, it } from 'vitest';
import { InputError, parseDuration } from '../src/index.js';

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['2h', 7_200_000],
    ['500ms', 500],
    ['1d', 86_400_000],
    ['45', 45_000],
    [' 10M ', 600_000],
    ['1.5h', 5_400_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration('timeout', text)).toBe(ms);
  });

  it('takes numbers as seconds', () => {
    expect(parseDuration('timeout', 12)).toBe(12_000);
  });

  it.each(['', 'soon', '30 minutes', '-5m', '0', '0s', '10x', 'm30', '1h 30m'])(
    'rejects %j naming the field',
    (text) => {
      expect(() => parseDuration('timeout', text)).toThrow(InputError);
      expect(() => parseDuration('timeout', text)).toThrow(
        /^timeout: expected a positive duration such as 30m/,
      );
    },
  );
});
