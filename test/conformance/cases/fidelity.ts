/**
 * Fidelity: every field of an appended event comes back deep-equal (after JSON normalisation) to
 * the live session's copy, in append order, including events with no text at all.
 */
import {
  AuthCredentialTypes,
  ToolConfirmation,
  createEvent,
  type CompactedEvent,
  type Event,
} from '@google/adk';
import { expect } from 'vitest';
import { baseTime, defineCases, json, keyOf, mustGet, stateEvent } from '../harness.js';

type Part = NonNullable<NonNullable<Event['content']>['parts']>[number];
type FinishReason = NonNullable<Event['finishReason']>;
type Language = NonNullable<NonNullable<Part['executableCode']>['language']>;
type Outcome = NonNullable<NonNullable<Part['codeExecutionResult']>['outcome']>;
type UsageMetadata = NonNullable<Event['usageMetadata']>;
type Modality = NonNullable<NonNullable<UsageMetadata['promptTokensDetails']>[number]['modality']>;

/** Bytes that are not valid UTF-8, so a text-only store would corrupt them. */
const BINARY = Buffer.from([0, 1, 2, 127, 128, 200, 254, 255, 0x89, 0x50, 0x4e, 0x47]).toString(
  'base64',
);

/** One part of every kind. */
function everyPart(): Part[] {
  return [
    { text: '  Leading and trailing spaces, tabs\t, CRLF\r\n, ünïcödé 😀, RTL שלום  ' },
    { text: 'Thinking about it…', thought: true, thoughtSignature: BINARY },
    {
      functionCall: {
        id: 'call-1',
        name: 'lookup_weather',
        args: { city: 'Zürich', days: 3, opts: { metric: true, tags: ['a', null] } },
      },
    },
    {
      functionResponse: {
        id: 'call-1',
        name: 'lookup_weather',
        response: { forecast: [{ day: 1, tempC: -2.5 }], error: null },
      },
    },
    { inlineData: { mimeType: 'image/png', data: BINARY, displayName: 'pixel.png' } },
    {
      fileData: {
        mimeType: 'application/pdf',
        fileUri: 'gs://bucket/report.pdf',
        displayName: 'report.pdf',
      },
    },
    { executableCode: { code: 'print(1 + 1)\n', language: 'PYTHON' as Language } },
    { codeExecutionResult: { outcome: 'OUTCOME_OK' as Outcome, output: '2\n' } },
    { text: 'with metadata', partMetadata: { source: 'test', n: 1 } },
    {
      videoMetadata: { startOffset: '1s', endOffset: '2.5s', fps: 2 },
      fileData: { fileUri: 'gs://b/v.mp4', mimeType: 'video/mp4' },
    },
  ];
}

