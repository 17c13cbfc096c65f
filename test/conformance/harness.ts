/**
 * Shared pieces of the session-service conformance suite: the case shape, the per-test harness and
 * small helpers. Everything here uses only the public `BaseSessionService` API and the library's
 * error classes, so the same cases run against any backend.
 */
import { createEvent, type BaseSessionService, type Event, type Session } from '@google/adk';
import { expect } from 'vitest';
import type { SessionError, SessionKey } from '../../src/sessions/errors.js';
import { uniqueId } from '../support/ids.js';

export type ServiceFactory = () => BaseSessionService | Promise<BaseSessionService>;

/** What one case gets to work with. */
export interface Harness {
  /** A service over the shared storage, made for this test by one `factory()` call. */
  readonly service: BaseSessionService;
  /** Another service over the same storage, as a second process would hold. */
  readonly another: () => Promise<BaseSessionService>;
  /** A fresh `{appName, userId}` no other test (or earlier run) has used. */
  readonly scope: () => { appName: string; userId: string };
}

export interface ConformanceCase {
  /** Stable kebab id `<area>.<name>`; divergence declarations refer to it. */
  readonly id: string;
  /** What the case checks, for the test title. */
  readonly title: string;
  run(h: Harness): Promise<void>;
}

/** A case list built by `area.name` ids; keeps each area file short. */
export function defineCases(
  area: string,
  cases: Record<string, { title: string; run(h: Harness): Promise<void> }>,
): ConformanceCase[] {
  return Object.entries(cases).map(([name, c]) => ({ id: `${area}.${name}`, ...c }));
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * Tolerance of `lastUpdateTime ≈ Date.now()` checks. Wide on purpose: a network backend may take
 * seconds, and the check is about "now, in milliseconds" (not seconds, not zero), never about speed.
 */
export const CLOCK_WINDOW_MS = 10_000;

/**
 * A whole second one hour ago. Event timestamps are built from it so that they are integers,
 * ordered as the test wants, distinct from any create-time `Date.now()`, and realistic.
 */
export function baseTime(): number {
  return Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
}

/** JSON normalisation, as the contract compares events and state. */
export function json<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The key of a live session, as error objects report it. */
export function keyOf(session: Session): SessionKey {
  return { appName: session.appName, userId: session.userId, sessionId: session.id };
}

/** Reads a session that must exist. */
export async function mustGet(
  service: BaseSessionService,
  key: SessionKey,
  config?: { numRecentEvents?: number; afterTimestamp?: number },
): Promise<Session> {
  const session = await service.getSession(config ? { ...key, config } : key);
  expect(session, `session ${JSON.stringify(key)} should be stored`).toBeDefined();
  return session!;
}

/** A text event as an agent (or the user) would produce it. */
export function textEvent(
  text: string,
  timestamp: number,
  opts: { author?: string; stateDelta?: Record<string, unknown>; id?: string } = {},
): Event {
  const author = opts.author ?? 'conformance_agent';
  return createEvent({
    ...(opts.id ? { id: opts.id } : {}),
    invocationId: 'inv-conformance',
    author,
    timestamp,
    content: { role: author === 'user' ? 'user' : 'model', parts: [{ text }] },
    actions: { stateDelta: opts.stateDelta ?? {} },
  });
}

/** A content-free event that only changes state. */
export function stateEvent(stateDelta: Record<string, unknown>, timestamp: number): Event {
  return createEvent({
    invocationId: 'inv-conformance',
    author: 'conformance_agent',
    timestamp,
    actions: { stateDelta },
  });
}

type ErrorClass<T extends SessionError> = abstract new (...args: never[]) => T;

/**
 * Awaits a rejection with a given session error class, checking that the error names the session
 * by the caller's own ids.
 */
export async function expectSessionError<T extends SessionError>(
  promise: Promise<unknown>,
  cls: ErrorClass<T>,
  key: SessionKey,
): Promise<T> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${cls.name}`).toBeInstanceOf(cls);
  const typed = error as T;
  expect(typed.session).toEqual(key);
  return typed;
}

/** Own property names of `Object.prototype`, to detect pollution around a case. */
export function prototypeKeys(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}

export { uniqueId };
