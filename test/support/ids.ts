import { randomUUID } from 'node:crypto';

/** A unique id per call, so tests on a shared server never meet each other's data. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}-${randomUUID()}`;
}
