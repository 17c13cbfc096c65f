/**
 * Backend-neutral memory records: what the service returns, what it asks a backend to write, the
 * stable id recipe (the Python adk-redis's), and the `author: text` form of message records.
 */
import { sha256 } from '../shared/redis-agent-memory/ids.js';
import type { MemoryType } from './config.js';

export type { MemoryType };

/** A stored memory, as search, get and update return it. */
export interface MemoryRecord {
  /** The record's id on the backend. */
  id: string;
  /** The memory's text, without the `author: ` prefix of message records. */
  text: string;
  /** Message records: the event's author. */
  author?: string;
  /** The memory type (`message` for records made from events). */
  memoryType: MemoryType;
  /** The record's topics (without the markers this library adds to keep apps apart). */
  topics: string[];
  /** The caller's ADK session id, when the record came from (or names) a session. */
  sessionId?: string;
  /** When the memory was made, ISO 8601: the event's time for records made from events. */
  createdAt: string;
  /** When the record last changed, ISO 8601, when the backend says. */
  updatedAt?: string;
  /** Search only: similarity in [0, 1], higher is closer (absent when the backend gives none). */
  score?: number;
}

/** What an add call stored. */
export interface AddMemoriesResult {
  /** The ids written, or already present from an earlier identical write. */
  stored: string[];
}

/** A record the service asks a backend to write, before backend mapping. */
export interface NewMemory {
  /** The Python recipe's parts after source and namespace: see {@link stableMemoryId}. */
  kind: 'event' | 'memory';
  /** Parts hashed after (source, kind, namespace, user): session and event key and text for events. */
  idParts: string[];
  /** Text as stored: `author: text` for message records. */
  storedText: string;
  author?: string;
  memoryType: MemoryType;
  topics: string[];
  sessionId?: string;
  /** Event records: the event's time (ms since the epoch). */
  eventTime?: number;
}

/** Search filters, backend-neutral. */
export interface MemoryFilters {
  /** Only records of one of these types. */
  memoryTypes?: MemoryType[];
  /** Only records that have every one of these topics. */
  topics?: string[];
  /** Only records of this ADK session. */
  sessionId?: string;
}

/** The Python adk-redis's stable memory id: `adk-` + 32 hex characters of SHA-256 of the parts joined by `:`. */
export function stableMemoryId(parts: readonly (string | number)[]): string {
  return `adk-${sha256(parts.map(String).join(':')).slice(0, 32)}`;
}

// An author as ADK names them: `user` or an agent name (an identifier).
const AUTHOR = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const MAX_AUTHOR_LENGTH = 128;

/** The author and text of a stored `author: text` message record; no author when it has no such prefix. */
export function splitAuthor(
  memoryType: string | undefined,
  text: string,
): { author?: string; text: string } {
  if (memoryType !== 'message') return { text };
  // An author holds no `:`, so the prefix can only end at the first `: ` (the text after it may be
  // long: only the short head is matched).
  const end = text.indexOf(': ');
  if (end < 1 || end > MAX_AUTHOR_LENGTH) return { text };
  const author = text.slice(0, end);
  return AUTHOR.test(author) ? { author, text: text.slice(end + 2) } : { text };
}

/** Whether a record has every topic asked for (case-sensitive; backends may match loosely). */
export function hasTopics(recordTopics: readonly string[], wanted: readonly string[] | undefined) {
  return wanted === undefined || wanted.every((topic) => recordTopics.includes(topic));
}

/** Whether a record passes the filters, checked here whatever the backend did with them. */
export function passesFilters(record: MemoryRecord, filters: MemoryFilters | undefined): boolean {
  if (!filters) return true;
  if (filters.memoryTypes && !filters.memoryTypes.includes(record.memoryType)) return false;
  if (filters.sessionId !== undefined && record.sessionId !== filters.sessionId) return false;
  return hasTopics(record.topics, filters.topics);
}

/** An ISO 8601 string for a date-time the backend sent, or `fallback` when it is unreadable. */
export function isoTime(value: string | null | undefined, fallback = ''): string {
  if (!value) return fallback;
  const canonical = canonicalUtc(value);
  if (canonical !== undefined) return canonical;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? fallback : new Date(ms).toISOString();
}

/**
 * What `new Date(Date.parse(value)).toISOString()` gives for a UTC date-time as both backends send
 * it (`YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1–9 digits, `Z` or `+00:00`) whose fields
 * are all in range: the fraction truncated to milliseconds, as V8 does. Undefined for anything
 * else, which takes the Date path (out-of-range days roll over there, other zones shift). Read as
 * text because Date.parse plus toISOString cost about 2 µs a value, twice per search result.
 */
function canonicalUtc(value: string): string | undefined {
  if (
    value.length < 20 ||
    value.charCodeAt(4) !== 45 || // -
    value.charCodeAt(7) !== 45 ||
    value.charCodeAt(10) !== 84 || // T
    value.charCodeAt(13) !== 58 || // :
    value.charCodeAt(16) !== 58
  ) {
    return undefined;
  }
  const century = twoDigits(value, 0);
  const yearOf = twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (century < 0 || yearOf < 0 || month < 1 || month > 12 || day < 1) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  if (day > daysInMonth(century * 100 + yearOf, month)) return undefined;
  let end = 19;
  if (value.charCodeAt(end) === 46) {
    // A fraction: 1–9 digits.
    end += 1;
    while (end < value.length && digit(value, end) >= 0) end += 1;
    if (end === 20 || end > 29) return undefined;
  }
  const zoneLength = value.length - end;
  const utc =
    (zoneLength === 1 && value.charCodeAt(end) === 90) || // Z
    (zoneLength === 6 && value.endsWith('+00:00'));
  if (!utc) return undefined;
  // Already canonical: milliseconds and `Z`.
  if (end === 23 && zoneLength === 1) return value;
  const fraction = end > 20 ? value.slice(20, Math.min(end, 23)) : '';
  return `${value.slice(0, 19)}.${fraction.padEnd(3, '0')}Z`;
}

/** The digit at `index`, or -1. */
function digit(text: string, index: number): number {
  const code = text.charCodeAt(index) - 48;
  return code >= 0 && code <= 9 ? code : -1;
}

/** The two-digit number at `index`, or -1. */
function twoDigits(text: string, index: number): number {
  const high = digit(text, index);
  const low = digit(text, index + 1);
  return high < 0 || low < 0 ? -1 : high * 10 + low;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
