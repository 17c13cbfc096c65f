/**
 * What an ADK event says, as both backends keep conversation records: its visible text and the
 * speaker's role, and an event rebuilt from a record that holds only text.
 */
import { createEventActions, type Event } from '@google/adk';

/** The role of a conversation record. */
export type ConversationRole = 'user' | 'assistant' | 'system';

/**
 * The event's visible text: its non-thought text parts joined by a space (as the Python
 * adk-redis does), or `''` when there is none or it is blank.
 */
export function visibleText(event: Event): string {
  const parts = event.content?.parts ?? [];
  const texts: string[] = [];
  for (const part of parts) {
    if (typeof part.text === 'string' && part.text !== '' && part.thought !== true) {
      texts.push(part.text);
    }
  }
  const text = texts.join(' ');
  return text.trim() === '' ? '' : text;
}

/** Who spoke: `user` for the user's events, `system` for system content, else `assistant`. */
export function conversationRole(event: Event): ConversationRole {
  const contentRole = event.content?.role;
  if (event.author === 'user' || contentRole === 'user') return 'user';
  if (contentRole === 'system') return 'system';
  return 'assistant';
}

/**
 * An ADK text event for a conversation record another writer stored (for example the Python
 * adk-redis, which stores only text): the user's records are authored by `user`, others by the app.
 */
export function textEvent(record: {
  id: string;
  role: string;
  text: string;
  timestamp: number;
  appName: string;
}): Event {
  const isUser = record.role.toLowerCase() === 'user';
  return {
    id: record.id,
    invocationId: '',
    author: isUser ? 'user' : record.appName,
    content: { role: isUser ? 'user' : 'model', parts: [{ text: record.text }] },
    actions: createEventActions(),
    timestamp: record.timestamp,
  };
}
