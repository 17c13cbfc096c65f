/**
 * Session state scopes. Keys prefixed `app:` and `user:` belong to the app and the user, `temp:`
 * keys are never stored, the rest belongs to the session. Every key is written with
 * defineProperty (`setOwn`, src/shared/json.ts), so `__proto__`, `constructor` and `prototype` stay
 * ordinary own keys and never reach Object.prototype (plain objects otherwise, so callers keep
 * `hasOwnProperty` and friends).
 */
import { State } from '@google/adk';
import { assertJsonSafe, jsonClone, setOwn, type JsonSafetyOptions } from '../shared/json.js';

/** A state map; only ever written through `setOwn`. */
export type StateMap = Record<string, unknown>;

/** A new, empty state map. */
export function emptyState(): StateMap {
  return {};
}

/** State split by scope; app and user maps are stored without their prefix. */
export interface ScopedState {
  app: StateMap;
  user: StateMap;
  session: StateMap;
}

/** Splits a state (or a delta) by scope, dropping `temp:` keys. */
export function splitState(state: Record<string, unknown> | undefined): ScopedState {
  const scoped: ScopedState = { app: emptyState(), user: emptyState(), session: emptyState() };
  if (!state) return scoped;
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined || key.startsWith(State.TEMP_PREFIX)) continue;
    if (key.startsWith(State.APP_PREFIX)) {
      setOwn(scoped.app, key.slice(State.APP_PREFIX.length), jsonClone(value));
    } else if (key.startsWith(State.USER_PREFIX)) {
      setOwn(scoped.user, key.slice(State.USER_PREFIX.length), jsonClone(value));
    } else {
      setOwn(scoped.session, key, jsonClone(value));
    }
  }
  return scoped;
}

/** The state a session shows: its own keys plus the app's and the user's, prefixed. */
export function mergeScopes(scoped: ScopedState): StateMap {
  const merged = emptyState();
  for (const [key, value] of Object.entries(scoped.session)) setOwn(merged, key, jsonClone(value));
  for (const [key, value] of Object.entries(scoped.app)) {
    setOwn(merged, State.APP_PREFIX + key, jsonClone(value));
  }
  for (const [key, value] of Object.entries(scoped.user)) {
    setOwn(merged, State.USER_PREFIX + key, jsonClone(value));
  }
  return merged;
}

/** Applies a delta's entries onto a state map in place. */
export function applyDelta(target: StateMap, delta: StateMap): void {
  for (const [key, value] of Object.entries(delta)) setOwn(target, key, jsonClone(value));
}

/** Whether a map has any own key. */
export function hasKeys(state: StateMap): boolean {
  return Object.keys(state).length > 0;
}

/**
 * {@link assertJsonSafe} for session state and events: refusals end "Session state and events are
 * stored as JSON."
 */
export function assertStorable(
  value: unknown,
  field: string,
  options: Omit<JsonSafetyOptions, 'stored'> = {},
): void {
  assertJsonSafe(value, field, { ...options, stored: 'Session state and events' });
}
