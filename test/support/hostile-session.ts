/**
 * Hostile single-writer session input shared by the unit and real-AMS tests: texts and state that
 * look like parts of a working-memory document's JSON, or that JSON escapes, in every scope.
 */
import { createEvent, type Event } from '@google/adk';

/** Strings that look like parts of the document's JSON, or that JSON escapes. */
export const HOSTILE_TEXTS = [
  '"context":null,',
  '{"context":"x","messages":[]}',
  'ü\u2028\u2029 😀 \\ " \u0007 \t end',
  '"context":',
  `${'long '.repeat(4000)}"context":null,`,
];

/**
 * An event of step n: text (some hostile), state changes of every scope, some without text;
 * `id` and `timestamp` when given (else ADK's own).
 */
export function hostileStepEvent(
  n: number,
  fixed: { id?: string; timestamp?: number } = {},
): Event {
  const text = n % 3 === 0 ? HOSTILE_TEXTS[n % HOSTILE_TEXTS.length]! : `turn ${n}`;
  const stateDelta: Record<string, unknown> = {
    counter: n,
    context: n % 4 === 0 ? null : `"context":${JSON.stringify(`s${n}`)},`,
    messages: n % 5 === 0 ? null : [{ role: 'user', content: `m${n}` }],
    adk_redis: { revision: -n, events: [] },
    nested: { deep: { list: [n, null, 'ü\u2028😀'], context: null } },
  };
  if (n % 7 === 0) stateDelta[`app:seen${n % 2}`] = { n, context: null };
  if (n % 6 === 0) stateDelta['user:last'] = `"context":null,${n}`;
  return createEvent({
    ...fixed,
    invocationId: `inv-${Math.floor(n / 2)}`,
    author: n % 2 === 0 ? 'user' : 'agent',
    ...(n % 8 === 7
      ? { content: { role: 'model', parts: [{ functionCall: { name: 'f', args: { n } } }] } }
      : { content: { role: n % 2 === 0 ? 'user' : 'model', parts: [{ text }] } }),
    actions: {
      stateDelta,
      artifactDelta: {},
      requestedAuthConfigs: {},
      requestedToolConfirmations: {},
    },
  });
}

/** An initial state with keys that collide with document fields, `__proto__` as an own key. */
export const hostileInitialState = (): Record<string, unknown> =>
  JSON.parse(
    '{"__proto__":{"polluted":true},"context":"\\"context\\":null,","adk_redis":{"v":9},' +
      '"messages":[],"data":{"adk_redis":1},"tokens":"many","session_id":"other",' +
      '"nothing":null,"emoji":"😀\\u2028","app:shared":1,"user:lang":"fr"}',
  ) as Record<string, unknown>;
