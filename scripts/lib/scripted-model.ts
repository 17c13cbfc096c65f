/**
 * An offline model for demos and tests: replays scripted responses (text or function calls) in
 * order and records every request, so agents run without an API key and tests can check what the
 * model was sent.
 */
import { BaseLlm, type BaseLlmConnection, type LlmRequest, type LlmResponse } from '@google/adk';
import type { Content, FunctionCall } from '@google/genai';

/** One scripted answer: text, function calls, or a function of the request. */
export type ScriptedReply =
  { text: string } | { functionCalls: FunctionCall[] } | ((request: LlmRequest) => LlmResponse);

/** What a request looked like, captured when it was made (requests are mutated later). */
export interface RecordedModelRequest {
  contents: Content[];
  systemInstruction?: unknown;
}

export class ScriptedModel extends BaseLlm {
  readonly requests: RecordedModelRequest[] = [];
  private readonly replies: ScriptedReply[];

  constructor(replies: ScriptedReply[], model = 'scripted-model') {
    super({ model });
    this.replies = [...replies];
  }

  /** Adds replies for later turns (for example after a simulated restart). */
  script(...replies: ScriptedReply[]): void {
    this.replies.push(...replies);
  }

  override async *generateContentAsync(request: LlmRequest): AsyncGenerator<LlmResponse, void> {
    this.requests.push({
      contents: JSON.parse(JSON.stringify(request.contents ?? [])) as Content[],
      systemInstruction: request.config?.systemInstruction,
    });
    const reply = this.replies.shift();
    if (!reply) throw new Error('ScriptedModel: the script has no reply left for this request');
    await Promise.resolve();
    if (typeof reply === 'function') {
      yield reply(request);
    } else if ('text' in reply) {
      yield { content: { role: 'model', parts: [{ text: reply.text }] }, turnComplete: true };
    } else {
      yield {
        content: {
          role: 'model',
          parts: reply.functionCalls.map((functionCall) => ({ functionCall })),
        },
        turnComplete: true,
      };
    }
  }

  override connect(): Promise<BaseLlmConnection> {
    return Promise.reject(new Error('ScriptedModel has no live mode'));
  }
}
