import { describe, expect, inject, it } from 'vitest';
import { BackendError, createAgentMemoryServerClient, unwrap } from '../../src/index.js';
import { uniqueId } from '../support/ids.js';

const baseUrl = inject('amsBaseUrl');
const ams = createAgentMemoryServerClient({ baseUrl, retry: { maxRetries: 0 } });

describe('Agent Memory Server client against the real server', () => {
  it('reads /v1/health', async () => {
    const before = Date.now();
    const health = await unwrap(ams.GET('/v1/health'));
    expect(health.now).toBeGreaterThanOrEqual(before - 5_000);
    expect(health.now).toBeLessThanOrEqual(Date.now() + 5_000);
  });

  it('PUTs, GETs, lists and DELETEs working memory with namespace and user id', async () => {
    const namespace = uniqueId('ns');
    const userId = uniqueId('user');
    const sessionId = uniqueId('session');
    const createdAt = '2026-01-02T03:04:05.678Z';
    const put = await unwrap(
      ams.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: sessionId } },
        body: {
          namespace,
          user_id: userId,
          messages: [{ id: 'm1', role: 'user', content: 'hello there', created_at: createdAt }],
          data: { nested: { a: [1, 2, { b: null }] } },
          ttl_seconds: 3600,
        },
      }),
    );
    expect(put.session_id).toBe(sessionId);
    expect(put.ttl_seconds).toBe(3600);

    const got = await unwrap(
      ams.GET('/v1/working-memory/{session_id}', {
        params: { path: { session_id: sessionId }, query: { namespace, user_id: userId } },
      }),
    );
    expect(got.namespace).toBe(namespace);
    expect(got.user_id).toBe(userId);
    expect(got.messages).toHaveLength(1);
    expect(got.messages?.[0]).toMatchObject({ id: 'm1', role: 'user', content: 'hello there' });
    expect(new Date(got.messages![0]!.created_at!).toISOString()).toBe(createdAt);
    expect(got.data).toEqual({ nested: { a: [1, 2, { b: null }] } });

    const listed = await unwrap(
      ams.GET('/v1/working-memory/', {
        params: { query: { namespace, user_id: userId, limit: 10 } },
      }),
    );
    expect(listed.sessions).toEqual([sessionId]);
    expect(listed.total).toBe(1);

    const ack = await unwrap(
      ams.DELETE('/v1/working-memory/{session_id}', {
        params: { path: { session_id: sessionId }, query: { namespace, user_id: userId } },
      }),
    );
    expect(ack.status).toBe('ok');
    const afterDelete = await unwrap(
      ams.GET('/v1/working-memory/', { params: { query: { namespace, user_id: userId } } }),
    );
    expect(afterDelete.sessions).toEqual([]);
  });

  it('round-trips session ids with spaces, unicode and reserved characters through path encoding', async () => {
    const namespace = uniqueId('ns');
    for (const sessionId of ['with space', 'ünïcødé-🙂', 'a?b#c%d', 'colon:comma,semi;']) {
      await unwrap(
        ams.PUT('/v1/working-memory/{session_id}', {
          params: { path: { session_id: sessionId } },
          body: { namespace, user_id: 'u', data: { id: sessionId } },
        }),
      );
      const got = await unwrap(
        ams.GET('/v1/working-memory/{session_id}', {
          params: { path: { session_id: sessionId }, query: { namespace, user_id: 'u' } },
        }),
      );
      expect(got.session_id).toBe(sessionId);
      expect(got.data).toEqual({ id: sessionId });
    }
  });

  it('maps a missing session to a 404 BackendError with the server detail', async () => {
    const sessionId = uniqueId('missing');
    const error = await unwrap(
      ams.GET('/v1/working-memory/{session_id}', {
        params: {
          path: { session_id: sessionId },
          query: { namespace: uniqueId('ns'), user_id: 'u' },
        },
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    const backendError = error as BackendError;
    expect(backendError.status).toBe(404);
    expect(backendError.backend).toBe('opensource-agent-memory');
    expect(backendError.method).toBe('GET');
    expect(backendError.path).toBe(`/v1/working-memory/${sessionId}`);
    expect(backendError.detail).toBe(`Session ${sessionId} not found`);
  });

  it('maps 422 validation errors to readable field errors', async () => {
    const farFuture = new Date(Date.now() + 3_600_000).toISOString();
    const error = await unwrap(
      ams.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: uniqueId('s') } },
        body: { namespace: 'n', messages: [{ role: 'user', content: 'x', created_at: farFuture }] },
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    const backendError = error as BackendError;
    expect(backendError.status).toBe(422);
    expect(backendError.fields?.length).toBeGreaterThan(0);
    expect(backendError.fields?.[0]?.field).toMatch(/^body\.messages\.0/);
    expect(backendError.message).not.toContain('[object Object]');
    expect(backendError.message).toContain('body.messages.0');

    const listError = await unwrap(
      ams.GET('/v1/working-memory/', { params: { query: { limit: 101 } } }),
    ).catch((e: unknown) => e);
    expect(listError).toBeInstanceOf(BackendError);
    expect((listError as BackendError).status).toBe(422);
    expect((listError as BackendError).fields?.[0]?.field).toBe('query.limit');
  });

  it('maps a 400 (blank message content) to a BackendError with the server detail', async () => {
    const error = await unwrap(
      ams.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: uniqueId('s') } },
        body: { namespace: 'n', messages: [{ id: 'blank', role: 'user', content: '   ' }] },
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).status).toBe(400);
    expect((error as BackendError).detail).toContain('Message content cannot be empty');
  });
});
