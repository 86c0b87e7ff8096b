/**
 * Containers with a fixed ceiling, for everything the emulator keeps per request: however long it runs
 * and whatever it is sent, its memory stays bounded.
 */

/** Keeps the last `capacity` items; older ones are dropped, and counted. */
export class RingBuffer<T> {
  readonly capacity: number;
  // Grows up to `capacity`, then is overwritten in place from `#start` (the oldest item).
  #items: T[] = [];
  #start = 0;
  #dropped = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new RangeError(`capacity: expected a non-negative integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  get length(): number {
    return this.#items.length;
  }

  /** Items dropped to make room since the buffer was created or last cleared. */
  get dropped(): number {
    return this.#dropped;
  }

  push(item: T): void {
    if (this.capacity === 0) {
      this.#dropped += 1;
    } else if (this.#items.length < this.capacity) {
      this.#items.push(item);
    } else {
      this.#items[this.#start] = item;
      this.#start = (this.#start + 1) % this.capacity;
      this.#dropped += 1;
    }
  }

  /** Oldest first. */
  toArray(): T[] {
    return [...this.#items.slice(this.#start), ...this.#items.slice(0, this.#start)];
  }

  clear(): void {
    this.#items = [];
    this.#start = 0;
    this.#dropped = 0;
  }
}

/**
 * A Map of at most `limit` entries, ordered by last write: setting a key moves it to the end, and when
 * a new key would exceed the limit the least recently written one is evicted. Keys for which `pinned`
 * is true are never evicted (and do not count towards the limit): the caller keeps their number small.
 */
export class BoundedMap<K, V> {
  readonly limit: number;
  readonly #pinned: (key: K) => boolean;
  readonly #map = new Map<K, V>();
  #unpinned = 0;

  constructor(limit: number, pinned: (key: K) => boolean = () => false) {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`limit: expected a positive integer, got ${limit}`);
    }
    this.limit = limit;
    this.#pinned = pinned;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  set(key: K, value: V): void {
    const isNew = !this.#map.has(key);
    this.#map.delete(key);
    this.#map.set(key, value);
    if (!isNew || this.#pinned(key)) return;
    this.#unpinned += 1;
    if (this.#unpinned <= this.limit) return;
    for (const oldest of this.#map.keys()) {
      if (this.#pinned(oldest)) continue;
      this.delete(oldest);
      break;
    }
  }

  delete(key: K): boolean {
    if (!this.#map.delete(key)) return false;
    if (!this.#pinned(key)) this.#unpinned -= 1;
    return true;
  }

  clear(): void {
    this.#map.clear();
    this.#unpinned = 0;
  }
}
