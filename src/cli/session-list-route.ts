/**
 * A fix for the dev UI of `@google/adk-devtools` 2.0.0: its server answers the session list with
 * ADK's `ListSessionsResponse` object (`{sessions, page, ...}`), but the dev UI it ships reads the
 * answer as an array of sessions, so it lists none, whatever the session service. For `web`, the
 * CLI answers that route first, with the array (the shape ADK's Python server sends and
 * `AdkApiClient` also reads). `api_server` keeps ADK's own answer.
 */
import type { BaseSessionService } from '@google/adk';

const ROUTE = '/apps/:appName/users/:userId/sessions';

interface Request {
  params: Record<string, string>;
}
interface Response {
  json(body: unknown): void;
  status(code: number): Response;
}
/** The part of the express application the route needs (`AdkApiServer.app`). */
export interface RouteRegistrar {
  get(path: string, handler: (req: Request, res: Response) => void): unknown;
}

/** Registers the array-shaped session list on `app`; call it before the server starts. */
export function serveSessionListAsArray(app: RouteRegistrar, sessions: BaseSessionService): void {
  app.get(ROUTE, (req, res) => {
    const { appName = '', userId = '' } = req.params;
    sessions.listSessions({ appName, userId }).then(
      (list) => res.json(list.sessions),
      (error: unknown) => {
        // The same answer ADK's own route gives when listing fails.
        res.status(500).json({ error: `Failed to list sessions: ${String(error)}` });
      },
    );
  });
}
