/**
 * The operations artifact: a JSON Schema view of a document's operations (parameters, JSON bodies,
 * JSON responses by status), written by `npm run generate` and read by the fake Redis Agent Memory
 * server to validate every request and response.
 */
import type { SpecName, SpecSource } from './specs.js';

/**
 * Schema artifacts derived from a document, besides the generated TypeScript: relative to the
 * project root. The fake Redis Agent Memory server (test/support/fake-redis-agent-memory) validates
 * every request and response against this one, so it must never drift from the pinned document.
 */
export const OPERATIONS_ARTIFACTS: Partial<Record<SpecName, string>> = {
  'redis-agent-memory': 'test/support/generated/redis-agent-memory.operations.json',
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** One parameter of an operation in the artifact. */
export interface ArtifactParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonObject;
}

/** One operation in the artifact: only what a validator needs, JSON content only. */
export interface ArtifactOperation {
  method: string;
  path: string;
  parameters: ArtifactParameter[];
  requestBody?: { required: boolean; schema?: JsonObject };
  responses: Record<string, { schema?: JsonObject }>;
}

/** The shape of an operations artifact (`OPERATIONS_ARTIFACTS`). */
export interface OperationsArtifact {
  $comment: string;
  source: string;
  version: string;
  sha256: string;
  $defs: Record<string, JsonObject>;
  operations: Record<string, ArtifactOperation>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** Keywords that only document; dropped so the artifact stays small and diffs stay meaningful. */
const DOC_KEYWORDS = new Set(['description', 'example', 'examples', 'externalDocs', 'xml']);
/**
 * OpenAPI 3.0 keywords whose JSON Schema reading differs (or is absent): refused rather than
 * silently mistranslated, so a document revision that starts using them is noticed here.
 */
const UNSUPPORTED_KEYWORDS = new Set(['nullable', 'discriminator', 'readOnly', 'writeOnly']);
/** Keywords whose value is a map from names to schemas (the names are not keywords). */
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions']);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A schema as JSON Schema (2020-12 reading) for the artifact: documentation keywords dropped,
 * component refs pointed at `#/$defs/`, keys sorted for a stable output.
 */
function convertSchema(schema: Json, where: string): Json {
  if (Array.isArray(schema)) return schema.map((item, i) => convertSchema(item, `${where}/${i}`));
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const key of Object.keys(schema).sort()) {
    const value = schema[key]!;
    if (DOC_KEYWORDS.has(key)) continue;
    if (UNSUPPORTED_KEYWORDS.has(key)) {
      throw new Error(`${where}: OpenAPI keyword "${key}" is not supported by the artifact`);
    }
    if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value === 'boolean') {
      throw new Error(`${where}: boolean "${key}" (OpenAPI 3.0) is not supported by the artifact`);
    }
    if (key === '$ref' && typeof value === 'string') {
      const match = /^#\/components\/schemas\/([^/]+)$/.exec(value);
      if (!match) throw new Error(`${where}: unsupported $ref ${value}`);
      out.$ref = `#/$defs/${match[1]}`;
    } else if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(value)) {
      const map: JsonObject = {};
      for (const name of Object.keys(value).sort()) {
        map[name] = convertSchema(value[name]!, `${where}/${key}/${name}`);
      }
      out[key] = map;
    } else if (key === 'enum' || key === 'const' || key === 'default' || key === 'required') {
      out[key] = value; // values, not schemas: kept verbatim (order included)
    } else {
      out[key] = convertSchema(value, `${where}/${key}`);
    }
  }
  return out;
}

/** Follows a `#/components/<kind>/<name>` ref (OpenAPI allows them for parameters and bodies). */
function resolveComponent(document: JsonObject, value: Json, kind: string, where: string): Json {
  if (!isObject(value) || typeof value.$ref !== 'string') return value;
  const prefix = `#/components/${kind}/`;
  if (!value.$ref.startsWith(prefix)) throw new Error(`${where}: unsupported $ref ${value.$ref}`);
  const components = isObject(document.components) ? document.components : {};
  const group = isObject(components[kind]) ? components[kind] : {};
  const target = group[value.$ref.slice(prefix.length)];
  if (target === undefined) throw new Error(`${where}: dangling $ref ${value.$ref}`);
  return resolveComponent(document, target, kind, where);
}

