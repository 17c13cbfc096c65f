/**
 * The connection's fetch hands the client a light response over the already-read body: every way
 * openapi-fetch reads a body (JSON, text, stream, blob, arrayBuffer, empty) must give what a real
 * Response gives, errors included. No network: the fetch answers from memory.
 */
import { describe, expect, it } from 'vitest';
import { WrongApiError, MalformedResponseError } from '../../../src/clients/index.js';
import { createConnection } from '../../../src/shared/connection.js';
import type { ResolvedConnectionConfig } from '../../../src/shared/config.js';

const BASE = 'http://127.0.0.1:9';
const SEARCH = '/v1/stores/{storeId}/long-term-memory/search';

/** A managed-backend connection whose fetch answers every request with `answer()`. */
function connectionAnswering(answer: () => Response) {
  const connection = createConnection({
    backend: 'redis-agent-memory',
    apiBaseUrl: BASE,
    storeId: 'store-1',
    apiKey: 'key',
    timeoutMs: 5_000,
    retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    fetch: () => Promise.resolve(answer()),
  } as unknown as ResolvedConnectionConfig);
  if (connection.backend !== 'redis-agent-memory') throw new Error('managed connection expected');
  return connection.client;
}

type Request = (
  method: string,
  path: string,
  init?: Record<string, unknown>,
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

function post(answer: () => Response, init: Record<string, unknown> = {}) {
  const client = connectionAnswering(answer) as unknown as { request: Request };
  return client.request('post', SEARCH, { body: { text: 'x' }, ...init });
}

const json =
  (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      statusText: status === 200 ? 'OK' : 'Not OK',
      headers: { 'content-type': 'application/json', ...headers },
    });

describe('the response the connection hands the client', () => {
  it('parses JSON with and without a content-length, keeping status and headers', async () => {
    const body = { memories: [{ id: 'm1', text: 'é ✓' }] };
    const length = String(Buffer.byteLength(JSON.stringify(body)));
    for (const headers of [{}, { 'content-length': length }] as Record<string, string>[]) {
      const { data, response } = await post(json(body, 200, { 'x-extra': 'kept', ...headers }));
      expect(data).toEqual(body);
      expect(response.status).toBe(200);
      expect(response.ok).toBe(true);
      expect(response.statusText).toBe('OK');
      expect(response.headers.get('x-extra')).toBe('kept');
      expect(response.bodyUsed).toBe(true);
    }
  });

  it('serves the text, arrayBuffer, blob and stream reads as a Response does', async () => {
    const text = '{"a":"é"}';
    const answer = () => new Response(text, { status: 200 });
    expect((await post(answer, { parseAs: 'text' })).data).toBe(text);
    const buffer = (await post(answer, { parseAs: 'arrayBuffer' })).data as ArrayBuffer;
    expect(new TextDecoder().decode(buffer)).toBe(text);
    const blob = (await post(answer, { parseAs: 'blob' })).data as Blob;
    expect(await blob.text()).toBe(text);
    const stream = (await post(answer, { parseAs: 'stream' })).data as ReadableStream<Uint8Array>;
    expect(await new Response(stream).text()).toBe(text);
  });

  it('reads an empty 200 as no data and a 204 as no data', async () => {
    expect((await post(() => new Response('', { status: 200 }))).data).toBeUndefined();
    const noContent = await post(() => new Response(null, { status: 204 }));
    expect(noContent.data).toBeUndefined();
    expect(noContent.response.status).toBe(204);
  });

  it('reads a body once only, and clones it while unread', async () => {
    const { response } = await post(json({ a: 1 }), { parseAs: 'stream' });
    const copy = response.clone();
    expect(await copy.json()).toEqual({ a: 1 });
    expect(copy.bodyUsed).toBe(true);
    await expect(copy.text()).rejects.toThrow(TypeError);
    expect(() => copy.clone()).toThrow(TypeError);
    expect(await response.text()).toBe('{"a":1}');
    const fresh = (await post(json({ b: 2 }), { parseAs: 'stream' })).response;
    const twin = fresh.clone();
    expect(await fresh.arrayBuffer()).toBeInstanceOf(ArrayBuffer);
    expect(await twin.json()).toEqual({ b: 2 });
  });

  it('turns a 2xx body that is not JSON into a MalformedResponseError', async () => {
    const client = connectionAnswering(() => new Response('<html>', { status: 200 }));
    await expect(client.POST(SEARCH, { body: { text: 'x' } } as never)).rejects.toBeInstanceOf(
      MalformedResponseError,
    );
  });

  it("parses the API's own error body and still reads a misdirected 404 as a config error", async () => {
    const problem = { type: '/errors/invalid-request', title: 'Bad request', status: 400 };
    const { error, response } = await post(json(problem, 400));
    expect(error).toEqual(problem);
    expect(response.ok).toBe(false);
    await expect(
      post(() => new Response('<h1>Not Found</h1>', { status: 404 })),
    ).rejects.toBeInstanceOf(WrongApiError);
  });
});
