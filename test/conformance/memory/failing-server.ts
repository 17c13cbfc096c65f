/**
 * A loopback HTTP server that answers every request with one error status, echoing the request's
 * credentials in its problem body (as a careless server or proxy might), and counts requests.
 * The error cases point a backend's service at it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FailingServer {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** Requests received so far. */
  readonly requests: number;
  stop(): Promise<void>;
}

export async function startFailingServer(status: number): Promise<FailingServer> {
  let requests = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    req.resume();
    req.on('end', () => {
      const credentials = [req.headers.authorization, req.headers['x-api-key']]
        .filter(Boolean)
        .join(' ');
      const body = JSON.stringify({
        type: status === 401 ? '/errors/unauthorized' : '/errors/internal',
        title: status === 401 ? 'Unauthorized' : 'Internal Server Error',
        status,
        detail: `request with credentials ${credentials} failed`,
      });
      res.writeHead(status, { 'content-type': 'application/problem+json' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
