/** Data several sections share, built once per run: ids, and an app with 100 sessions. */
import type { Session } from '@google/adk';
import type { RedisSessionMemoryService } from './library.js';
import type { BackendKey, BenchEnv } from './env.js';
import { conversationEvent } from './events.js';
import { progress } from './report.js';

/** Distinguishes this run's apps and sessions from any earlier run on the same server. */
export const RUN_ID = Date.now().toString(36);

let counter = 0;
/** A fresh id; ids made together have the same length (for byte-exact substitution). */
export function freshId(prefix: string): string {
  counter += 1;
  return `${prefix}-${RUN_ID}-${String(counter).padStart(6, '0')}`;
}

/** Appends `count` conversation events to a live session. */
export async function appendConversation(
  service: RedisSessionMemoryService,
  session: Session,
  count: number,
  from = session.events.length,
): Promise<void> {
  for (let n = from; n < from + count; n++) {
    await service.appendEvent({ session, event: conversationEvent(n) });
  }
}

/** Runs `fn` over items, `limit` at a time. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const listApps = new Map<BackendKey, Promise<{ appName: string; userId: string }>>();

/** An app whose one user has exactly 100 sessions (each with 2 events). */
export function listFixture(
  env: BenchEnv,
  backend: BackendKey,
): Promise<{ appName: string; userId: string }> {
  let fixture = listApps.get(backend);
  if (!fixture) {
    fixture = (async () => {
      const appName = `bench-list-${RUN_ID}`;
      const userId = 'list-user';
      progress(`${backend}: creating 100 sessions for the listing`);
      const service = env.service(backend, { singleWriter: true });
      const ids = Array.from({ length: 100 }, (_, i) => `list-${String(i).padStart(3, '0')}`);
      await pool(ids, 8, async (sessionId) => {
        const session = await service.createSession({ appName, userId, sessionId });
        await appendConversation(service, session, 2);
      });
      return { appName, userId };
    })();
    listApps.set(backend, fixture);
  }
  return fixture;
}
