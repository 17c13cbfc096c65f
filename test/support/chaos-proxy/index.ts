/**
 * A loopback HTTP proxy that injects faults between a client and a real backend (the Agent Memory
 * Server, or the fake of the managed API), for reliability tests.
 *
 * Every request gets, with probability `faultRate`, one fault drawn from `mix` (weights), applied
 * either BEFORE forwarding (the backend never sees the request) or AFTER forwarding (the backend
 * applied it; its answer is lost or corrupted). The draw is made from a seeded RNG in arrival order,
 * so a run with the same seed and the same request order injects the same faults.
 *
 * Fault kinds:
 * - `status5xx`: a 500, 502, 503 or 504 with a small JSON body;
 * - `status429`: a 429 with `Retry-After` (`retryAfter`, seconds);
 * - `timeout`: no answer; the connection is held (at most `holdMs`) until the client gives up;
 * - `reset`: the connection is destroyed without an answer;
 * - `truncate`: a 200 (or the backend's own status and headers, after forwarding) whose body stops
 *   half-way, with a `Content-Length` promising all of it;
 * - `html200` / `html502`: an HTML error page, as a gateway or WAF sends, with status 200 or 502;
 * - `slow`: the request (before) or the answer (after) waits `slowMs` and then goes through
 *   untouched. Keep it below the client's timeout.
 *
 * A request held or delayed before forwarding is never forwarded once its client has gone: the
 * proxy itself never delivers a request late (a late PUT would overwrite newer data, an artefact
 * of the proxy rather than of the system under test).
 *
 * When the backend cannot be reached, the proxy answers 502 with an HTML page, as a gateway would
 * (counted as `upstream-unavailable`).
 *
 * `script` decides for single requests ahead of the random draw: a fault, a scripted response
 * (for malformed or hostile bodies), or `'pass'`. Requests are recorded (method, path, query,
 * never headers or bodies) when `record` is on.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const FAULT_KINDS = [
  'status5xx',
  'status429',
  'timeout',
  'reset',
  'truncate',
  'html200',
  'html502',
  'slow',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultPhase = 'before' | 'after';

/** A fault for one request. */
export interface Fault {
  kind: FaultKind;
  phase: FaultPhase;
  /** `status5xx`: which status (default 503). */
  status?: number;
  /** `slow`: the delay in ms (default: the low end of `slowMs`). */
  delayMs?: number;
}

/** A response the proxy sends instead of forwarding (or instead of the backend's answer). */
export interface ScriptedResponse {
  status: number;
  /** Sent as the status line's reason phrase. */
  statusText?: string;
  headers?: Record<string, string>;
  /** A string is sent as it is; anything else as JSON. `undefined` sends no body. */
  body?: unknown;
  /** Forward first (the backend applies the request), then answer with this. */
  afterForwarding?: boolean;
}

/** What the proxy sees of a request when deciding its fate. */
export interface ProxiedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string[]>;
  /** The request's headers: for scripts that echo them back, never recorded. */
  headers: IncomingHttpHeaders;
  /** The request body as text ('' when none). */
  body: string;
}

export type ScriptDecision = Fault | { respond: ScriptedResponse } | 'pass' | undefined;

export interface ChaosProxyOptions {
  /** Base URL of the backend, e.g. `http://127.0.0.1:8000`. */
  target: string;
  /** Seed of the fault RNG (default 1). */
  seed?: number;
  /** Probability in [0, 1] that a request gets a fault (default 0). */
  faultRate?: number;
  /** Relative weights of the fault kinds (default: all equal). A kind with weight 0 never occurs. */
  mix?: Partial<Record<FaultKind, number>>;
  /** Share of faults applied after forwarding (default 0.5). */
  afterShare?: number;
  /** How long a `timeout` fault holds the connection at most (default 5000 ms). */
  holdMs?: number;
  /** Delay range of a `slow` fault in ms (default [20, 80]). */
  slowMs?: [number, number];
  /** `Retry-After` value sent with 429 (default '0'). */
  retryAfter?: string;
  /** Only requests this accepts can get random faults (default: all). */
  eligible?: (request: ProxiedRequest) => boolean;
  /** Decides single requests ahead of the random draw. */
  script?: (request: ProxiedRequest) => ScriptDecision;
  /** Record every request's method, path and query (default false). */
  record?: boolean;
}

/** One request as recorded (no headers, no body). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  /** The fault applied, as `kind:phase`, `scripted`, or undefined. */
  fault?: string;
  /** When it arrived, and when the backend answered it (if forwarded), in ms since start. */
  at: number;
  answeredAt?: number;
  /** The backend's status, when forwarded and answered. */
  upstreamStatus?: number;
}

export interface ChaosStats {
  requests: number;
  forwarded: number;
  /**
   * Writes (any method but GET/HEAD) the backend answered after their client had given up: the
   * client saw a failure (and may have retried and moved on) while the write still landed.
   */
  lateWrites: number;
  /** Faults by `kind:phase`, plus `scripted` and `upstream-unavailable`. */
  faults: Record<string, number>;
}

