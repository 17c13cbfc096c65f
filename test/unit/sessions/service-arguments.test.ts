/** Arguments the session service refuses before any request, with the field at fault named. */
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  InvalidArgumentError,
  RedisSessionMemoryService,
} from '../../../src/index.js';

// Nothing is listening here: a request would fail with a NetworkError, not the errors expected.
const sessions = new RedisSessionMemoryService({
  backend: 'opensource-agent-memory',
  apiBaseUrl: 'http://127.0.0.1:9',
  retry: { maxRetries: 0 },
});

describe('ids', () => {
  it.each([
    ['appName', { appName: 'a\uD800', userId: 'u', sessionId: 's' }],
    ['userId', { appName: 'a', userId: '\uDC00u', sessionId: 's' }],
    ['sessionId', { appName: 'a', userId: 'u', sessionId: 'x\uDBFF' }],
  ])('refuses a lone surrogate in %s (UTF-8 would merge it with U+FFFD)', async (field, key) => {
    const error = await sessions.getSession(key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe(field);
  });

  it('accepts a surrogate pair (an emoji) as an ordinary character', async () => {
    const error = await sessions
      .getSession({ appName: 'a😀', userId: 'u', sessionId: 's' })
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('apiKey', () => {
  it.each(['sk-line\nbreak', 'sk-\u20ac-not-latin1'])(
    'names apiKey (not a client option) for a value no header can carry: %j',
    (apiKey) => {
      const error = (() => {
        try {
          return new RedisSessionMemoryService({ backend: 'opensource-agent-memory', apiKey });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).field).toBe('apiKey');
      expect(String((error as Error).message)).not.toContain(apiKey);
    },
  );
});
