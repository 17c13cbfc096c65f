/**
 * The HTTP side of the fake: reads each request, applies auth, routing, parameter and body checks
 * and fault injection, runs the operation's handler, and checks the answer against the contract
 * before it leaves (a fake bug becomes a recorded violation and a 500, never a silent lie).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { OperationsArtifact } from './artifact.js';
import type { Fault, FaultQueue } from './faults.js';
import { createHandlers, invalid, notFound, type Handler, type Reply } from './handlers.js';
import { createLongTermMemoryHandlers } from './memory-handlers.js';
import { resolveLongTermMemoryOptions } from './memory-options.js';
import { MemoryStore } from './memory-store.js';
import { PROBLEM_KINDS, problem, type FieldError } from './problems.js';
import { Router, type RouteMatch, type RouteResult } from './router.js';
import type { SessionStore } from './store.js';
import { SchemaValidator } from './validation.js';

/** One request as the fake received it. `status` 0 means the connection was dropped. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  status: number;
}

export interface ServerConfig {
  apiKey: string;
  storeId: string;
  authDisabled: boolean;
}

/** Bodies above this are refused with 413 (the real limit is not documented). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Statuses an operation's descriptions name but its responses do not declare: sent with a
 * problem body whose `status` must match, and checked for that shape only.
 */
const DESCRIBED_STATUSES: Readonly<Record<string, readonly number[]>> = {
  // "The update is rejected with 409 unless the record's stored namespace matches exactly."
  UpdateLongTermMemoryFields: [409],
};

interface Incoming {
  method: string;
  path: string;
  url: URL;
  headers: IncomingHttpHeaders;
  text: string;
  tooLarge: boolean;
}

export class FakeHttpHandler {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  private readonly router: Router;
  private readonly validator: SchemaValidator;
  private readonly handlers: Record<string, Handler>;

  constructor(
    private readonly config: ServerConfig,
    artifact: OperationsArtifact,
    store: SessionStore,
    private readonly faults: FaultQueue,
    memories: MemoryStore = new MemoryStore(resolveLongTermMemoryOptions()),
  ) {
    this.router = new Router(artifact);
    this.validator = new SchemaValidator(artifact);
    this.handlers = { ...createHandlers(store), ...createLongTermMemoryHandlers(memories) };
  }

  /** The `node:http` request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.serve(req, res).catch((error: unknown) => {
      // Only reachable when writing the answer itself fails; nothing left to tell the client.
      this.violations.push(`internal: ${error instanceof Error ? error.message : String(error)}`);
      res.destroy();
    });
  };

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const { text, tooLarge } = await readBody(req);
    const incoming: Incoming = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      url,
      headers: req.headers,
      text,
      tooLarge,
    };
    const record: RecordedRequest = {
      method: incoming.method,
      path: incoming.path,
      query: Object.fromEntries(url.searchParams),
      ...(text === '' ? {} : { body: parseOrText(text) }),
      status: 0,
    };
    this.requests.push(record);

    const route = this.router.match(incoming.method, incoming.path);
    const fault = this.faults.take(incoming.method, incoming.path);
    let reply: Reply | 'drop';
    if (fault && !fault.afterHandling) {
      reply = faultReply(fault);
    } else {
      reply = this.checked(incoming, route, this.safeHandle(incoming, route));
      // A lost response: the request took effect, the client sees a failure instead.
      if (fault) reply = faultReply(fault);
    }
    if (reply === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault) reply = this.checked(incoming, route, reply, true);
    record.status = reply.status;
    send(res, reply);
  }

  private safeHandle(incoming: Incoming, route: RouteResult): Reply {
    try {
      return this.handle(incoming, route);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.violations.push(`${incoming.method} ${incoming.path}: handler threw: ${message}`);
      return { status: 500, body: problem(500, 'The fake failed to handle the request.') };
    }
  }

  private handle(incoming: Incoming, route: RouteResult): Reply {
    if (incoming.path.startsWith('/v1/') && !this.config.authDisabled) {
      const failure = this.authFailure(incoming.headers);
      if (failure) return { status: 401, body: problem(401, failure) };
    }
    if (route.kind === 'none') {
      return notFound(`No resource at ${incoming.method} ${incoming.path}.`);
    }
    if (route.kind === 'undecodable') {
      return invalid([
        {
          field: route.name,
          rule: 'encoding',
          message: `${route.name} is not valid percent-encoding`,
        },
      ]);
    }
    const match = route;
    const handler = this.handlers[match.operationId];
    if (!handler) {
      return notFound(`${match.operationId} is not implemented by the fake.`);
    }

    const params: Record<string, unknown> = {};
    const pathErrors = this.readParameters(match, 'path', (name) => match.params[name], params);
    if (pathErrors.length) return invalid(pathErrors);
    if ('storeId' in params && params.storeId !== this.config.storeId) {
      return notFound(`Store ${String(params.storeId)} was not found.`);
    }
    const queryErrors = this.readParameters(
      match,
      'query',
      (name) => {
        const values = incoming.url.searchParams.getAll(name);
        if (values.length > 1) throw new RepeatedParameter(name);
        return values[0];
      },
      params,
    );
    if (queryErrors.length) return invalid(queryErrors);

    let body: unknown;
    const declared = match.operation.requestBody;
    if (declared) {
      if (incoming.tooLarge) {
        return { status: 413, body: problem(413, `The body exceeds ${MAX_BODY_BYTES} bytes.`) };
      }
      const read = readJsonBody(incoming, declared.required);
      if ('errors' in read) return invalid(read.errors);
      body = read.value;
      if (body !== undefined && declared.schema) {
        const errors = this.validator.check(declared.schema, body);
        if (errors.length) return invalid(errors);
      }
    }
    return handler({ params, body });
  }

  /** Reads and checks the operation's parameters of one location into `into`. */
  private readParameters(
    match: RouteMatch,
    location: 'path' | 'query',
    raw: (name: string) => string | undefined,
    into: Record<string, unknown>,
  ): FieldError[] {
    const errors: FieldError[] = [];
    for (const parameter of match.operation.parameters) {
      if (parameter.in !== location) continue;
      let text: string | undefined;
      try {
        text = raw(parameter.name);
      } catch (error) {
        if (!(error instanceof RepeatedParameter)) throw error;
        errors.push({
          field: parameter.name,
          rule: 'type',
          message: `${parameter.name} is given more than once`,
        });
        continue;
      }
      const result = this.validator.parameter(parameter, text);
      errors.push(...result.errors);
      if (result.value !== undefined) into[parameter.name] = result.value;
    }
    return errors;
  }

