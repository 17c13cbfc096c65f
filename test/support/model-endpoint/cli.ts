/**
 * Runs the loopback model endpoint until SIGINT/SIGTERM (the harness starts it this way when AMS
 * must outlive the process that started it): `tsx cli.ts --port N [--dimensions D]
 * [--chat-delay-ms MS]`. Prints `MODEL_ENDPOINT_URL=<base URL>` once listening.
 */
import { parseArgs } from 'node:util';
import { startModelEndpoint } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    dimensions: { type: 'string', default: '1536' },
    'chat-delay-ms': { type: 'string', default: '0' },
  },
});

const endpoint = await startModelEndpoint({
  port: Number(values.port),
  dimensions: Number(values.dimensions),
  chatDelayMs: Number(values['chat-delay-ms']),
});
console.log(`MODEL_ENDPOINT_URL=${endpoint.baseUrl}`);

const stop = (): void => {
  endpoint.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
