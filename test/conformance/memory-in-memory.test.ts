/**
 * ADK's own InMemoryMemoryService through the memory conformance suite, to prove the suite: the
 * cases it passes are those its two methods can pass, and every other case is declared here (and
 * must keep failing, or `it.fails` reports it).
 */
import { InMemoryMemoryService } from '@google/adk';
import { runMemoryServiceConformance } from './memory/suite.js';

// One instance for every factory() call: "a second process" must see the same storage.
const shared = new InMemoryMemoryService();

const NO_EXTENDED_API =
  'has only addSessionToMemory and searchMemory (no addEventsToMemory, addMemory, search, get, update or delete)';
const NO_CONFIGURATION = 'takes no configuration (no searchTopK, threshold, endpoint or API key)';

runMemoryServiceConformance(
  'ADK InMemoryMemoryService',
  (config) => {
    if (config) throw new Error(NO_CONFIGURATION);
    return shared;
  },
  {
    divergences: {
      'isolation.colliding-namespaces-explicit': NO_EXTENDED_API,
      'isolation.by-id-other-user': NO_EXTENDED_API,
      'isolation.delete-all-scoped': NO_EXTENDED_API,
      'ingestion.events-delta': NO_EXTENDED_API,
      'ingestion.message-records': NO_EXTENDED_API,
      'ingestion.no-text-extended': NO_EXTENDED_API,
      'ingestion.large-session-count': NO_EXTENDED_API,
      'explicit.add-and-find': NO_EXTENDED_API,
      'explicit.type-and-topics': NO_EXTENDED_API,
      'explicit.repeated': NO_EXTENDED_API,
      'explicit.same-text-other-tenant': NO_EXTENDED_API,
      'explicit.empty-text-refused': NO_EXTENDED_API,
      'search.ranked-with-scores': NO_EXTENDED_API,
      'search.limit': NO_EXTENDED_API,
      'search.limit-out-of-range': NO_EXTENDED_API,
      'search.filters': NO_EXTENDED_API,
      'search.filters-match-nothing': NO_EXTENDED_API,
      'crud.get': NO_EXTENDED_API,
      'crud.update': NO_EXTENDED_API,
      'crud.update-missing': NO_EXTENDED_API,
      'crud.delete': NO_EXTENDED_API,
      'crud.delete-by-ids': NO_EXTENDED_API,
      'crud.delete-by-session': NO_EXTENDED_API,
      'crud.delete-all': NO_EXTENDED_API,
      'hostile.separator-collisions-explicit': NO_EXTENDED_API,
      'hostile.texts-explicit': NO_EXTENDED_API,
      'hostile.session-ids': NO_EXTENDED_API,
      'ingestion.store-events-disabled': NO_CONFIGURATION,
      'search.configured-top-k': NO_CONFIGURATION,
      'search.threshold': NO_CONFIGURATION,
      'errors.unauthorized-no-secret': NO_CONFIGURATION,
      'errors.server-error-no-secret': NO_CONFIGURATION,
      'errors.invalid-tenant': NO_CONFIGURATION,
      'errors.invalid-input-not-sent': NO_CONFIGURATION,
      'search.closest-first':
        'no ranking: returns every event sharing a word with the query, in storage order',
      'search.default-top-k': 'no top-k: returns every event sharing a word with the query',
      'hostile.separator-collisions':
        'keys memories by `${appName}/${userId}`, so app `a/b` user `c` and app `a` user `b/c` share them',
      'errors.invalid-tenant-base-api':
        'accepts an empty appName or userId (searchMemory answers with no memories)',
    },
  },
);
