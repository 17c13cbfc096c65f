/**
 * How the fake ages sessions, where the API document leaves it to the store's settings: automatic
 * summarisation ("Summarize after (messages)", "Keep most recent (messages)"), the cleanup that
 * removes summarised events, and the short-term TTL (refreshed by each new event). All off by
 * default, so a test opts into the retention it exercises.
 */

/** Session retention settings of the faked store. */
export interface SessionRetentionOptions {
  /**
   * Summarise a session once it retains more than this many events (after an append): every
   * event but the newest `keepRecent` moves under the summary. Off when absent.
   */
  summarizeAfter?: number;
  /** How many of the newest events a summarisation keeps (default 2, at least 1). */
  keepRecent?: number;
  /**
   * Remove summarised events at once (the service's cleanup): they are then gone from
   * `includeSummarisedEvents=true` and GetSessionEvent too. Default false (they stay).
   */
  cleanup?: boolean;
  /**
   * The short-term TTL in seconds: a session with no new event for this long is gone (checked
   * against `clock` on every request). Off when absent.
   */
  ttlSeconds?: number;
  /** The clock for the TTL (default: the system clock); tests move it instead of waiting. */
  clock?: () => Date;
}

export interface ResolvedSessionRetention {
  summarizeAfter: number | undefined;
  keepRecent: number;
  cleanup: boolean;
  ttlMs: number | undefined;
  now: () => number;
}

export function resolveSessionRetention(
  options: SessionRetentionOptions = {},
): ResolvedSessionRetention {
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new Error(`sessionRetention.${name} must be a positive number, got ${value}`);
    }
    return value;
  };
  const keepRecent = positive('keepRecent', options.keepRecent) ?? 2;
  if (!Number.isInteger(keepRecent)) throw new Error('sessionRetention.keepRecent: an integer');
  const clock = options.clock ?? (() => new Date());
  const ttl = positive('ttlSeconds', options.ttlSeconds);
  return {
    summarizeAfter: positive('summarizeAfter', options.summarizeAfter),
    keepRecent,
    cleanup: options.cleanup ?? false,
    ttlMs: ttl === undefined ? undefined : ttl * 1000,
    now: () => clock().getTime(),
  };
}
