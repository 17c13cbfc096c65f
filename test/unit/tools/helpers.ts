/** Helpers of the memory tool tests: a tool context for a user, and calling a tool. */
import type { BaseTool, Context, Session } from '@google/adk';

/** The smallest tool context the memory tools read: the session's app and user. */
export function contextFor(userId: string, appName = 'travel', sessionId = `s-${userId}`): Context {
  const session: Session = {
    id: sessionId,
    appName,
    userId,
    state: {},
    events: [],
    lastUpdateTime: 0,
  };
  return { invocationContext: { session } } as unknown as Context;
}

/** Calls a tool as the model would, and returns what the model would get. */
export async function call(
  tool: BaseTool,
  args: Record<string, unknown>,
  context: Context,
): Promise<Record<string, unknown>> {
  return (await tool.runAsync({ args, toolContext: context })) as Record<string, unknown>;
}

/** The tool of that name in a list. */
export function named(tools: readonly BaseTool[], name: string): BaseTool {
  const tool = tools.find((candidate) => candidate.name === name);
  if (!tool) throw new Error(`no tool named ${name}`);
  return tool;
}
