/**
 * The overall deadline of a service call: every request the call makes, with its retries and
 * backoff, runs inside it. Carried by async context, so the stores and the listing fan-outs between
 * the service method and the transport need not pass it along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** A deadline: when it ends (epoch ms) and how long it was, for the error message. */
export interface Deadline {
  /** `Date.now()` value at which it runs out. */
  at: number;
  /** Its whole length in milliseconds. */
  totalMs: number;
}

const current = new AsyncLocalStorage<Deadline>();

/**
 * Runs `fn` with a deadline `totalMs` from now. Inside an earlier deadline, the earlier one wins.
 */
export function withDeadline<T>(totalMs: number, fn: () => Promise<T>): Promise<T> {
  const outer = current.getStore();
  const at = Date.now() + totalMs;
  if (outer && outer.at <= at) return fn();
  return current.run({ at, totalMs }, fn);
}

/** The deadline of the running call, if any. */
export function currentDeadline(): Deadline | undefined {
  return current.getStore();
}
