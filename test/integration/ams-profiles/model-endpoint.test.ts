/**
 * The loopback model endpoint on its own (no AMS): what the profiles rely on it for. The prompts
 * here carry only the markers the script keys on, not AMS's templates.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_BODY_BYTES,
  startModelEndpoint,
  type ModelEndpoint,
} from '../../support/model-endpoint/index.js';

let endpoint: ModelEndpoint;

beforeEach(async () => {
  endpoint = await startModelEndpoint({ dimensions: 256 });
});

afterEach(async () => {
  await endpoint.close();
});

/** The parts of the endpoint's answers these tests read. */
interface Answer {
  data: { embedding: number[] | string }[];
  choices: { message: { content: string } }[];
  error: { message: string };
}

async function post(path: string, body: unknown): Promise<{ status: number; json: Answer }> {
  const response = await fetch(`${endpoint.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Answer };
}

async function embed(input: string[], extra: object = {}): Promise<number[][]> {
  const { status, json } = await post('/embeddings', { model: 'm', input, ...extra });
  expect(status).toBe(200);
  return json.data.map((item) => item.embedding as number[]);
}

const cosine = (a: number[], b: number[]): number => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

function chatPrompt(kindMarker: string, body: string): { model: string; messages: object[] } {
  return { model: 'gpt-5', messages: [{ role: 'user', content: `${kindMarker}\n${body}` }] };
}

const EXTRACTION = (conversation: string): string =>
  `You are a long-memory manager.\n    Message:\n    ${conversation}\n\n    STEP-BY-STEP PROCESS:\n    …`;

describe('loopback model endpoint', () => {
  it('listens on 127.0.0.1 and serves the OpenAI base URL under /v1', () => {
    expect(endpoint.baseUrl).toBe(`http://127.0.0.1:${endpoint.port}/v1`);
  });

  it('embeds deterministically: unit vectors, shared words closer, no shared word orthogonal', async () => {
    const [a, again, near, far] = await embed([
      'window seats on long flights',
      'window seats on long flights',
      'window seats please',
      'green tea',
    ]);
    expect(a).toHaveLength(256);
    expect(again).toEqual(a);
    expect(cosine(a!, a!)).toBeCloseTo(1, 10);
    expect(cosine(a!, near!)).toBeGreaterThan(0.3);
    expect(cosine(a!, far!)).toBeCloseTo(0, 10);
    const [sized] = await embed(['window'], { dimensions: 8 });
    expect(sized).toHaveLength(8);
  });

  it('answers base64 embeddings as little-endian float32', async () => {
    const [floats] = await embed(['aisle seat']);
    const { json } = await post('/embeddings', { input: 'aisle seat', encoding_format: 'base64' });
    const bytes = Buffer.from(json.data[0]!.embedding as string, 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(decoded).toHaveLength(256);
    decoded.forEach((value, i) => expect(value).toBeCloseTo(floats![i]!, 6));
  });

  it('extracts one semantic memory per user turn from an extraction prompt', async () => {
    const { status, json } = await post(
      '/chat/completions',
      chatPrompt(
        '',
        EXTRACTION('[USER]: I like tea\nwith milk\n[ASSISTANT]: Noted\n[USER]: Aisle seats'),
      ),
    );
    expect(status).toBe(200);
    const content = JSON.parse(json.choices[0]!.message.content) as {
      memories: { type: string; text: string }[];
    };
    expect(content.memories.map((m) => [m.type, m.text])).toEqual([
      ['semantic', 'I like tea\nwith milk'],
      ['semantic', 'Aisle seats'],
    ]);
    expect(endpoint.chatCalls('extraction')).toHaveLength(1);
  });

  it('summarises the lines after the example and counts them', async () => {
    const prompt =
      'You are a precise summarization assistant.\nNew lines of conversation:\nexample: skipped\n' +
      'END OF EXAMPLE\nNew lines of conversation:\nuser: first point here\nassistant: second point\n\nNew summary:\n';
    const { json } = await post('/chat/completions', chatPrompt('', prompt));
    expect(json.choices[0]!.message.content).toBe(
      'Summary of 2 messages: user first point here; assistant second point',
    );
  });

  it('uses a swapped script, its own delay and its errors, and logs every call', async () => {
    endpoint.setChatScript(({ kind }) =>
      kind === 'other' ? { content: 'scripted', delayMs: 1 } : { status: 503, message: 'down' },
    );
    const ok = await post('/chat/completions', chatPrompt('hello', ''));
    expect(ok.json.choices[0]!.message.content).toBe('scripted');
    const failed = await post('/chat/completions', chatPrompt('', EXTRACTION('[USER]: x')));
    expect(failed.status).toBe(503);
    expect(failed.json.error.message).toBe('down');
    endpoint.setChatScript();
    const back = await post('/chat/completions', chatPrompt('hello', ''));
    expect(back.json.choices[0]!.message.content).toBe('ok');

    expect(endpoint.calls.map((c) => [c.route, c.kind, c.status])).toEqual([
      ['chat', 'other', 200],
      ['chat', 'extraction', 503],
      ['chat', 'other', 200],
    ]);
    const logged = await fetch(new URL('/_harness/calls', endpoint.baseUrl));
    expect(((await logged.json()) as { calls: unknown[] }).calls).toHaveLength(3);
  });

  it('answers anything else with a JSON error and refuses bad or oversized bodies', async () => {
    const missing = await post('/models', {});
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toContain('no route POST /v1/models');
    const get = await fetch(`${endpoint.baseUrl}/embeddings`);
    expect(get.status).toBe(404);
    expect((await post('/embeddings', 'not json')).status).toBe(400);
    expect((await post('/embeddings', { input: [] })).status).toBe(400);
    expect((await post('/embeddings', { input: 'x', dimensions: 0 })).status).toBe(400);
    expect((await post('/chat/completions', { messages: [] })).status).toBe(400);
    const huge = await post('/embeddings', { input: 'x'.repeat(MAX_BODY_BYTES) });
    expect(huge.status).toBe(413);
    expect(endpoint.calls).toEqual([]);
  });

  it('ends a call that waits out its delay when the endpoint closes', async () => {
    // Longer than the test timeout: only close() can end it in time.
    endpoint.setChatDelay(120_000);
    const pending = fetch(`${endpoint.baseUrl}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(chatPrompt('hello', '')),
    }).then(
      (response) => response.status,
      () => 'closed',
    );
    await endpoint.waitForCall((c) => c.route === 'chat', 5_000);
    await endpoint.close();
    expect(await pending).toBe('closed');
  });
});
