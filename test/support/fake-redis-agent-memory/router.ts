/** Maps a method and path to an operation of the artifact, with its raw path parameters. */
import type { ArtifactOperation, OperationsArtifact } from './artifact.js';

interface Route {
  operationId: string;
  operation: ArtifactOperation;
  pattern: RegExp;
  names: string[];
  /** Templated segments: literal paths win over templates (`…/events` before `…/{sessionId}`). */
  holes: number;
}

export interface RouteMatch {
  operationId: string;
  operation: ArtifactOperation;
  /** Percent-decoded path parameters. */
  params: Record<string, string>;
}

export type RouteResult =
  | ({ kind: 'found' } & RouteMatch)
  | { kind: 'none' }
  /** A path parameter is not valid percent-encoding. */
  | { kind: 'undecodable'; operationId: string; operation: ArtifactOperation; name: string };

export class Router {
  private readonly routes: Route[];

  constructor(artifact: OperationsArtifact) {
    this.routes = Object.entries(artifact.operations)
      .map(([operationId, operation]) => {
        const names: string[] = [];
        const source = operation.path
          .split('/')
          .map((segment) => {
            const hole = /^\{([^}]+)\}$/.exec(segment);
            if (!hole) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            names.push(hole[1]!);
            return '([^/]+)';
          })
          .join('/');
        return {
          operationId,
          operation,
          pattern: new RegExp(`^${source}$`),
          names,
          holes: names.length,
        };
      })
      .sort((a, b) => a.holes - b.holes);
  }

  /** The operation for `method` and `path`. A known path with another method counts as none. */
  match(method: string, path: string): RouteResult {
    for (const route of this.routes) {
      if (route.operation.method !== method) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      for (const [i, name] of route.names.entries()) {
        try {
          params[name] = decodeURIComponent(found[i + 1]!);
        } catch {
          return {
            kind: 'undecodable',
            operationId: route.operationId,
            operation: route.operation,
            name,
          };
        }
      }
      return { kind: 'found', operationId: route.operationId, operation: route.operation, params };
    }
    return { kind: 'none' };
  }
}
