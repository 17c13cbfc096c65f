/**
 * JSON safety: what every stored value goes through. Keys are written with defineProperty
 * ({@link setOwn}), so `__proto__`, `constructor` and `prototype` stay ordinary own keys and never
 * reach Object.prototype, and values are checked ({@link assertJsonSafe}) before anything is sent,
 * so what is stored reads back as its JSON normalisation.
 */
import { z } from 'zod';
import { InvalidArgumentError } from '../clients/index.js';

/** Whether an object has `key` as an own property (whatever its prototype). */
export function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** Whether a value is a non-null, non-array object, as state maps and JSON objects are. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A zod check of {@link isPlainObject}, for validating stored data without copying it. */
export const plainObjectSchema = z.custom<Record<string, unknown>>(isPlainObject, {
  message: 'must be an object',
});

/** Sets an own key, even `__proto__`. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/**
 * A deep copy as JSON would store it (drops `undefined`, functions and symbols). Callers check
 * values with {@link assertJsonSafe} first, so it never meets a BigInt or a cycle.
 */
export function jsonClone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * Deepest nesting of objects and arrays accepted in a stored value, counted from the value checked
 * (a state map or an event). Under AMS, RedisJSON refuses documents nested more than 128 levels
 * (a 500 from AMS), and our values sit up to 5 levels down in a document.
 */
export const MAX_JSON_DEPTH = 100;

// A lone UTF-16 surrogate is not text: JSON escapes it, then AMS fails to encode it (a 500) and
// UTF-8 anywhere else turns it into U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string holds a lone UTF-16 surrogate. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const MAX_KEY_IN_PATH = 40;

/** `parent.key`, or `parent["odd key"]`, for error fields; long keys are shortened. */
export function fieldPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (IDENTIFIER.test(key) && key.length <= MAX_KEY_IN_PATH) return `${parent}.${key}`;
  const shown = key.length > MAX_KEY_IN_PATH ? `${key.slice(0, MAX_KEY_IN_PATH)}…` : key;
  return `${parent}[${JSON.stringify(shown)}]`;
}

/** Options of {@link assertJsonSafe}. */
export interface JsonSafetyOptions {
  /**
   * Skips a property (and all under it): `path` is its keys from the value checked (array indexes
   * as numbers). The array is reused as the walk goes on: read it, do not keep it.
   */
  skip?: (path: readonly (string | number)[]) => boolean;
  /** What is stored, for the end of the message (default `'Values'`: "Values are stored as JSON."). */
  stored?: string;
}

/**
 * Checks, before anything is sent or changed, that a value can be stored as JSON and read back as
 * its JSON normalisation, which is what `getSession` returns. Throws {@link InvalidArgumentError}
 * whose `field` is the path of the first offending value (`state.a.b`,
 * `event.actions.stateDelta.x`, `state.list[2]`); the message names the path and the kind of
 * value, never the value.
 *
 * Accepted, and stored as JSON stores them (this is the defined round trip):
 * - `undefined` is dropped from objects and becomes `null` in arrays (array holes too);
 * - `NaN`, `Infinity` and `-Infinity` become `null`, `-0` becomes `0`;
 * - an object with `toJSON` becomes what it returns (a `Date` its ISO string, or `null` when
 *   invalid; a `Buffer` `{type: 'Buffer', data: [...]}`);
 * - any other object becomes its own enumerable string-keyed properties (class instances lose
 *   their prototype); boxed primitives become the primitive;
 * - symbol-keyed properties are ignored, as JSON ignores them (ADK marks every event with one).
 *
 * Refused, because JSON would throw or silently lose data:
 * - BigInt (JSON.stringify throws), functions and symbol values (silently dropped);
 * - circular references (a value shared in two places without a cycle is fine: stored twice);
 * - Map, Set, WeakMap and WeakSet (stored as `{}`, every entry lost);
 * - strings and keys with a lone UTF-16 surrogate (not text, see above);
 * - nesting deeper than {@link MAX_JSON_DEPTH} levels;
 * - a `toJSON` method or a getter that throws.
 */