/** The JSON schema of a request body or response, if it has `application/json` content. */
function jsonSchemaOf(content: Json, where: string): JsonObject | undefined {
  if (!isObject(content)) return undefined;
  const json = content['application/json'];
  if (!isObject(json) || json.schema === undefined) return undefined;
  return convertSchema(json.schema, `${where}/content/application~1json/schema`) as JsonObject;
}

/**
 * Derives the operations artifact from an OpenAPI 3.0 document: `$defs` (components.schemas,
 * refs rewritten) and, per operationId, its method, path, parameters, JSON request body and
 * JSON responses by status. Pure and deterministic: same document, same output.
 */
export function deriveOperationsArtifact(
  name: SpecName,
  source: SpecSource,
  document: unknown,
): OperationsArtifact {
  if (!isObject(document)) throw new Error(`${name}: the document is not a JSON object`);
  const components = isObject(document.components) ? document.components : {};
  const schemas = isObject(components.schemas) ? components.schemas : {};
  const $defs: Record<string, JsonObject> = {};
  for (const key of Object.keys(schemas).sort()) {
    $defs[key] = convertSchema(schemas[key]!, `#/components/schemas/${key}`) as JsonObject;
  }

  const found: Record<string, ArtifactOperation> = {};
  const paths = isObject(document.paths) ? document.paths : {};
  for (const path of Object.keys(paths)) {
    const item = paths[path];
    if (!isObject(item)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const where = `#/paths/${path.replaceAll('/', '~1')}/${method}`;
      const id = operation.operationId;
      if (typeof id !== 'string') throw new Error(`${where}: no operationId`);
      if (found[id]) throw new Error(`${where}: duplicate operationId ${id}`);

      // Operation-level parameters override path-level ones with the same name and location.
      const byKey = new Map<string, ArtifactParameter>();
      const own = Array.isArray(operation.parameters) ? operation.parameters : [];
      for (const [i, raw] of [...shared, ...own].entries()) {
        const at = `${where}/parameters/${i}`;
        const parameter = resolveComponent(document, raw, 'parameters', at);
        if (!isObject(parameter) || typeof parameter.name !== 'string') {
          throw new Error(`${at}: not a parameter`);
        }
        const location = parameter.in as ArtifactParameter['in'];
        byKey.set(`${location}:${parameter.name}`, {
          name: parameter.name,
          in: location,
          required: parameter.required === true,
          schema: (parameter.schema === undefined
            ? {}
            : convertSchema(parameter.schema, `${at}/schema`)) as JsonObject,
        });
      }

      const entry: ArtifactOperation = {
        method: method.toUpperCase(),
        path,
        parameters: [...byKey.values()],
        responses: {},
      };
      if (operation.requestBody !== undefined) {
        const at = `${where}/requestBody`;
        const body = resolveComponent(document, operation.requestBody, 'requestBodies', at);
        if (!isObject(body)) throw new Error(`${at}: not a request body`);
        const schema = jsonSchemaOf(body.content ?? null, at);
        entry.requestBody = { required: body.required === true, ...(schema ? { schema } : {}) };
      }
      const responses = isObject(operation.responses) ? operation.responses : {};
      for (const status of Object.keys(responses).sort()) {
        const at = `${where}/responses/${status}`;
        const response = resolveComponent(document, responses[status]!, 'responses', at);
        if (!isObject(response)) throw new Error(`${at}: not a response`);
        const schema = jsonSchemaOf(response.content ?? null, at);
        entry.responses[status] = schema ? { schema } : {};
      }
      found[id] = entry;
    }
  }

  const operations: Record<string, ArtifactOperation> = {};
  for (const id of Object.keys(found).sort()) operations[id] = found[id]!;
  const info = isObject(document.info) ? document.info : {};
  return {
    $comment: `Generated by \`npm run generate\` (scripts/generate.ts) from the OpenAPI document below. Do not edit; \`npm run generate:check\` fails when it differs from a fresh generation.`,
    source: `${source.title} (${name}): ${source.origin}`,
    version: typeof info.version === 'string' ? info.version : '',
    sha256: source.sha256,
    $defs,
    operations,
  };
}
