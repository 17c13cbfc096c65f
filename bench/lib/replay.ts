/**
 * Replays HTTP exchanges the library made with a bare `fetch`: same methods, URLs, headers and
 * bodies, wave by wave (requests of one wave in parallel, as many at once as the library had), each response read to the end. Ids can
 * be substituted so the replay works on a twin of the library's session; twins' ids have the same
 * length, so the bytes sent are the same size.
 */
import { createHash } from 'node:crypto';
import { waves, type Exchange } from './recording-fetch.js';

export interface ReplayRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array | undefined;
  /** The status the library got; a replay that gets another is counted as a mismatch. */
  status: number;
}

/** One wave: its requests, at most `concurrency` in flight (as many as the library had). */
export interface ReplayWave {
  requests: ReplayRequest[];
  concurrency: number;
}

export type ReplayPlan = ReplayWave[];

/** The most requests of a wave that were in flight at one time. */
export function maxInFlight(wave: readonly Exchange[]): number {
  const edges = wave.flatMap((e) => [
    { at: e.start, delta: 1 },
    { at: e.end, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let max = 0;
  for (const edge of edges) {
    current += edge.delta;
    max = Math.max(max, current);
  }
  return Math.max(1, max);
}

function substitute(text: string, substitutions: readonly (readonly [string, string])[]): string {
  let result = text;
  for (const [from, to] of substitutions) result = result.split(from).join(to);
  return result;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Turns recorded exchanges into a replay plan, ids substituted. */
export function planReplay(
  exchanges: readonly Exchange[],
  substitutions: readonly (readonly [string, string])[] = [],
): ReplayPlan {
  return waves(exchanges).map((wave) => ({
    concurrency: maxInFlight(wave),
    requests: wave.map((exchange) => ({
      method: exchange.method,
      url: substitute(exchange.url, substitutions),
      headers: exchange.headers.filter(([name]) => name !== 'content-length' && name !== 'host'),
      body:
        exchange.body && substitutions.length > 0
          ? encoder.encode(substitute(decoder.decode(exchange.body), substitutions))
          : exchange.body,
      status: exchange.status,
    })),
  }));
}

/**
 * Runs a plan with a bare fetch (the global one unless given); returns how many statuses differed
 * from the library's.
 */
export async function replay(
  plan: ReplayPlan,
  bareFetch: typeof globalThis.fetch = globalThis.fetch,
): Promise<number> {
  let mismatches = 0;
  for (const wave of plan) {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < wave.requests.length) {
        const request = wave.requests[next++]!;
        const response = await bareFetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body as BodyInit | undefined,
        });
        await response.arrayBuffer();
        if (response.status !== request.status) mismatches += 1;
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(wave.concurrency, wave.requests.length) }, worker),
    );
  }
  return mismatches;
}

/**
 * The managed API's storage session id of an ADK session, written out from the README (the Python
 * package's scheme): SHA-256 hex of `sanitised namespace \0 user \0 session`.
 */
export function managedStorageId(appName: string, userId: string, sessionId: string): string {
  const namespace = appName.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 64);
  return createHash('sha256').update(`${namespace}\0${userId}\0${sessionId}`, 'utf8').digest('hex');
}
