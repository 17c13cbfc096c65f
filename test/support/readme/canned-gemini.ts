/**
 * Preload (`--import`) for programs that use `model: 'gemini-2.5-flash'`: Gemini's REST API
 * answers every generateContent call with {@link cannedReply}, which quotes the last user text
 * and counts the contents before it, so a test can see what the request carried. Everything else
 * that is not loopback is refused. The program runs unmodified with any non-empty GOOGLE_API_KEY.
 */
import nock from 'nock';
import { cannedReply } from './canned-reply.js';
import './loopback-only.js';

interface GenerateContentBody {
  contents?: { role?: string; parts?: { text?: string }[] }[];
}

function replyTo(body: GenerateContentBody): string {
  const contents = body.contents ?? [];
  const last = contents.at(-1);
  const text = (last?.parts ?? []).map((part) => part.text ?? '').join('');
  return cannedReply(text, contents.length - 1);
}

const candidate = (body: GenerateContentBody) => ({
  candidates: [
    {
      content: { role: 'model', parts: [{ text: replyTo(body) }] },
      finishReason: 'STOP',
      index: 0,
    },
  ],
  usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
});

nock('https://generativelanguage.googleapis.com')
  .persist()
  .post(/\/models\/[^/]+:generateContent(\?.*)?$/)
  .reply(200, (_uri, body) => candidate(body as GenerateContentBody))
  .post(/\/models\/[^/]+:streamGenerateContent(\?.*)?$/)
  .reply(
    200,
    (_uri, body) => `data: ${JSON.stringify(candidate(body as GenerateContentBody))}\r\n\r\n`,
    { 'content-type': 'text/event-stream' },
  );
