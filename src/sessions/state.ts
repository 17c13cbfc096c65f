/**
 * Session state scopes. Keys prefixed `app:` and `user:` belong to the app and the user, `temp:`
 * keys are never stored, the rest belongs to the session. Every key is written with
 * defineProperty, so `__proto__`, `constructor` and `prototype` stay ordinary own keys and never
 * reach Object.prototype (plain objects otherwise, so callers keep `hasOwnProperty` and friends).
 */
import { State } from '@google/adk';

/** A state map; only ever written through {@link setOwn}. */
export type StateMap = Record<string, unknown>;

/** A new, empty state map. */
export function emptyState(): StateMap {
  return {};
}

/** Sets an own key, even `__proto__`. */
export function setOwn(target: StateMap, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/** A copy of a plain object's own enumerable entries (values cloned through JSON). */
export function copyState(source: Record<string, unknown> | undefined): StateMap {
  const copy = emptyState();
  if (!source) return copy;
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined) setOwn(copy, key, jsonClone(value));
  }
  return copy;
}

/** A deep copy as JSON would store it (drops `undefined`, functions and symbols). */
export function jsonClone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
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
