/**
 * Events the bench appends: what an ADK runner stores for a conversation turn, every field kept
 * (the library stores events in full). A user message, then the agent's answer with a state change
 * and usage metadata.
 */
import { createEvent, type Event } from '@google/adk';
import { FinishReason } from '@google/genai';
import { randomUUID } from 'node:crypto';

const USER_TEXT =
  'Find me a flight from Lisbon to Paris next Friday, morning departure, aisle seat.';
const AGENT_TEXT =
  'I found three morning flights from Lisbon to Paris on Friday. The 07:05 TAP flight arrives at ' +
  '10:35 and has aisle seats left; the 08:40 Air France flight is cheaper but only middle seats ' +
  'remain. Shall I hold the 07:05?';

/** Turn `turn`'s event `which` (0 = user, 1 = agent), with a fresh id. */
export function turnEvent(turn: number, which: 0 | 1, invocationId = `inv-${turn}`): Event {
  if (which === 0) {
    return createEvent({
      id: randomUUID(),
      invocationId,
      author: 'user',
      content: { role: 'user', parts: [{ text: `${USER_TEXT} (#${turn})` }] },
    });
  }
  return createEvent({
    id: randomUUID(),
    invocationId,
    author: 'travel_planner',
    content: { role: 'model', parts: [{ text: `${AGENT_TEXT} (#${turn})` }] },
    actions: { stateDelta: { last_turn: turn } },
    usageMetadata: { promptTokenCount: 412, candidatesTokenCount: 61, totalTokenCount: 473 },
    finishReason: FinishReason.STOP,
    turnComplete: true,
  });
}

/** An agent event that also changes user state (`user:` key): one more document written. */
export function userStateEvent(turn: number): Event {
  const event = turnEvent(turn, 1);
  event.actions.stateDelta['user:preferred_seat'] = turn % 2 === 0 ? 'aisle' : 'window';
  return event;
}

/** The n-th event of a conversation (alternating user and agent). */
export const conversationEvent = (n: number): Event =>
  turnEvent(Math.floor(n / 2), (n % 2) as 0 | 1);

/** A plain text event (for the peer workload, which the Python package stores as text only). */
export function textEvent(
  author: string,
  role: 'user' | 'model',
  text: string,
  invocationId: string,
): Event {
  return createEvent({
    id: randomUUID(),
    invocationId,
    author,
    content: { role, parts: [{ text }] },
  });
}
