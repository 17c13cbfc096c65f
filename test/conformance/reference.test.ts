/**
 * Self-check of the suite: a minimal contract-following service must pass every case with no
 * divergences. See reference-service.ts.
 */
import { ReferenceSessionService, ReferenceStorage } from './reference-service.js';
import { runSessionServiceConformance } from './suite.js';

const storage = new ReferenceStorage();

runSessionServiceConformance('reference service (suite self-check)', () => {
  return new ReferenceSessionService(storage);
});
