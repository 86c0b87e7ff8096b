import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { boundParsed, boundValue, TOO_DEEP, TOO_MANY } from '../src/bounded.js';
import { redactor } from '../src/redact.js';
import { findLeaks, secretForms } from './support/leaks.js';

// What the transport keeps of an answer: bounded and redacted without copying what needs no change.

const SECRET = 'bounded-canary-7c3b2d4e6f8a0b1c';
const SIGNATURE = '0f9e8d7c6b5a49382716a5b4c3d2e1f0';

afterEach(() => redactor.clear());

/** Every object of a value, to check that none of them got a prototype from a "__proto__" member. */
function objectsOf(value: unknown, out: object[] = []): object[] {
  if (typeof value !== 'object' || value === null) return out;
  out.push(value);
  for (const item of Object.values(value)) objectsOf(item, out);
  return out;
}

/** JSON texts whose strings and keys sometimes hold a secret (any form of it) or "__proto__". */
function jsonTexts() {
  const forms = [...secretForms(SECRET), ...secretForms(SIGNATURE)];
  const word = fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.constantFrom('__proto__', 'constructor', 'status', ...forms),
    fc.tuple(fc.string({ maxLength: 3 }), fc.constantFrom(...forms)).map(([a, b]) => `${a}${b}`),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      word,
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.array(fc.tuple(word, tie('value')), { maxLength: 4 }),
    ),
  }));
  // Objects are written as text, so that "__proto__" is an own member as a server would send it; a
  // number beyond a double's range parses as Infinity.
  const text = (v: unknown): string =>
    Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string')
      ? `{${v.map(([k, x]) => `${JSON.stringify(k)}:${text(x)}`).join(',')}}`
      : Array.isArray(v)
        ? `[${v.map(text).join(',')}]`
        : typeof v === 'number' && !Number.isFinite(v)
          ? '1e999'
          : (JSON.stringify(v) ?? 'null');
  return value.map(text);
}

describe('boundParsed', () => {
  it('gives what boundValue gives for any parsed answer, secrets redacted, limits kept, the answer untouched', () => {
    redactor.learn(SECRET);
    fc.assert(
      fc.property(
        jsonTexts(),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 40 }),
        (text, maxDepth, maxNodes) => {
          const options = { extra: [SIGNATURE], maxDepth, maxNodes };
          const parsed = JSON.parse(text);
          const expected = JSON.stringify(boundValue(JSON.parse(text), options));
          const result = boundParsed(parsed, options);
          expect(JSON.stringify(result)).toBe(expected);
          expect(JSON.stringify(parsed)).toBe(JSON.stringify(JSON.parse(text)));
          expect(findLeaks(JSON.stringify(result), [SECRET, SIGNATURE])).toEqual([]);
          for (const o of objectsOf(result))
            expect([Object.prototype, Array.prototype]).toContain(Object.getPrototypeOf(o));
        },
      ),
      { numRuns: 2000, seed: 20261202 },
    );
  });

  it('keeps what needs no change and copies only the path to what does', () => {
    redactor.learn(SECRET);
    const parsed = JSON.parse(
      `{"jobs":[{"id":1,"name":"a"},{"id":2,"name":"b ${SECRET}"}],"page":{"total":2},"deep":${'['.repeat(40)}1${']'.repeat(40)}}`,
    );
    const result = boundParsed(parsed) as typeof parsed;
    expect(result).not.toBe(parsed);
    expect(result.page).toBe(parsed.page);
    expect(result.jobs).not.toBe(parsed.jobs);
    expect(result.jobs[0]).toBe(parsed.jobs[0]);
    expect(result.jobs[1].name).toBe('b ***');
    expect(JSON.stringify(result.deep)).toContain(TOO_DEEP);
    const clean = JSON.parse('{"jobs":[{"id":1,"name":"a"}],"ok":true}');
    expect(boundParsed(clean)).toBe(clean);
    expect(boundParsed(JSON.parse('[1,2,3,4]'), { maxNodes: 3 })).toEqual([1, 2, TOO_MANY, TOO_MANY]);
  });

  it('redacts each answer with its own request secrets, not the previous one', () => {
    const extra = [SIGNATURE];
    expect(redactor.redact(`sig ${SIGNATURE}`, { extra })).toBe('sig ***');
    const other = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    extra[0] = other;
    expect(redactor.redact(`sig ${other} and ${SIGNATURE}`, { extra })).toBe(`sig *** and ${SIGNATURE}`);
    expect(redactor.redact(`sig ${other}`, { extra: [undefined, other] })).toBe('sig ***');
    expect(redactor.redact(`sig ${other} ${SIGNATURE}`, { extra: [other, SIGNATURE] })).toBe('sig *** ***');
    redactor.learn(SECRET);
    expect(redactor.redact(`key ${SECRET}`)).toBe('key ***');
  });
});
