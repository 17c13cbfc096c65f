/**
 * The JSON text of a session write. Every append rewrites the whole document, but from one append
 * to the next it repeats most of it: the recent events and their messages. In single-writer mode
 * those are the same objects from write to write (the document kept from the last write), and
 * they are never changed once stored (changes replace them), so their text is kept by identity
 * and only what is new is serialised. The text is what `JSON.stringify(body)` gives, but for the
 * order of keys, which no reader depends on.
 */
import type { AmsWorkingMemoryUpdate } from '../../clients/index.js';
import { ENVELOPE_KEY } from './documents.js';

const texts = new WeakMap<object, string>();

/** The JSON text of a value that is never changed once stored, serialised once. */
function textOf(value: object): string {
  let text = texts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    texts.set(value, text);
  }
  return text;
}

const listText = (items: readonly object[]): string => `[${items.map(textOf).join(',')}]`;

/** `{...}` of `rest`, with `key` (JSON text) added last. */
function withKey(rest: object, key: string, text: string): string {
  const head = JSON.stringify(rest);
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}${JSON.stringify(key)}:${text}}`;
}

/**
 * The text of a session document write: `messages` and the envelope's `events` from kept texts,
 * the rest (state, envelope fields, server fields) serialised as usual.
 */
export function sessionWriteText(body: AmsWorkingMemoryUpdate): string {
  const { messages, data, ...fields } = body;
  const envelope = data?.[ENVELOPE_KEY] as { events?: object[] } | undefined;
  if (!messages || !data || !envelope || !Array.isArray(envelope.events))
    return JSON.stringify(body);
  const state = { ...data };
  Reflect.deleteProperty(state, ENVELOPE_KEY);
  const { events, ...envelopeFields } = envelope;
  const envelopeText = withKey(envelopeFields, 'events', listText(events));
  const dataText = withKey(state, ENVELOPE_KEY, envelopeText);
  const head = JSON.stringify(fields);
  const messagesText = `"messages":${listText(messages)},"data":${dataText}`;
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}${messagesText}}`;
}
