/**
 * What the loopback chat endpoint answers. AMS 0.15.2 sends every LLM task as one user message
 * whose text is a fixed prompt template; `classifyPrompt` tells the templates apart, and the default
 * script answers each one with something derived from the text it was given, so tests can predict
 * the result without a model.
 */
import { wordsOf } from './embeddings.js';

/** The AMS task a chat prompt belongs to (from its template). */
export type PromptKind =
  'extraction' | 'summarization' | 'merge' | 'topics' | 'entities' | 'query-optimization' | 'other';

/** What a script sees of one chat-completions request. */
export interface ChatScriptInput {
  kind: PromptKind;
  /** The text of every message, joined by blank lines. */
  prompt: string;
  /** The `model` field of the request (LiteLLM strips the provider prefix). */
  model: string;
  /** True when the request asked for `response_format: {"type": "json_object"}`. */
  json: boolean;
}

/**
 * A script's answer: the assistant message text, optionally with a delay of its own (instead of
 * the endpoint's), or an HTTP error the endpoint returns instead of a completion.
 */
export type ChatScriptReply =
  | string
  | { content: string; delayMs?: number }
  | { status: number; message: string; delayMs?: number };

export type ChatScript = (input: ChatScriptInput) => ChatScriptReply | Promise<ChatScriptReply>;

const MARKERS: ReadonlyArray<[PromptKind, (prompt: string) => boolean]> = [
  ['extraction', (p) => p.includes('You are a long-memory manager')],
  ['summarization', (p) => p.includes('You are a precise summarization assistant')],
  ['merge', (p) => p.includes('You are a memory merging assistant')],
  ['entities', (p) => p.startsWith('Extract named entities')],
  ['topics', (p) => /^Extract the top \d+ topics/.test(p)],
  ['query-optimization', (p) => p.includes('Transform this natural language query')],
];

/** Which AMS 0.15.2 prompt template `prompt` was built from. */
export function classifyPrompt(prompt: string): PromptKind {
  const trimmed = prompt.trimStart();
  for (const [kind, matches] of MARKERS) if (matches(trimmed)) return kind;
  return 'other';
}

/**
 * The part of a template AMS filled in: the text after the first `start` (looked for after `after`,
 * when given) up to the last `end`, trimmed; '' when `start` is missing. First-start/last-end keeps
 * user text that happens to contain a marker inside the result.
 */
function between(text: string, start: string, end: string, after = ''): string {
  const afterAt = after === '' ? 0 : text.indexOf(after);
  const from = text.indexOf(start, Math.max(afterAt, 0));
  if (afterAt < 0 || from < 0) return '';
  const rest = text.slice(from + start.length);
  const to = rest.lastIndexOf(end);
  return (to < 0 ? rest : rest.slice(0, to)).trim();
}

/** One conversation turn of the extraction prompt (`[ROLE]: text`, continuation lines joined). */
export interface PromptTurn {
  role: string;
  text: string;
}

/** The turns AMS put into a discrete-extraction prompt, in order. */
export function extractionTurns(prompt: string): PromptTurn[] {
  const conversation = between(prompt, '\n    Message:\n', '\n    STEP-BY-STEP PROCESS:');
  const turns: PromptTurn[] = [];
  for (const line of conversation.split('\n')) {
    const match = /^\s*\[([A-Z_ -]+)\]: ?(.*)$/.exec(line);
    if (match) turns.push({ role: match[1]!.toLowerCase(), text: match[2]! });
    else if (turns.length > 0) turns[turns.length - 1]!.text += `\n${line}`;
  }
  return turns.map((turn) => ({ role: turn.role, text: turn.text.trim() }));
}

/** The `role: content` lines AMS put into a summarisation prompt (newest last). */
export function summarizationLines(prompt: string): string[] {
  // The template's worked example has the same headings; the real ones follow `END OF EXAMPLE`.
  return between(prompt, 'New lines of conversation:\n', '\n\nNew summary:', 'END OF EXAMPLE')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

function firstWords(text: string, count: number): string {
  return wordsOf(text).slice(0, count).join(' ');
}

/**
 * The default script:
 * - extraction: one semantic memory per user turn, its text the turn's text, topic `conversation`;
 * - summarization: `Summary of N messages: <first words of each line>`;
 * - merge: the distinct memory texts joined by `; `;
 * - topics / entities: the first three long words / the capitalised words of the text;
 * - query optimisation: the query unchanged; anything else: `ok`.
 */
export const defaultChatScript: ChatScript = ({ kind, prompt }) => {
  switch (kind) {
    case 'extraction': {
      const memories = extractionTurns(prompt)
        .filter((turn) => turn.role === 'user' && turn.text !== '')
        .map((turn) => ({
          type: 'semantic',
          text: turn.text,
          topics: ['conversation'],
          entities: ['User'],
          event_date: null,
        }));
      return JSON.stringify({ memories });
    }
    case 'summarization': {
      const lines = summarizationLines(prompt);
      return `Summary of ${lines.length} messages: ${lines.map((l) => firstWords(l, 6)).join('; ')}`;
    }
    case 'merge': {
      const texts = between(prompt, 'The memories:\n', '\n    The merged memory:')
        .split('\n')
        .map((line) => line.replace(/^\s*\d+: /, '').trim())
        .filter((line) => line !== '');
      return [...new Set(texts)].join('; ');
    }
    case 'topics': {
      const text = between(prompt, 'Text:\n', '\n\nReturn a JSON object');
      return JSON.stringify({
        topics: wordsOf(text)
          .filter((w) => w.length > 4)
          .slice(0, 3),
      });
    }
    case 'entities': {
      const text = between(prompt, 'Text:\n', '\n\nReturn a JSON object');
      return JSON.stringify({ entities: [...new Set(text.match(/\b[A-Z][a-z]+\b/g) ?? [])] });
    }
    case 'query-optimization':
      return between(prompt, 'Original query: ', '\n\nOptimized query:');
    case 'other':
      return 'ok';
  }
};
