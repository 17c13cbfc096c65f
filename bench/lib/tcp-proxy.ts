/** A loopback TCP proxy that counts the connections it accepts (each is piped to the target). */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  baseUrl: string;
  /** Connections accepted since start (or the last reset). */
  readonly accepted: number;
  /** Distinct connections that sent data since the last reset. */
  readonly used: number;
  reset(): void;
  stop(): Promise<void>;
}

export async function startTcpProxy(targetBaseUrl: string): Promise<TcpProxy> {
  const target = new URL(targetBaseUrl);
  const sockets = new Set<Socket>();
  let accepted = 0;
  let used = new Set<Socket>();
  const server = createServer((client) => {
    accepted += 1;
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', () => used.add(client));
    client.pipe(upstream);
    upstream.pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `${target.protocol}//127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get used() {
      return used.size;
    },
    reset() {
      accepted = 0;
      used = new Set();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
