/**
 * What this process already wrote, per session: the stable ids of event records, so that
 * `addSessionToMemory` after every turn sends only the new events. Bounded (least recently used
 * sessions are forgotten); correctness across processes comes from the stable ids, not from here.
 */
export class WrittenEvents {
  private readonly sessions = new Map<string, Set<string>>();

  constructor(private readonly limit: number) {}

  /** The ids written for a session (live set; do not keep it across awaits). */
  of(key: string): ReadonlySet<string> | undefined {
    const ids = this.sessions.get(key);
    if (ids) {
      this.sessions.delete(key);
      this.sessions.set(key, ids);
    }
    return ids;
  }

  add(key: string, ids: Iterable<string>): void {
    const known = this.sessions.get(key) ?? new Set<string>();
    for (const id of ids) known.add(id);
    this.sessions.delete(key);
    this.sessions.set(key, known);
    if (this.sessions.size > this.limit) this.sessions.delete(this.sessions.keys().next().value!);
  }

  /** Forgets every session whose key starts with `prefix`. */
  forget(prefix: string): void {
    for (const key of this.sessions.keys()) if (key.startsWith(prefix)) this.sessions.delete(key);
  }
}
