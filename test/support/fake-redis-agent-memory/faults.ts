/** Fault injection: failures queued for the next matching requests. */

/** A failure to apply to the next matching requests. */
export interface Fault {
  /** Only this HTTP method (any when absent). */
  method?: string;
  /** Only paths (without the query) this matches (any when absent). */
  pathPattern?: RegExp;
  /** How many matching requests it applies to (default 1). */
  times?: number;
  /** Answer with this status and a problem body. */
  status?: number;
  /** With `status`: a `Retry-After` header value. */
  retryAfter?: string;
  /** Close the connection without answering. */
  dropConnection?: boolean;
  /** Apply the request first, then fail its response (a lost response). */
  afterHandling?: boolean;
}

interface Pending {
  fault: Fault;
  remaining: number;
}

export class FaultQueue {
  private pending: Pending[] = [];

  add(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new Error(`injectFault: times must be a positive integer, got ${times}`);
    }
    if ((fault.status === undefined) === !fault.dropConnection) {
      throw new Error('injectFault: give exactly one of status or dropConnection');
    }
    if (
      fault.status !== undefined &&
      (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599)
    ) {
      throw new Error(`injectFault: status must be 400-599, got ${fault.status}`);
    }
    if (fault.retryAfter !== undefined && fault.status === undefined) {
      throw new Error('injectFault: retryAfter needs a status');
    }
    this.pending.push({ fault, remaining: times });
  }

  /** The first pending fault for this request, used up by one; undefined when none matches. */
  take(method: string, path: string): Fault | undefined {
    const index = this.pending.findIndex(({ fault }) => matches(fault, method, path));
    if (index < 0) return undefined;
    const entry = this.pending[index]!;
    if (--entry.remaining === 0) this.pending.splice(index, 1);
    return entry.fault;
  }

  clear(): void {
    this.pending = [];
  }
}

function matches(fault: Fault, method: string, path: string): boolean {
  if (fault.method && fault.method.toUpperCase() !== method.toUpperCase()) return false;
  if (!fault.pathPattern) return true;
  fault.pathPattern.lastIndex = 0; // a /g or /y pattern keeps state between test() calls
  return fault.pathPattern.test(path);
}
