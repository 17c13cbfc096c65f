/**
 * A loopback HTTP reverse proxy that counts requests (by method and route) and the client
 * connections it accepts, for counting what a client in another process (the Python package)
 * sends. Requests are forwarded unchanged over keep-alive connections.
 */
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { routeOf } from './recording-fetch.js';

export interface HttpCountingProxy {
  baseUrl: string;
  readonly requests: number;
  readonly connections: number;
  /** Requests per "METHOD /route/{id}". */
  readonly routes: ReadonlyMap<string, number>;
  reset(): void;
  stop(): Promise<void>;
}

export async function startHttpCountingProxy(targetBaseUrl: string): Promise<HttpCountingProxy> {
  const target = new URL(targetBaseUrl);
  const agent = new Agent({ keepAlive: true });
  let requests = 0;
  let connections = 0;
  let routes = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createServer((incoming, outgoing) => {
    requests += 1;
    const route = routeOf({
      method: incoming.method ?? 'GET',
      url: `http://x${incoming.url ?? '/'}`,
    });
    routes.set(route, (routes.get(route) ?? 0) + 1);
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: Number(target.port),
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, host: target.host },
        agent,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', (error) => {
      outgoing.writeHead(502);
      outgoing.end(String(error));
    });
    incoming.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
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
    get connections() {
      return connections;
    },
    get routes() {
      return routes;
    },
    reset() {
      requests = 0;
      connections = 0;
      routes = new Map();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