/** An event that sets every field ADK 2 defines on events, actions and compaction. */
function everyFieldEvent(timestamp: number): CompactedEvent {
  const event = createEvent({
    invocationId: 'inv-fidelity',
    author: 'fidelity_agent',
    branch: 'root_agent.fidelity_agent',
    timestamp,
    partial: false,
    turnComplete: true,
    interrupted: false,
    errorCode: 'MALFORMED_FUNCTION_CALL',
    errorMessage: 'The model produced a malformed call (test value).',
    finishReason: 'STOP' as FinishReason,
    longRunningToolIds: ['call-1', 'call-2'],
    customMetadata: { trace: { id: 'abc', spans: [1, 2, 3] }, 'key with space': null },
    usageMetadata: {
      promptTokenCount: 120,
      candidatesTokenCount: 30,
      thoughtsTokenCount: 12,
      totalTokenCount: 162,
      promptTokensDetails: [{ modality: 'TEXT' as Modality, tokenCount: 120 }],
    },
    groundingMetadata: {
      webSearchQueries: ['weather zurich'],
      groundingChunks: [{ web: { uri: 'https://example.com/w', title: 'Weather' } }],
      groundingSupports: [
        {
          segment: { startIndex: 0, endIndex: 10, text: 'Leading an' },
          groundingChunkIndices: [0],
          confidenceScores: [0.875],
        },
      ],
      searchEntryPoint: { renderedContent: '<div>search</div>' },
    },
    citationMetadata: {
      citations: [
        {
          startIndex: 1,
          endIndex: 9,
          uri: 'https://example.com/c',
          title: 'Cited',
          license: 'CC-BY-4.0',
          publicationDate: { year: 2024, month: 2, day: 29 },
        },
      ],
    },
    inputTranscription: { text: 'what is the weather', finished: true },
    outputTranscription: { text: 'it is cold', finished: false },
    interactionId: 'interaction-1',
    modelVersion: 'scripted-001',
    liveSessionId: 'live-1',
    isolationScope: 'scope-a',
    output: { result: [1, 'two', { three: 3 }], ok: true, nothing: null },
    route: ['left', 2, true],
    nodeInfo: { path: 'wf.child.0', outputFor: ['wf.child.0', 'wf'], messageAsOutput: true },
    content: { role: 'model', parts: everyPart() },
    actions: {
      stateDelta: { plain: 'v', 'app:shared': 1, 'user:pref': { x: [1] }, 'temp:gone': true },
      artifactDelta: { 'report.pdf': 2, 'image.png': 0 },
      transferToAgent: 'other_agent',
      escalate: true,
      skipSummarization: true,
      requestedAuthConfigs: {
        'call-2': {
          credentialKey: 'cred-key-1',
          authScheme: {
            type: 'oauth2',
            flows: {
              authorizationCode: {
                authorizationUrl: 'https://auth.example.com/authorize',
                tokenUrl: 'https://auth.example.com/token',
                scopes: { read: 'Read access' },
              },
            },
          },
          rawAuthCredential: {
            authType: AuthCredentialTypes.OAUTH2,
            oauth2: { clientId: 'fake-client-id', redirectUri: 'https://app.example.com/cb' },
          },
        },
      },
      requestedToolConfirmations: {
        'call-1': new ToolConfirmation({
          hint: 'Confirm the lookup?',
          confirmed: false,
          payload: { budget: 3 },
        }),
      },
      agentState: { step: 2, visited: ['a', 'b'], nested: { ok: true } },
      endOfAgent: true,
    },
  });
  return {
    ...event,
    isCompacted: true,
    startTime: timestamp - 60_000,
    endTime: timestamp - 1,
    compactedContent: 'Summary of the earlier turns.',
    isScratchpad: false,
  };
}

/** A realistic mixed sequence, with equal and sub-second timestamps. */
function sequence(t: number): Event[] {
  const compacted: CompactedEvent = {
    ...createEvent({ invocationId: 'inv-1', author: 'user', timestamp: t + 1 }),
    isCompacted: true,
    startTime: t - 10_000,
    endTime: t,
    compactedContent: 'Earlier: the user asked about the weather.',
  };
  return [
    createEvent({
      invocationId: 'inv-1',
      author: 'user',
      timestamp: t,
      content: { role: 'user', parts: [{ text: 'Weather in Zürich?' }, { text: 'And Bern.' }] },
    }),
    compacted,
    createEvent({
      invocationId: 'inv-1',
      author: 'agent',
      timestamp: t + 1,
      content: {
        role: 'model',
        parts: [{ functionCall: { id: 'c1', name: 'weather', args: { city: 'Zürich' } } }],
      },
    }),
    createEvent({
      invocationId: 'inv-1',
      author: 'agent',
      timestamp: t + 250,
      content: {
        role: 'user',
        parts: [{ functionResponse: { id: 'c1', name: 'weather', response: { tempC: 3 } } }],
      },
      actions: { stateDelta: { lastCity: 'Zürich' } },
    }),
    createEvent({
      invocationId: 'inv-1',
      author: 'agent',
      timestamp: t + 999,
      branch: 'root.agent',
      content: { role: 'model', parts: [{ text: 'It is 3 °C.' }] },
      turnComplete: true,
      finishReason: 'STOP' as FinishReason,
    }),
    createEvent({
      invocationId: 'inv-2',
      author: 'workflow',
      timestamp: t + 1000,
      output: { verdict: 'cold' },
      route: 'cold',
      nodeInfo: { path: 'wf.classify' },
      actions: { endOfAgent: true, agentState: { done: true } },
    }),
    createEvent({
      invocationId: 'inv-2',
      author: 'agent',
      timestamp: t + 1000,
      actions: { transferToAgent: 'helper', escalate: false },
    }),
  ];
}

