import { describe, expect, it } from 'vitest';
import type { AmsWorkingMemoryUpdate } from '../../../src/clients/index.js';
import { sessionWriteText } from '../../../src/sessions/opensource-agent-memory/body.js';

const event = (id: string, text: string) => ({
  id,
  timestamp: 1,
  author: 'user',
  content: { role: 'user', parts: [{ text }] },
});
const message = (id: string, content: string) => ({ id, role: 'user', content });

function body(events: object[], messages: ReturnType<typeof message>[], state: object) {
  const data: Record<string, unknown> = JSON.parse(JSON.stringify(state)) as Record<
    string,
    unknown
  >;
  data.adk_redis = { v: 2, kind: 'session', revision: 3, events, segments: [], state: { n: null } };
  return {
    memories: [],
    context: null,
    created_at: '2025-01-01T00:00:00Z',
    namespace: 'ns',
    user_id: 'u',
    messages,
    data,
  } as unknown as AmsWorkingMemoryUpdate;
}

describe('sessionWriteText', () => {
  it('is JSON of the same document (keys aside), hostile state keys included', () => {
    const state = JSON.parse(
      '{"__proto__":{"x":1},"constructor":"c","a":[1,{"b":"ü\\u2028"}]}',
    ) as object;
    const sent = body([event('e1', 'hi'), event('e2', '"quoted"\\')], [message('e1', 'hi')], state);
    const text = sessionWriteText(sent);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(sent)));
    expect(Object.keys((JSON.parse(text) as { data: object }).data)).toContain('__proto__');
  });

  it('reuses the text of unchanged events and messages, and follows replaced ones', () => {
    const e1 = event('e1', 'one');
    const m1 = message('e1', 'one');
    const first = body([e1], [m1], { k: 1 });
    expect(JSON.parse(sessionWriteText(first))).toEqual(JSON.parse(JSON.stringify(first)));
    // The next write: e1 kept as is, e1's message replaced, e2 added, state changed.
    const second = body([e1, event('e2', 'two')], [message('e1', 'ONE'), message('e2', 'two')], {
      k: 2,
    });
    expect(JSON.parse(sessionWriteText(second))).toEqual(JSON.parse(JSON.stringify(second)));
  });

  it('empty lists and state, and a body without the envelope, are plain JSON', () => {
    const empty = body([], [], {});
    expect(JSON.parse(sessionWriteText(empty))).toEqual(JSON.parse(JSON.stringify(empty)));
    const foreign = { namespace: 'ns', messages: [], data: { x: 1 } } as AmsWorkingMemoryUpdate;
    expect(sessionWriteText(foreign)).toBe(JSON.stringify(foreign));
  });
});
