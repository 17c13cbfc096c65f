/**
 * Sessions stored by versions up to 0.0.1, which sent fewer ids unchanged (`adk~<hex>` for a
 * space, `~` or any non-ASCII character): they are still read, appended to where they are, listed,
 * refused as duplicates and deleted.
 */
import { createEvent } from '@google/adk';
import { describe, expect, inject, it } from 'vitest';
import {
  RedisSessionMemoryService,
  SessionAlreadyExistsError,
  createAgentMemoryServerClient,
  unwrap,
} from '../../src/index.js';
import {
  encodeId,
  encodeIdV1,
  encodeSessionId,
} from '../../src/shared/opensource-agent-memory/ids.js';

const apiBaseUrl = inject('amsBaseUrl');
const ams = createAgentMemoryServerClient({ baseUrl: apiBaseUrl, retry: { maxRetries: 0 } });
const RUN = Math.random().toString(36).slice(2, 8);

interface Address {
  namespace: string;
  userId: string;
  sessionId: string;
}

async function rawGet(address: Address) {
  const { data, response } = await ams.GET('/v1/working-memory/{session_id}', {
    params: {
      path: { session_id: address.sessionId },
      query: { namespace: address.namespace, user_id: address.userId },
    },
  });
  return response.status === 404 ? undefined : data;
}

/** Moves a session document to where an earlier version would have stored it. */
async function moveTo(from: Address, to: Address): Promise<void> {
  const doc = await rawGet(from);
  expect(doc).toBeDefined();
  await unwrap(
    ams.PUT('/v1/working-memory/{session_id}', {
      params: { path: { session_id: to.sessionId } },
      body: {
        messages: doc!.messages ?? [],
        data: doc!.data ?? null,
        namespace: to.namespace,
        user_id: to.userId,
      },
    }),
  );
  await unwrap(
    ams.DELETE('/v1/working-memory/{session_id}', {
      params: {
        path: { session_id: from.sessionId },
        query: { namespace: from.namespace, user_id: from.userId },
      },
    }),
  );
}

const textEvent = (text: string) =>
  createEvent({
    invocationId: 'inv-1',
    author: 'user',
    content: { role: 'user', parts: [{ text }] },
  });

describe('sessions stored under the ids of earlier versions', () => {
  it.each([
    { appName: `Travel Planner (beta) ${RUN}`, userId: `Ada Lovelace ${RUN}`, sessionId: 'trip 1' },
    { appName: `a/b-${RUN}`, userId: `x~y-${RUN}`, sessionId: 'plain' },
    { appName: `é-app-${RUN}`, userId: `Zoë ${RUN}`, sessionId: 'chat~1' },
    // Sent unchanged before, encoded now. AMS never listed them: a `_` tag never matches, and its
    // listing strips quotes around a session id. Read, append and delete still find them.
    { appName: `quoted-${RUN}`, userId: '_', sessionId: '"quoted"', unlisted: true },
  ])('$appName / $userId / $sessionId', async ({ unlisted, ...key }) => {
    const current: Address = {
      namespace: encodeId(key.appName),
      userId: encodeId(key.userId),
      sessionId: encodeSessionId(key.sessionId, undefined),
    };
    const legacy: Address = {
      namespace: encodeIdV1(key.appName),
      userId: encodeIdV1(key.userId),
      sessionId: encodeIdV1(key.sessionId),
    };
    expect(legacy).not.toEqual(current);
    const sessions = new RedisSessionMemoryService({
      backend: 'opensource-agent-memory',
      apiBaseUrl,
    });
    const session = await sessions.createSession({ ...key, state: { 'user:lang': 'fr' } });
    await sessions.appendEvent({ session, event: textEvent('first') });
    await moveTo(current, legacy);

    // Read, then appended to where it is: no second document appears.
    const read = await sessions.getSession(key);
    expect(read?.events.map((e) => e.content?.parts?.[0]?.text)).toEqual(['first']);
    expect(read?.state).toMatchObject({ 'user:lang': 'fr' });
    await sessions.appendEvent({ session: read!, event: textEvent('second') });
    expect((await rawGet(legacy))?.messages?.map((m) => m.content)).toEqual(['first', 'second']);
    expect(await rawGet(current)).toBeUndefined();

    // Listed for the app and for the user, once (when AMS can list them at all).
    for (const request of [
      { appName: key.appName },
      { appName: key.appName, userId: key.userId },
    ]) {
      const listed = await sessions.listSessions(request);
      expect(listed.sessions.map((s) => [s.userId, s.id])).toEqual(
        unlisted ? [] : [[key.userId, key.sessionId]],
      );
    }

    // Still there for createSession, then deleted where it is.
    await expect(sessions.createSession(key)).rejects.toBeInstanceOf(SessionAlreadyExistsError);
    await sessions.deleteSession(key);
    expect(await rawGet(legacy)).toBeUndefined();
    expect(await sessions.getSession(key)).toBeUndefined();
  });
});
