/**
 * `npm run fake:ram [-- --port N --api-key K --store-id S --no-auth --existing-id reject|keep|replace
 * --missing-on-delete error|skip --fields-mismatch conflict|not-found]`: runs the fake Redis Agent
 * Memory server until SIGINT/SIGTERM, printing what a client needs as `NAME=value` lines.
 */
import { parseArgs } from 'node:util';
import { startFakeRedisAgentMemory, type LongTermMemoryOptions } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'api-key': { type: 'string' },
    'store-id': { type: 'string' },
    'no-auth': { type: 'boolean' },
    'existing-id': { type: 'string' },
    'missing-on-delete': { type: 'string' },
    'fields-mismatch': { type: 'string' },
  },
});

const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be 0-65535, got ${values.port}`);
  process.exit(2);
}

const fake = await startFakeRedisAgentMemory({
  port,
  ...(values['api-key'] === undefined ? {} : { apiKey: values['api-key'] }),
  ...(values['store-id'] === undefined ? {} : { storeId: values['store-id'] }),
  authDisabled: values['no-auth'] ?? false,
  // Unknown values are refused by the fake itself, with the allowed ones in the message.
  longTermMemory: {
    existingId: values['existing-id'] as LongTermMemoryOptions['existingId'],
    missingOnDelete: values['missing-on-delete'] as LongTermMemoryOptions['missingOnDelete'],
    fieldsScopeMismatch: values['fields-mismatch'] as LongTermMemoryOptions['fieldsScopeMismatch'],
  },
});
console.log(`RAM_BASE_URL=${fake.baseUrl}`);
console.log(`RAM_API_KEY=${fake.apiKey}`);
console.log(`RAM_STORE_ID=${fake.storeId}`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  if (fake.violations.length > 0) {
    console.error(`contract violations:\n${fake.violations.join('\n')}`);
  }
  fake.stop().then(
    () => process.exit(fake.violations.length > 0 ? 1 : 0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
