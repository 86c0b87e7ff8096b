/**
 * A tiny seeded PRNG (mulberry32) so that fault injection and request ids repeat exactly for a seed.
 * Not for anything security-related: the emulator only needs repeatability.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** `bytes` random bytes as lower-case hex. */
  hex(bytes: number): string;
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    hex(bytes) {
      let out = '';
      for (let i = 0; i < bytes; i++) {
        out += Math.floor(next() * 256)
          .toString(16)
          .padStart(2, '0');
      }
      return out;
    },
  };
}
