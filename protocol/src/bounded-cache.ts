/**
 * A tiny least-recently-used map with a hard size limit. Used to keep parsed key objects for the
 * few keys a device actually talks to, without letting a stream of ephemeral keys grow memory.
 */
export class BoundedCache<V> {
  readonly #map = new Map<string, V>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries: expected a positive integer, got ${maxEntries}`);
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      // Map keeps insertion order, so re-inserting marks the entry most recently used.
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.maxEntries) {
      const oldest = this.#map.keys().next().value as string;
      this.#map.delete(oldest);
    }
  }

  delete(key: string): boolean {
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  /** Cached value for `key`, computing and storing it when absent. */
  getOrCreate(key: string, create: () => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const v = create();
    this.set(key, v);
    return v;
  }
}