export function assertJsonSafe(
  value: unknown,
  field: string,
  options: JsonSafetyOptions = {},
): void {
  new JsonWalk(field, options).visit(value, 0, true);
}

const LOSSY_COLLECTIONS: [abstract new (...args: never[]) => object, string][] = [
  [Map, 'a Map (JSON would store {} and lose its entries; use a plain object)'],
  [Set, 'a Set (JSON would store {} and lose its entries; use an array)'],
  [WeakMap, 'a WeakMap'],
  [WeakSet, 'a WeakSet'],
];

/**
 * One walk of {@link assertJsonSafe}. The path to the current value is kept as a stack of keys and
 * only turned into a field name when a value is refused: it runs on every event appended, and
 * building a path string for every property showed in the per-append overhead.
 */
class JsonWalk {
  /** Keys from the checked value down to the current one (array indexes as numbers). */
  private readonly path: (string | number)[] = [];
  private readonly ancestors = new Set<object>();

  constructor(
    private readonly root: string,
    private readonly options: JsonSafetyOptions,
  ) {}

  visit(value: unknown, depth: number, callToJson: boolean): void {
    switch (typeof value) {
      case 'string':
        if (hasLoneSurrogate(value))
          this.refuse('a string with a lone UTF-16 surrogate (not text)');
        return;
      case 'number':
      case 'boolean':
      case 'undefined':
        return;
      case 'bigint':
        return this.refuse('a BigInt (JSON has none; store it as a string or a number)');
      case 'function':
        return this.refuse('a function');
      case 'symbol':
        return this.refuse('a symbol');
    }
    if (value === null) return;
    const object = value as object;
    if (callToJson) {
      const toJSON = this.read(object, 'toJSON');
      if (typeof toJSON === 'function') {
        let replaced: unknown;
        try {
          const key = this.path[this.path.length - 1];
          replaced = (toJSON as (key: string) => unknown).call(object, String(key ?? ''));
        } catch {
          return this.refuse('an object whose toJSON() throws');
        }
        // JSON.stringify calls toJSON once and serialises what it returns as it is.
        return this.visit(replaced, depth, false);
      }
    }
    if (object instanceof String) return this.visit(object.valueOf(), depth, false);
    if (object instanceof Number || object instanceof Boolean) return;
    if (object instanceof BigInt) return this.refuse('a BigInt object');
    for (const [type, what] of LOSSY_COLLECTIONS) if (object instanceof type) this.refuse(what);
    if (this.ancestors.has(object)) this.refuse('a circular reference');
    if (depth >= MAX_JSON_DEPTH) this.refuse(`nested more than ${MAX_JSON_DEPTH} levels deep`);
    this.ancestors.add(object);
    const skip = this.options.skip;
    if (Array.isArray(object)) {
      for (let index = 0; index < object.length; index++) {
        this.path.push(index);
        if (!skip?.(this.path)) this.visit(this.read(object, String(index)), depth + 1, true);
        this.path.pop();
      }
    } else {
      for (const key of Object.keys(object)) {
        this.path.push(key);
        if (hasLoneSurrogate(key)) this.refuse('a key with a lone UTF-16 surrogate (not text)');
        if (!skip?.(this.path)) this.visit(this.read(object, key), depth + 1, true);
        this.path.pop();
      }
    }
    this.ancestors.delete(object);
  }

  private read(target: object, key: string): unknown {
    try {
      return (target as Record<string, unknown>)[key];
    } catch {
      return this.refuse('a property whose getter throws');
    }
  }

  private refuse(what: string): never {
    const field = this.path.reduce<string>((parent, key) => fieldPath(parent, key), this.root);
    throw new InvalidArgumentError(
      field,
      `"${field}" cannot be stored: it is ${what}. ${this.options.stored ?? 'Values'} are stored as JSON.`,
    );
  }
}
