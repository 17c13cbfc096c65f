/**
 * The chaos proxy itself, against a tiny upstream that counts what reached it: forwarding is
 * faithful, each fault kind does what it says before and after forwarding, faults are seeded,
 * and stop() releases held connections.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAULT_KINDS,
  startChaosProxy,
  type ChaosProxy,
  type FaultKind,
  type FaultPhase,
} from '../support/chaos-proxy/index.js';

let upstream: Server;
let target: string;
const received: { method: string; url: string; body: string; host: string; auth: string }[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body,
        host: req.headers.host ?? '',
        auth: req.headers.authorization ?? '',
      });
      res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' });
      res.end(JSON.stringify({ echoed: body, n: received.length }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

const put = (proxy: ChaosProxy, signal?: AbortSignal) =>
  fetch(`${proxy.url}/v1/things/a%2Fb?x=1&x=2`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: 'Bearer secret-token' },
    body: '{"v":1}',
    ...(signal ? { signal } : {}),
  });

/** What the client sees: status and body text, or the name of what it threw. */
async function outcome(proxy: ChaosProxy): Promise<string> {
  try {
    const response = await put(proxy, AbortSignal.timeout(300));
    const text = await response.text();
    return `${response.status} ${response.headers.get('content-type')?.split(';')[0]} ${text.slice(0, 40)}`;
  } catch (error) {
    return `threw ${error instanceof Error ? error.name : 'error'}`;
  }
}

describe('chaos proxy', () => {
  it('forwards method, path, query, body and headers, and answers as the upstream did', async () => {
    const proxy = await startChaosProxy({ target, record: true });
    const before = received.length;
    const response = await put(proxy);
    expect(response.status).toBe(201);
    expect(response.headers.get('x-upstream')).toBe('yes');
    expect(await response.json()).toEqual({ echoed: '{"v":1}', n: before + 1 });
    expect(received.at(-1)).toEqual({
      method: 'PUT',
      url: '/v1/things/a%2Fb?x=1&x=2',
      body: '{"v":1}',
      host: new URL(target).host,
      auth: 'Bearer secret-token',
    });
    expect(proxy.log).toEqual([
      expect.objectContaining({
        method: 'PUT',
        path: '/v1/things/a%2Fb',
        query: { x: ['1', '2'] },
      }),
    ]);
    expect(JSON.stringify(proxy.log)).not.toContain('secret-token');
    await proxy.stop();
  });

  const EXPECTED: Record<FaultKind, RegExp> = {
    status5xx: /^503 application\/json .*injected 503/,
    status429: /^429 application\/json /,
    timeout: /^threw TimeoutError$/,
    reset: /^threw TypeError$/,
    truncate: /^threw TypeError$/,
    html200: /^200 text\/html <!DOCTYPE html>/,
    html502: /^502 text\/html <!DOCTYPE html>/,
    slow: /^201 application\/json \{"echoed"/,
  };
  const cases: [FaultKind, FaultPhase][] = FAULT_KINDS.flatMap((kind) =>
    (['before', 'after'] as const).map((phase): [FaultKind, FaultPhase] => [kind, phase]),
  );
  it.each(cases)('%s %s forwarding', async (kind, phase) => {
    const proxy = await startChaosProxy({
      target,
      holdMs: 2_000,
      slowMs: [20, 20],
      retryAfter: '7',
      script: () => ({ kind, phase, status: 503 }),
    });
    const before = received.length;
    const seen = await outcome(proxy);
    expect(seen).toMatch(EXPECTED[kind]);
    // Forwarded (applied) only after forwarding, or when the fault is only a delay.
    expect(received.length - before).toBe(phase === 'after' || kind === 'slow' ? 1 : 0);
    expect(proxy.stats.faults[`${kind}:${phase}`]).toBe(1);
    await proxy.stop();
  });

  it('sends Retry-After with 429', async () => {
    const proxy = await startChaosProxy({
      target,
      retryAfter: '7',
      script: () => ({ kind: 'status429', phase: 'before' }),
    });
    expect((await put(proxy)).headers.get('retry-after')).toBe('7');
    await proxy.stop();
  });

  it('draws the same faults for the same seed and request order', async () => {
    const run = async (seed: number): Promise<(string | undefined)[]> => {
      const proxy = await startChaosProxy({
        target,
        seed,
        faultRate: 0.5,
        record: true,
        holdMs: 50,
        slowMs: [1, 2],
        mix: { timeout: 0, reset: 0, truncate: 0 },
      });
      for (let i = 0; i < 40; i++) await outcome(proxy);
      await proxy.stop();
      return proxy.log.map((entry) => entry.fault);
    };
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.filter(Boolean).length).toBeGreaterThan(5);
    // Kinds with weight 0 never occur.
    expect(a.some((f) => /^(timeout|reset|truncate):/.test(f ?? ''))).toBe(false);
  });

  it('answers 502 when the upstream is down, and counts it', async () => {
    const proxy = await startChaosProxy({ target: 'http://127.0.0.1:9' });
    expect(await outcome(proxy)).toMatch(/^502 text\/html/);
    expect(proxy.stats.faults['upstream-unavailable']).toBe(1);
    await proxy.stop();
  });

  it('counts a write the upstream answered after its client gave up', async () => {
    const slowUpstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end('{}'), 300));
    });
    await new Promise<void>((resolve) => slowUpstream.listen(0, '127.0.0.1', resolve));
    const proxy = await startChaosProxy({
      target: `http://127.0.0.1:${(slowUpstream.address() as AddressInfo).port}`,
    });
    await put(proxy, AbortSignal.timeout(50)).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(proxy.stats.lateWrites).toBe(1);
    await proxy.stop();
    slowUpstream.closeAllConnections();
    await new Promise<void>((resolve) => slowUpstream.close(() => resolve()));
  });

  it('stop() releases held connections at once', async () => {
    const proxy = await startChaosProxy({
      target,
      holdMs: 60_000,
      script: () => ({ kind: 'timeout', phase: 'before' }),
    });
    const held = put(proxy).then(
      () => 'answered',
      () => 'closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await proxy.stop();
    expect(await held).toBe('closed');
  });
});
