/** A map that keeps only its most recently set entries: per-process caches of bounded size. */
export class RecentMap<K, V> {
  private readonly entries = new Map<K, V>();

  /** Keeps at most `limit` entries. */
  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Sets `key` as the newest entry; past the limit, the entry set longest ago is dropped. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }
}