export interface ChaosProxy {
  /** `http://127.0.0.1:<port>` without a trailing slash: give it to the client as its base URL. */
  readonly url: string;
  readonly stats: ChaosStats;
  readonly log: readonly RecordedRequest[];
  /** Changes the random fault rate from the next request on (0 turns random faults off). */
  setFaultRate(rate: number): void;
  /** Total faults injected so far (all kinds). */
  faultCount(): number;
  /** One line: requests, forwarded and faults by kind. */
  summary(): string;
  /** Stops listening and closes every connection, held ones included. */
  stop(): Promise<void>;
}

/** mulberry32: small, fast, seedable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HTML_PAGE = (status: number, title: string): string =>
  `<!DOCTYPE html>\n<html><head><title>${status} ${title}</title></head>` +
  `<body><center><h1>${status} ${title}</h1></center><hr><center>chaos-proxy</center></body></html>\n`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface UpstreamReply {
  status: number;
  statusText: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

// Hop-by-hop headers are the proxy's own business on each side.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

export async function startChaosProxy(options: ChaosProxyOptions): Promise<ChaosProxy> {
  const target = new URL(options.target);
  const random = seededRandom(options.seed ?? 1);
  let faultRate = options.faultRate ?? 0;
  const afterShare = options.afterShare ?? 0.5;
  const holdMs = options.holdMs ?? 5_000;
  const [slowMin, slowMax] = options.slowMs ?? [20, 80];
  const retryAfter = options.retryAfter ?? '0';
  const weights = FAULT_KINDS.map((kind) => Math.max(0, options.mix?.[kind] ?? 1));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const stats: ChaosStats = { requests: 0, forwarded: 0, lateWrites: 0, faults: {} };
  const log: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let stopped = false;
  const started = Date.now();

  const count = (name: string): void => {
    stats.faults[name] = (stats.faults[name] ?? 0) + 1;
  };

  const draw = (request: ProxiedRequest): Fault | undefined => {
    // Always the same number of draws per request, taken on arrival: the faults depend only on the
    // order of requests, never on which of them got one or on timing.
    const roll = random();
    const pick = random();
    const phaseRoll = random();
    const statusRoll = random();
    const delayRoll = random();
    if (faultRate <= 0 || totalWeight === 0 || roll >= faultRate) return undefined;
    if (options.eligible && !options.eligible(request)) return undefined;
    let threshold = pick * totalWeight;
    let kind: FaultKind = FAULT_KINDS[FAULT_KINDS.length - 1]!;
    for (let i = 0; i < FAULT_KINDS.length; i++) {
      threshold -= weights[i]!;
      if (threshold < 0) {
        kind = FAULT_KINDS[i]!;
        break;
      }
    }
    return {
      kind,
      phase: phaseRoll < afterShare ? 'after' : 'before',
      status: [500, 502, 503, 504][Math.floor(statusRoll * 4)]!,
      delayMs: Math.round(slowMin + delayRoll * (slowMax - slowMin)),
    };
  };

  const forward = (request: ProxiedRequest, rawUrl: string): Promise<UpstreamReply> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name)) continue;
        headers[name] = value;
      }
      headers.host = target.host;
      const body = Buffer.from(request.body, 'utf8');
      if (body.length > 0) headers['content-length'] = String(body.length);
      const upstream = httpRequest(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method: request.method,
          path: target.pathname.replace(/\/+$/, '') + rawUrl,
          headers,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const replyHeaders: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value === undefined || HOP_BY_HOP.has(name)) continue;
              replyHeaders[name] = value;
            }
            resolve({
              status: res.statusCode ?? 502,
              statusText: res.statusMessage ?? '',
              headers: replyHeaders,
              body: Buffer.concat(chunks),
            });
          });
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const sendReply = (res: ServerResponse, reply: UpstreamReply): void => {
    const headers = { ...reply.headers, 'content-length': String(reply.body.length) };
    res.writeHead(reply.status, reply.statusText || undefined, headers);
    res.end(reply.body);
  };

  const sendScripted = (res: ServerResponse, scripted: ScriptedResponse): void => {
    const body =
      scripted.body === undefined
        ? Buffer.alloc(0)
        : Buffer.from(
            typeof scripted.body === 'string' ? scripted.body : JSON.stringify(scripted.body),
            'utf8',
          );
    const headers: Record<string, string> = {
      ...(typeof scripted.body === 'string' || scripted.body === undefined
        ? {}
        : { 'content-type': 'application/json' }),
      ...scripted.headers,
      'content-length': String(body.length),
    };
    res.writeHead(scripted.status, scripted.statusText, headers);
    res.end(body);
  };

  /** Holds the connection until the client gives up (or `holdMs`), then destroys it. */
  const hold = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!clientGone(res)) {
      const gone = new Promise<void>((resolve) => res.once('close', resolve));
      await Promise.race([gone, sleep(holdMs)]);
    }
    req.socket.destroy();
  };

  const closedResponses = new WeakSet<ServerResponse>();
  const clientGone = (res: ServerResponse): boolean =>
    closedResponses.has(res) || res.destroyed || res.writableEnded;

  /** Applies a fault in place of an answer (the backend's reply, when there is one). */
  const applyFault = async (
    fault: Fault,
    req: IncomingMessage,
    res: ServerResponse,
    reply: UpstreamReply | undefined,
  ): Promise<void> => {
    switch (fault.kind) {
      case 'status5xx': {
        const status = fault.status ?? 503;
        sendScripted(res, {
          status,
          body: { detail: `chaos-proxy: injected ${status} (${fault.phase} forwarding)` },
        });
        return;
      }
      case 'status429':
        sendScripted(res, {
          status: 429,
          headers: { 'retry-after': retryAfter },
          body: { detail: 'chaos-proxy: too many requests' },
        });
        return;
      case 'timeout':
        await hold(req, res);
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'truncate': {
        const full =
          reply && reply.body.length > 1
            ? reply
            : {
                status: 200,
                statusText: 'OK',
                headers: { 'content-type': 'application/json' },
                body: Buffer.from('{"session_id":"chaos","namespace":"chaos","messages":[]}'),
              };
        const headers = { ...full.headers, 'content-length': String(full.body.length) };
        res.writeHead(full.status, full.statusText || undefined, headers);
        res.write(full.body.subarray(0, Math.max(1, Math.floor(full.body.length / 2))));
        // Let the partial body reach the client before the connection goes.
        await sleep(5);
        req.socket.destroy();
        return;
      }
      case 'html200':
        sendScripted(res, {
          status: 200,
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: HTML_PAGE(200, 'Please enable cookies'),
        });
        return;
      case 'html502':
        sendScripted(res, {
          status: 502,
          statusText: 'Bad Gateway',
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: HTML_PAGE(502, 'Bad Gateway'),
        });
        return;
      case 'slow':
        // Before forwarding the delay already happened; here only the answer is late.
        await sleep(fault.delayMs ?? slowMin);
        if (reply && !clientGone(res)) sendReply(res, reply);
        return;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.once('close', () => closedResponses.add(res));
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'http://chaos.invalid');
    const query: Record<string, string[]> = {};
    for (const [name, value] of url.searchParams) (query[name] ??= []).push(value);
    const request: ProxiedRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    stats.requests++;
    const scripted = options.script?.(request);
    let fault: Fault | undefined;
    let respond: ScriptedResponse | undefined;
    if (scripted === undefined) fault = draw(request);
    else if (scripted !== 'pass') {
      if ('respond' in scripted) respond = scripted.respond;
      else fault = scripted;
    }
    const label = respond ? 'scripted' : fault ? `${fault.kind}:${fault.phase}` : undefined;
    if (label) count(label);
    const entry: RecordedRequest = {
      method: request.method,
      path: request.path,
      query,
      ...(label ? { fault: label } : {}),
      at: Date.now() - started,
    };
    if (options.record) log.push(entry);

    if (respond && !respond.afterForwarding) {
      sendScripted(res, respond);
      return;
    }
    if (fault?.phase === 'before') {
      if (fault.kind !== 'slow') {
        await applyFault(fault, req, res, undefined);
        return;
      }
      await sleep(fault.delayMs ?? slowMin);
      if (clientGone(res)) return;
      fault = undefined;
    }

    let reply: UpstreamReply;
    try {
      reply = await forward(request, rawUrl);
      stats.forwarded++;
      entry.answeredAt = Date.now() - started;
      entry.upstreamStatus = reply.status;
    } catch {
      count('upstream-unavailable');
      if (!clientGone(res)) {
        sendScripted(res, {
          status: 502,
          statusText: 'Bad Gateway',
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: HTML_PAGE(502, 'Bad Gateway'),
        });
      }
      return;
    }
    if (clientGone(res)) {
      if (request.method !== 'GET' && request.method !== 'HEAD') stats.lateWrites++;
      return;
    }
    if (respond) sendScripted(res, respond);
    else if (fault) await applyFault(fault, req, res, reply);
    else sendReply(res, reply);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      req.socket.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // A client that resets mid-request must not bring the proxy down.
  server.on('clientError', (_error, socket: Socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    log,
    setFaultRate(rate: number) {
      faultRate = rate;
    },
    faultCount() {
      return Object.entries(stats.faults)
        .filter(([name]) => name !== 'upstream-unavailable')
        .reduce((sum, [, n]) => sum + n, 0);
    },
    summary() {
      const faults = Object.entries(stats.faults)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, n]) => `${name}=${n}`)
        .join(' ');
      return `requests=${stats.requests} forwarded=${stats.forwarded} late-writes=${stats.lateWrites} faults{${faults}}`;
    },
    stop() {
      if (stopped) return Promise.resolve();
      stopped = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
