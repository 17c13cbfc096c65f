/**
 * A loopback OpenAI-compatible model endpoint for the Agent Memory Server harness: deterministic
 * embeddings (`POST /v1/embeddings`) and scripted chat completions (`POST /v1/chat/completions`),
 * with a log of every call. AMS reaches it through `OPENAI_API_BASE`, so its LLM features run with
 * no network and no model. `GET /_harness/calls` returns the log (for tests in another process);
 * everything else is a 404 with a JSON error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  classifyPrompt,
  defaultChatScript,
  type ChatScript,
  type ChatScriptReply,
  type PromptKind,
} from './chat-script.js';
import { MAX_EMBEDDING_DIMENSIONS, embedText, toBase64Floats } from './embeddings.js';

export interface ModelEndpointOptions {
  /** Port on 127.0.0.1; 0 (the default) lets the OS pick. */
  port?: number;
  /** Embedding size when a request does not ask for one (default 1536, as `text-embedding-3-small`). */
  dimensions?: number;
  /** How long every chat answer waits before it is sent (default 0; at most 120 000). */
  chatDelayMs?: number;
  /** What chat completions answer (default: `defaultChatScript`). */
  chatScript?: ChatScript;
  /** The log keeps this many calls, dropping the oldest (default 2000). */
  maxLoggedCalls?: number;
}

/** One request to a model route, as the endpoint received and answered it. */
export interface ModelCall {
  /** 1, 2, … in arrival order (kept when old calls are dropped from the log). */
  seq: number;
  route: 'embeddings' | 'chat';
  /** For chat calls: the AMS task the prompt belongs to. */
  kind?: PromptKind;
  model: string;
  /** Embeddings: the input texts. Chat: the prompt (messages joined), cut at 64 KiB. */
  input: string[];
  startedAt: number;
  /** When the answer was sent; absent while a chat call waits out its delay. */
  finishedAt?: number;
  /** HTTP status of the answer (absent while in flight). */
  status?: number;
  /** The assistant text that was returned (chat calls that succeeded). */
  reply?: string;
}

export interface ModelEndpoint {
  /** The OpenAI-style base URL, ending in `/v1` (what `OPENAI_API_BASE` takes). */
  readonly baseUrl: string;
  readonly port: number;
  /** Every call still in the log, oldest first (a live view: it grows as calls arrive). */
  readonly calls: readonly ModelCall[];
  /** The chat calls in the log, optionally of one kind. */
  chatCalls(kind?: PromptKind): ModelCall[];
  /** Replace the chat script (no argument: back to the default). Applies to calls that arrive next. */
  setChatScript(script?: ChatScript): void;
  /** Change the chat delay for calls that arrive next. */
  setChatDelay(ms: number): void;
  clearCalls(): void;
  /** Resolves with the first logged call that matches, polling every 20 ms; rejects after `timeoutMs`. */
  waitForCall(match: (call: ModelCall) => boolean, timeoutMs: number): Promise<ModelCall>;
  /** Stops listening, ends open connections and pending delays. */
  close(): Promise<void>;
}

/** Request bodies above this are refused with 413 (a large summarisation prompt is well under it). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
const MAX_DELAY_MS = 120_000;
const MAX_LOGGED_TEXT = 64 * 1024;
const MAX_INPUTS = 2048;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function checkDelay(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_DELAY_MS) {
    throw new RangeError(`chat delay must be 0-${MAX_DELAY_MS} ms, got ${ms}`);
  }
  return ms;
}

function checkDimensions(value: unknown): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > MAX_EMBEDDING_DIMENSIONS
  ) {
    throw new HttpProblem(400, `dimensions must be an integer 1-${MAX_EMBEDDING_DIMENSIONS}`);
  }
  return value;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  // An oversized body is read to its end but not kept, so the client gets the 413 (not a reset).
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) throw new HttpProblem(413, `body over ${MAX_BODY_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpProblem(400, 'body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** OpenAI's error shape, so LiteLLM reports the message. */
function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { message, type: 'invalid_request_error', code: status } });
}

/** Embedding inputs: a string, a list of strings, or token lists (joined as numbers). */
function embeddingInputs(input: unknown): string[] {
  const items = Array.isArray(input) ? (input as unknown[]) : [input];
  if (items.length === 0 || items.length > MAX_INPUTS) {
    throw new HttpProblem(400, `input must hold 1-${MAX_INPUTS} items`);
  }
  return items.map((item) => {
    if (typeof item === 'string') return item;
    if (Array.isArray(item)) return item.map(String).join(' ');
    throw new HttpProblem(400, 'input items must be strings or token lists');
  });
}

