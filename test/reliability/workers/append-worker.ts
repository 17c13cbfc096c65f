/**
 * One writer process for the concurrent-writers test: `node --import tsx append-worker.ts`, with
 * its job as JSON in the ADK_REDIS_WORKER environment variable.
 *
 * It loads the session through a service of its own, prints `ready`, waits for `go` on stdin,
 * then appends `count` events as fast as it can. On StaleSessionError it reloads the session and
 * appends the same event again (a user's retry). It prints one JSON line with what it got
 * acknowledged, in order, and exits.
 */
import { createInterface } from 'node:readline';
import { createEvent, createEventActions, type Session } from '@google/adk';
import {
  RedisSessionMemoryService,
  StaleSessionError,
  type RedisSessionMemoryServiceConfig,
} from '../../../src/index.js';

export interface WorkerJob {
  worker: number;
  count: number;
  config: RedisSessionMemoryServiceConfig;
  key: { appName: string; userId: string; sessionId: string };
}

export interface WorkerReport {
  worker: number;
  /** Event ids whose append resolved, in the order they resolved. */
  acknowledged: string[];
  /** Appends that threw StaleSessionError (each was reloaded and retried). */
  staleRetries: number;
  /** Any other failures (name: message), each retried after a reload. */
  errors: string[];
}

const MAX_ATTEMPTS_PER_EVENT = 200;

async function main(): Promise<void> {
  const job = JSON.parse(process.env.ADK_REDIS_WORKER ?? '') as WorkerJob;
  const service = new RedisSessionMemoryService(job.config);
  const load = async (): Promise<Session> => {
    const session = await service.getSession(job.key);
    if (!session) throw new Error(`worker ${job.worker}: session not found`);
    return session;
  };
  let session = await load();

  const lines = createInterface({ input: process.stdin });
  const go = new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      if (line.trim() === 'go') resolve();
    });
  });
  process.stdout.write('ready\n');
  await go;
  lines.close();

  const report: WorkerReport = {
    worker: job.worker,
    acknowledged: [],
    staleRetries: 0,
    errors: [],
  };
  for (let i = 0; i < job.count; i++) {
    const event = createEvent({
      invocationId: `worker-${job.worker}`,
      author: 'user',
      content: { role: 'user', parts: [{ text: `worker ${job.worker} event ${i}` }] },
      actions: createEventActions({
        stateDelta: { [`w${job.worker}`]: i, last: `${job.worker}:${i}` },
      }),
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await service.appendEvent({ session, event });
        report.acknowledged.push(event.id);
        break;
      } catch (error) {
        if (error instanceof StaleSessionError) report.staleRetries++;
        else
          report.errors.push(
            error instanceof Error ? `${error.name}: ${error.message}` : 'unknown',
          );
        if (attempt >= MAX_ATTEMPTS_PER_EVENT) break;
        session = await load();
      }
    }
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
