/**
 * Self-check of the memory suite: a minimal contract-following service must pass every case with
 * no divergences. See memory/reference-service.ts.
 */
import { ReferenceMemoryService, ReferenceMemoryStorage } from './memory/reference-service.js';
import { runMemoryServiceConformance } from './memory/suite.js';

const storage = new ReferenceMemoryStorage();

runMemoryServiceConformance(
  'reference memory service (suite self-check)',
  (config) => new ReferenceMemoryService(storage, config),
);