/** The text of every chat message (string content or text parts), joined by blank lines. */
function promptText(messages: unknown): string {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new HttpProblem(400, 'messages must be a non-empty list');
  }
  return (messages as unknown[])
    .map((message) => {
      const content = (message as { content?: unknown } | null)?.content;
      if (typeof content === 'string') return content;
      if (Array.isArray(content)) {
        return (content as unknown[])
          .map((part) => (part as { text?: unknown } | null)?.text)
          .filter((text): text is string => typeof text === 'string')
          .join('');
      }
      return '';
    })
    .join('\n\n');
}

/** Start the endpoint on 127.0.0.1. */
export async function startModelEndpoint(
  options: ModelEndpointOptions = {},
): Promise<ModelEndpoint> {
  const defaultDimensions = checkDimensions(options.dimensions ?? 1536);
  const maxLogged = options.maxLoggedCalls ?? 2000;
  let chatDelayMs = checkDelay(options.chatDelayMs ?? 0);
  let chatScript = options.chatScript ?? defaultChatScript;
  const calls: ModelCall[] = [];
  let seq = 0;
  const timers = new Set<{ timer: NodeJS.Timeout; done: () => void }>();

  const log = (call: Omit<ModelCall, 'seq' | 'startedAt'>): ModelCall => {
    const entry: ModelCall = { seq: ++seq, startedAt: Date.now(), ...call };
    calls.push(entry);
    if (calls.length > maxLogged) calls.splice(0, calls.length - maxLogged);
    return entry;
  };

  const sleep = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolveSleep) => {
          const entry = {
            timer: setTimeout(() => {
              timers.delete(entry);
              resolveSleep();
            }, ms),
            done: resolveSleep,
          };
          timers.add(entry);
        });

  const embeddings = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readJson(req);
    const inputs = embeddingInputs(body.input);
    const dimensions =
      body.dimensions === undefined || body.dimensions === null
        ? defaultDimensions
        : checkDimensions(body.dimensions);
    const model = typeof body.model === 'string' ? body.model : 'hash-bow';
    const call = log({ route: 'embeddings', model, input: inputs });
    const base64 = body.encoding_format === 'base64';
    const data = inputs.map((text, index) => {
      const vector = embedText(text, dimensions);
      return { object: 'embedding', index, embedding: base64 ? toBase64Floats(vector) : vector };
    });
    sendJson(res, 200, {
      object: 'list',
      data,
      model,
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
    Object.assign(call, { status: 200, finishedAt: Date.now() });
  };

  const chat = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readJson(req);
    const prompt = promptText(body.messages);
    const model = typeof body.model === 'string' ? body.model : 'unknown';
    const kind = classifyPrompt(prompt);
    const json = (body.response_format as { type?: unknown } | undefined)?.type === 'json_object';
    const call = log({ route: 'chat', kind, model, input: [prompt.slice(0, MAX_LOGGED_TEXT)] });
    const delay = chatDelayMs;
    let reply: ChatScriptReply;
    try {
      reply = await chatScript({ kind, prompt, model, json });
    } catch (error) {
      reply = { status: 500, message: `chat script failed: ${String(error)}` };
    }
    const answer = typeof reply === 'string' ? { content: reply } : reply;
    await sleep(answer.delayMs === undefined ? delay : checkDelay(answer.delayMs));
    if ('status' in answer) {
      sendError(res, answer.status, answer.message);
      Object.assign(call, { status: answer.status, finishedAt: Date.now() });
      return;
    }
    sendJson(res, 200, {
      id: `chatcmpl-loopback-${call.seq}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: answer.content },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    });
    Object.assign(call, { status: 200, finishedAt: Date.now(), reply: answer.content });
  };

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://loopback.invalid').pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    let handler: Promise<void>;
    if (method === 'POST' && path === '/v1/embeddings') handler = embeddings(req, res);
    else if (method === 'POST' && path === '/v1/chat/completions') handler = chat(req, res);
    else if (method === 'GET' && path === '/_harness/calls') {
      sendJson(res, 200, { calls });
      return;
    } else {
      req.resume();
      sendError(res, 404, `no route ${method} ${path || '/'} on the loopback model endpoint`);
      return;
    }
    handler.catch((error: unknown) => {
      const status = error instanceof HttpProblem ? error.status : 500;
      if (!res.headersSent) sendError(res, status, String((error as Error).message ?? error));
      else res.destroy();
    });
  });
  server.maxConnections = 64;
  server.requestTimeout = MAX_DELAY_MS + 30_000;

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    calls,
    chatCalls: (kind) => calls.filter((c) => c.route === 'chat' && (!kind || c.kind === kind)),
    setChatScript(script) {
      chatScript = script ?? defaultChatScript;
    },
    setChatDelay(ms) {
      chatDelayMs = checkDelay(ms);
    },
    clearCalls() {
      calls.length = 0;
    },
    async waitForCall(match, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = calls.find(match);
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(`no matching model call within ${timeoutMs} ms (${calls.length} logged)`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close() {
      for (const entry of timers) {
        clearTimeout(entry.timer);
        entry.done();
      }
      timers.clear();
      return new Promise((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
    },
  };
}
