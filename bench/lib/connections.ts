/**
 * Counts the TCP connections Node's fetch (undici) opens and uses, from undici's own diagnostics
 * channels (`undici:client:connected`, `undici:client:sendHeaders`): no proxy, nothing in the
 * request path.
 */
import diagnostics from 'node:diagnostics_channel';

interface ConnectedMessage {
  connectParams?: { hostname?: string; port?: string | number };
}

interface SendHeadersMessage {
  request?: { origin?: string | URL };
  socket?: object;
}

export class ConnectionCounter {
  private opened = new Map<string, number>();
  private used = new Map<string, Set<object>>();

  private readonly onConnected = (message: unknown): void => {
    const params = (message as ConnectedMessage).connectParams;
    const key = `${params?.hostname ?? '?'}:${String(params?.port ?? '?')}`;
    this.opened.set(key, (this.opened.get(key) ?? 0) + 1);
  };

  private readonly onSendHeaders = (message: unknown): void => {
    const { request, socket } = message as SendHeadersMessage;
    if (!request?.origin || !socket) return;
    const url = new URL(String(request.origin));
    const key = `${url.hostname}:${url.port}`;
    let sockets = this.used.get(key);
    if (!sockets) this.used.set(key, (sockets = new Set()));
    sockets.add(socket);
  };

  constructor() {
    diagnostics.subscribe('undici:client:connected', this.onConnected);
    diagnostics.subscribe('undici:client:sendHeaders', this.onSendHeaders);
  }

  private key(baseUrl: string): string {
    const url = new URL(baseUrl);
    return `${url.hostname}:${url.port}`;
  }

  /** Connections opened to the origin of `baseUrl` so far. */
  openedTo(baseUrl: string): number {
    return this.opened.get(this.key(baseUrl)) ?? 0;
  }

  /** Distinct connections that carried a request to the origin since the last `resetUsed`. */
  usedTo(baseUrl: string): number {
    return this.used.get(this.key(baseUrl))?.size ?? 0;
  }

  resetUsed(): void {
    this.used.clear();
  }

  close(): void {
    diagnostics.unsubscribe('undici:client:connected', this.onConnected);
    diagnostics.unsubscribe('undici:client:sendHeaders', this.onSendHeaders);
  }
}
