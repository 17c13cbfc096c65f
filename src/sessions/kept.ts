/**
 * What single-writer mode keeps of a session between calls (the copy its last write made, or a
 * read found), per session location. One instance per backend is shared by every store of the
 * process, as the serial queues (shared/serial.ts) and live-session tracking (tracking.ts) are:
 * two services of one process on one session then never build on each other's older copies.
 *
 * Reads are not queued behind writes, so a read can overlap a write and find the document as it
 * was before: what it found is kept only when no write to that session began or ended since the
 * read began. A write
 * drops the kept copy when it begins and keeps its own once it has landed, so a failed or
 * uncertain write leaves nothing to build on and the next append reads first.
 */
import { RecentMap } from '../shared/recent.js';

/** Sessions whose copies are kept; older ones are dropped (their next append reads first). */
const KEPT_SESSIONS = 1_000;

export class KeptCopies<T> {
  private readonly copies = new RecentMap<string, T>(KEPT_SESSIONS);
  /** The epoch at which the latest write to each location began. */
  private readonly writes = new RecentMap<string, number>(KEPT_SESSIONS);
  private epoch = 0;

  get(location: string): T | undefined {
    return this.copies.get(location);
  }

  /**
   * Runs a write to `location`: what is kept of it is dropped when the write begins (it counts
   * again once the write keeps its own), and a read that began before the write ended, landed or
   * not, keeps nothing (it may have found the document as it was before).
   */
  async write<T>(location: string, run: () => Promise<T>): Promise<T> {
    this.note(location);
    this.copies.delete(location);
    try {
      return await run();
    } finally {
      this.note(location);
    }
  }

  private note(location: string): void {
    this.epoch += 1;
    this.writes.set(location, this.epoch);
  }

  /** Keeps what a write made, once it has landed (inside {@link write}). */
  keepWritten(location: string, copy: T): void {
    this.copies.set(location, copy);
  }

  /** Taken before a read, for {@link keepRead}. */
  mark(): number {
    return this.epoch;
  }

  /** Keeps what a read found, unless a write to `location` began or ended since `mark`. */
  keepRead(location: string, mark: number, copy: T): void {
    // Past KEPT_SESSIONS writes since the mark, this location's may have been dropped from
    // `writes`: then it cannot be told, and nothing is kept.
    if (this.epoch - mark >= KEPT_SESSIONS) return;
    if ((this.writes.get(location) ?? 0) > mark) return;
    this.copies.set(location, copy);
  }
}
