/**
 * ADK's own InMemorySessionService against our contract. It is the reference for list arithmetic
 * and most basics; where ADK's behaviour differs from our decisions, the case is declared here
 * (and must keep failing, or `it.fails` reports it).
 */
import { InMemorySessionService } from '@google/adk';
import { runSessionServiceConformance } from './suite.js';

// One instance for every factory() call: "a second process" must see the same storage.
const shared = new InMemorySessionService();

runSessionServiceConformance('ADK InMemorySessionService', () => shared, {
  divergences: {
    'create.given-id-trimmed': 'uses the session id exactly as given; it does not trim it',
    'create.blank-id-generates':
      'only an empty id generates a UUID (`sessionId || randomUUID()`); a whitespace-only id is used as is',
    'create.duplicate-id-throws': 'overwrites the existing session instead of throwing',
    'get.num-recent-events-zero': 'numRecentEvents 0 is falsy, so it returns every event',
    'initial-state.app-user-promoted':
      'keeps app:/user: keys of the initial state local to the new session; only appendEvent promotes',
    'append.partial-no-scope-or-time-change':
      'sets lastUpdateTime and applies app:/user: keys of a partial event (its appendEvent goes on after the base returns early)',
    'append.unknown-session-throws':
      'logs a warning and returns the event when the session is not stored',
    'append.deleted-session-throws':
      'logs a warning and returns the event when the session is not stored',
    'stale.same-service': 'has no stale-copy detection: the last writer wins silently',
    'stale.two-services': 'has no stale-copy detection: the last writer wins silently',
    'stale.concurrent': 'has no stale-copy detection: both concurrent appends succeed',
  },
});