  /** Why the request is not authenticated, or undefined when it is. */
  private authFailure(headers: IncomingHttpHeaders): string | undefined {
    const authorization = headers.authorization;
    const apiKey = headers['x-api-key'];
    if (authorization === undefined && apiKey === undefined) {
      return 'Missing credentials: send Authorization: Bearer <API key> or X-Api-Key.';
    }
    const bearer = authorization ? /^Bearer\s+(.+)$/i.exec(authorization)?.[1] : undefined;
    if (bearer === this.config.apiKey || apiKey === this.config.apiKey) return undefined;
    return 'The API key is not valid.';
  }

  /**
   * The reply if it keeps the contract; otherwise the violation is recorded and a 500 goes out.
   * An injected status the operation does not declare (a gateway's 503) is sent unchecked.
   */
  private checked(incoming: Incoming, route: RouteResult, reply: Reply, injected = false): Reply {
    let problems: string[];
    if (route.kind === 'none') {
      const kind = PROBLEM_KINDS[reply.status];
      if (!kind) {
        if (injected) return reply;
        problems = [`status ${reply.status} is not a documented problem status`];
      } else {
        problems = this.validator
          .checkDef(kind.schema, reply.body)
          .map((e) => `${kind.schema}: ${e.field}: ${e.message} (${e.rule})`);
      }
    } else if (DESCRIBED_STATUSES[route.operationId]?.includes(reply.status) && !injected) {
      problems = describedProblem(reply);
    } else {
      if (injected && !route.operation.responses[String(reply.status)]) return reply;
      problems = this.validator.response(
        route.operationId,
        route.operation,
        reply.status,
        reply.body,
      );
    }
    if (problems.length === 0) return reply;
    for (const p of problems)
      this.violations.push(`${incoming.method} ${incoming.path} -> ${reply.status}: ${p}`);
    return {
      status: 500,
      body: problem(500, 'The fake produced a response that breaks the contract.'),
    };
  }
}

class RepeatedParameter extends Error {}

/** Contract problems of an answer with a described-only status: it must be a problem body. */
function describedProblem(reply: Reply): string[] {
  const body = reply.body as Record<string, unknown> | undefined;
  const ok =
    typeof body === 'object' &&
    body !== null &&
    body.status === reply.status &&
    typeof body.type === 'string' &&
    typeof body.title === 'string';
  return ok ? [] : [`status ${reply.status} needs a problem body with that status`];
}

function faultReply(fault: Fault): Reply | 'drop' {
  if (fault.dropConnection) return 'drop';
  const status = fault.status!;
  return {
    status,
    body: problem(status, 'Injected by the fake (injectFault).'),
    ...(fault.retryAfter === undefined ? {} : { headers: { 'retry-after': fault.retryAfter } }),
  };
}

/** The body as JSON, enforcing `application/json`. */
function readJsonBody(
  incoming: Incoming,
  required: boolean,
): { value: unknown } | { errors: FieldError[] } {
  if (incoming.text === '') {
    return required
      ? { errors: [{ field: 'body', rule: 'required', message: 'A JSON body is required' }] }
      : { value: undefined };
  }
  const mediaType = String(incoming.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (mediaType !== 'application/json') {
    return {
      errors: [
        {
          field: 'content-type',
          rule: 'mediaType',
          message: `Content-Type must be application/json, got "${mediaType}"`,
        },
      ],
    };
  }
  try {
    return { value: JSON.parse(incoming.text) as unknown };
  } catch {
    return { errors: [{ field: 'body', rule: 'json', message: 'The body is not valid JSON' }] };
  }
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The whole body as text; past the limit it is drained and dropped so an answer can still go out. */
async function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) return { text: '', tooLarge: true };
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: false };
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  headers['content-type'] = 'application/json';
  res.writeHead(reply.status, headers).end(JSON.stringify(reply.body));
}
