/**
 * `npm run demo`: starts a real Agent Memory Server (installing it the first time), writes a
 * conversation into working memory through the typed client, reads it back, and stops the server.
 * Set AMS_BASE_URL to use a server you already run.
 */
import { startMemoryServer } from './lib/memory-server.js';
import { createAgentMemoryServerClient, unwrap } from '../src/index.js';

async function main(): Promise<void> {
  const external = process.env.AMS_BASE_URL;
  const server = external
    ? undefined
    : await startMemoryServer({ log: (line) => console.log(`  … ${line}`) });
  const baseUrl = external ?? server!.baseUrl;
  try {
    const ams = createAgentMemoryServerClient({ baseUrl, token: process.env.AMS_TOKEN });
    const scope = { namespace: 'demo-app', user_id: 'demo-user' };
    const sessionId = `demo-${Date.now()}`;
    console.log(`\nWriting session ${sessionId} to ${baseUrl}`);
    await unwrap(
      ams.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: sessionId } },
        body: {
          ...scope,
          messages: [
            {
              role: 'user',
              content: 'My favourite colour is teal.',
              created_at: new Date().toISOString(),
            },
            { role: 'assistant', content: 'Noted: teal.', created_at: new Date().toISOString() },
          ],
          data: { favouriteColour: 'teal' },
        },
      }),
    );
    const memory = await unwrap(
      ams.GET('/v1/working-memory/{session_id}', {
        params: { path: { session_id: sessionId }, query: scope },
      }),
    );
    console.log('Read back:');
    for (const message of memory.messages ?? [])
      console.log(`  ${message.role}: ${message.content}`);
    console.log(`  data: ${JSON.stringify(memory.data)}`);
    await unwrap(
      ams.DELETE('/v1/working-memory/{session_id}', {
        params: { path: { session_id: sessionId }, query: scope },
      }),
    );
    console.log('Deleted the demo session.');
  } finally {
    await server?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