export const fidelityCases = defineCases('fidelity', {
  'every-field': {
    title: 'an event carrying every field reads back deep-equal to the live copy',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId });
      const event = everyFieldEvent(baseTime() + 123);
      await service.appendEvent({ session, event });
      // The temp: key is trimmed; every other field is what the live session holds.
      expect(event.actions.stateDelta).not.toHaveProperty('temp:gone');
      const live = json(session.events);
      expect(live).toHaveLength(1);
      for (const reader of [service, await another()]) {
        const stored = await mustGet(reader, keyOf(session));
        expect(json(stored.events)).toEqual(live);
        expect(stored.events[0]?.timestamp).toBe(event.timestamp);
      }
    },
  },
  'sequence-in-order': {
    title: 'a mixed sequence (ties, sub-second times, compaction, workflow) reads back in order',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId });
      const t = baseTime();
      const events = [...sequence(t), everyFieldEvent(t + 1500), ...sequence(t + 2000)];
      for (const event of events) {
        await service.appendEvent({ session, event });
      }
      const stored = await mustGet(await another(), keyOf(session));
      expect(stored.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(json(stored.events)).toEqual(json(session.events));
      expect(stored.lastUpdateTime).toBe(t + 3000);
    },
  },
  'events-without-text': {
    title: 'events with no text (tool call, tool result, data, empty, state-only) lose nothing',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId });
      const t = baseTime();
      const events = [
        createEvent({
          invocationId: 'i',
          author: 'agent',
          timestamp: t,
          content: { role: 'model', parts: [{ functionCall: { name: 'noop', args: {} } }] },
        }),
        createEvent({
          invocationId: 'i',
          author: 'agent',
          timestamp: t + 1,
          content: {
            role: 'user',
            parts: [{ functionResponse: { name: 'noop', response: {} } }],
          },
        }),
        createEvent({
          invocationId: 'i',
          author: 'agent',
          timestamp: t + 2,
          content: {
            role: 'model',
            parts: [{ inlineData: { mimeType: 'audio/wav', data: BINARY } }],
          },
        }),
        createEvent({
          invocationId: 'i',
          author: 'agent',
          timestamp: t + 3,
          content: { role: 'model', parts: [{ text: '' }] },
        }),
        createEvent({
          invocationId: 'i',
          author: 'agent',
          timestamp: t + 4,
          content: { role: 'model', parts: [] },
        }),
        stateEvent({ counter: 1, 'app:seen': true }, t + 5),
        createEvent({ invocationId: 'i', author: 'agent', timestamp: t + 6 }),
      ];
      for (const event of events) {
        await service.appendEvent({ session, event });
      }
      const stored = await mustGet(service, keyOf(session));
      expect(json(stored.events)).toEqual(json(session.events));
      expect(stored.state['counter']).toBe(1);
    },
  },
  'large-text': {
    title: 'a long multi-line unicode text survives exactly',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId });
      const text = Array.from(
        { length: 400 },
        (_, i) => `line ${i}: ünï 😀 "quoted" \\ <tag>`,
      ).join('\n');
      const event = createEvent({
        invocationId: 'i',
        author: 'user',
        timestamp: baseTime(),
        content: { role: 'user', parts: [{ text }] },
      });
      await service.appendEvent({ session, event });
      const stored = await mustGet(service, keyOf(session));
      expect(stored.events[0]?.content?.parts?.[0]?.text).toBe(text);
      expect(json(stored.events)).toEqual(json(session.events));
    },
  },
});
