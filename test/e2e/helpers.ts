/** Small helpers shared by the end-to-end scenarios. */
import type { Event } from '@google/adk';
import type { Content, Part } from '@google/genai';

/** Drains an async generator of events (a Runner run) into an array. */
export async function collect(run: AsyncGenerator<Event, void, undefined>): Promise<Event[]> {
  const events: Event[] = [];
  for await (const event of run) events.push(event);
  return events;
}

/** A user message. */
export function userMessage(text: string): Content {
  return { role: 'user', parts: [{ text }] };
}

/** JSON round trip: what a value looks like once stored and read back. */
export function normalised<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A part reduced to what the conversation says (ADK-generated call ids dropped). */
export type PlainPart =
  | { text: string }
  | { functionCall: { name: string | undefined; args: unknown } }
  | { functionResponse: { name: string | undefined; response: unknown } }
  | { other: string[] };

export function plainPart(part: Part): PlainPart {
  if (part.text !== undefined) return { text: part.text };
  if (part.functionCall) {
    return { functionCall: { name: part.functionCall.name, args: part.functionCall.args } };
  }
  if (part.functionResponse) {
    return {
      functionResponse: {
        name: part.functionResponse.name,
        response: part.functionResponse.response,
      },
    };
  }
  return { other: Object.keys(part).sort() };
}

/** Contents reduced to role and plain parts, for comparing what a model was sent. */
export function plainContents(
  contents: readonly Content[],
): Array<{ role: string | undefined; parts: PlainPart[] }> {
  return contents.map((content) => ({
    role: content.role,
    parts: (content.parts ?? []).map(plainPart),
  }));
}

/** The keys of a state object that start with a prefix. */
export function keysWithPrefix(state: Record<string, unknown>, prefix: string): string[] {
  return Object.keys(state).filter((key) => key.startsWith(prefix));
}
