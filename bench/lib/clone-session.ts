/**
 * Builds a long AMS session without n whole-document writes: the library writes a short session
 * (its own format, all fields), and its last PUT body is grown to n events by cloning every array
 * element that carries an event id (the events and the messages), each clone with an id of its
 * own, then written once with the same request. Nothing here knows the document layout beyond
 * "events are array elements that carry their id".
 */
import type { Exchange } from './recording-fetch.js';

/** A uuid-shaped id for clone k, the same length as ADK's event ids. */
export const cloneId = (k: number): string =>
  `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`;

/**
 * The PUT body grown to `n` events. `ids` are the short session's event ids in order; event k of
 * the result is a copy of event `k % ids.length` with id `cloneId(k)`.
 */
export function growDocument(
  body: unknown,
  ids: readonly string[],
  n: number,
): { body: unknown; grown: number } {
  let grown = 0;
  const referenced = (element: unknown): number => {
    const text = JSON.stringify(element);
    const hits = ids.map((id, index) => (text.includes(id) ? index : -1)).filter((i) => i >= 0);
    return hits.length === 1 ? hits[0]! : -1;
  };
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      const indexes = value.map(referenced);
      if (value.length > 0 && indexes.every((i) => i >= 0)) {
        const byTemplate = new Map<number, unknown>(
          indexes.map((templateIndex, position) => [templateIndex, value[position]]),
        );
        const result: unknown[] = [];
        for (let k = 0; k < n; k++) {
          const templateIndex = k % ids.length;
          const template = byTemplate.get(templateIndex);
          if (template === undefined) continue;
          result.push(
            JSON.parse(JSON.stringify(template).split(ids[templateIndex]!).join(cloneId(k))),
          );
        }
        grown += 1;
        return result;
      }
      return value.map(walk);
    }
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, walk(v)]));
    }
    return value;
  };
  return { body: walk(body), grown };
}

/** Writes the grown document with the library's own last PUT (same URL and headers). */
export async function writeGrown(
  lastPut: Exchange,
  ids: readonly string[],
  n: number,
): Promise<void> {
  if (!lastPut.body) throw new Error('the captured PUT has no body');
  const original: unknown = JSON.parse(new TextDecoder().decode(lastPut.body));
  const { body, grown } = growDocument(original, ids, n);
  if (grown === 0) throw new Error('no array of events found in the session document');
  const response = await fetch(lastPut.url, {
    method: 'PUT',
    headers: lastPut.headers.filter(([name]) => name !== 'content-length'),
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`writing the grown document failed: ${response.status} ${text.slice(0, 300)}`);
}
