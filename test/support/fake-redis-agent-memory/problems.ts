/**
 * Problem-details bodies (RFC 9457) as the managed API sends them: the documented `type` per
 * status (docs/backends.md §3.6 and the spec's *ErrorType enums) and the component schema that
 * each status is declared with.
 */
import { STATUS_CODES } from 'node:http';

/** One field-level validation problem of a 400 answer. */
export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

/** A problem-details body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  fields?: FieldError[];
}

interface ProblemKind {
  type: string;
  title: string;
  /** The `$defs` schema this status is declared with in every store-scoped operation. */
  schema: string;
}

/** Statuses the spec declares, with their problem type (424 has two; the fake uses the first). */
export const PROBLEM_KINDS: Readonly<Record<number, ProblemKind>> = {
  400: {
    type: '/errors/invalid-data',
    title: 'Invalid data',
    schema: 'BadRequestErrorResponseContent',
  },
  401: {
    type: '/errors/authentication-failed',
    title: 'Authentication failed',
    schema: 'AuthenticationErrorResponseContent',
  },
  403: {
    type: '/errors/insufficient-permissions',
    title: 'Insufficient permissions',
    schema: 'ForbiddenErrorResponseContent',
  },
  404: {
    type: '/errors/resource-not-found',
    title: 'Resource not found',
    schema: 'NotFoundErrorResponseContent',
  },
  408: { type: '/errors/timeout', title: 'Timeout', schema: 'TimeoutErrorResponseContent' },
  413: {
    type: '/errors/payload-too-large',
    title: 'Payload too large',
    schema: 'PayloadTooLargeErrorResponseContent',
  },
  424: {
    type: '/errors/resource-unavailable',
    title: 'Resource unavailable',
    schema: 'FailedDependencyErrorResponseContent',
  },
  429: {
    type: '/errors/too-many-requests',
    title: 'Too many requests',
    schema: 'TooManyRequestsErrorResponseContent',
  },
  500: {
    type: '/errors/unexpected-error',
    title: 'Unexpected error',
    schema: 'UnexpectedErrorResponseContent',
  },
};

/**
 * The problem body for a status. A status the spec never declares (a gateway's 502 or 503, only
 * reachable through fault injection) gets RFC 9457's `about:blank`.
 */
export function problem(status: number, detail?: string, fields?: FieldError[]): Problem {
  const kind = PROBLEM_KINDS[status];
  return {
    type: kind?.type ?? 'about:blank',
    title: kind?.title ?? STATUS_CODES[status] ?? 'Error',
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(fields === undefined ? {} : { fields }),
  };
}
