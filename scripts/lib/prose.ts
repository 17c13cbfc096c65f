/**
 * Removes the prose of an OpenAPI 3.x document: descriptions, summaries, examples, external docs
 * and `x-` extensions. Names, types, formats, patterns, enums, defaults and limits stay, so the
 * generated types and schemas are unchanged apart from their comments.
 *
 * Why: the managed API's document is licensed CC BY-NC-SA 4.0, and what we publish must not carry
 * its text. Users read the documentation in the published API reference instead.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keywords whose value is documentation, wherever they stand as keywords. */
const PROSE_KEYWORDS = new Set(['description', 'summary', 'example', 'examples', 'externalDocs']);

/** Keywords whose value is a map from names (not keywords) to objects. */
const NAME_MAPS = new Set([
  'paths',
  'schemas',
  'properties',
  'patternProperties',
  'definitions',
  '$defs',
  'dependentSchemas',
  'responses',
  'requestBodies',
  'parameters', // a map under components, an array under operations
  'headers',
  'content',
  'encoding',
  'links',
  'callbacks',
  'securitySchemes',
  'variables',
  'webhooks',
  'pathItems',
]);

/** Keywords whose value is data, never walked: `{ "description": "x" }` inside is a value. */
const VALUES = new Set(['enum', 'const', 'default', 'required', 'security', 'mapping']);

/** Name maps where `x-` keys are extensions rather than names (a header may be `x-request-id`). */
const EXTENSIBLE_MAPS = new Set(['paths', 'responses', 'callbacks', 'webhooks']);

/** OAuth flow scopes: scope names stay, their descriptions (prose) become empty. */
const SCOPES = 'scopes';

/** A copy of `document` without its prose. The input is not modified. */
export function stripProse(document: unknown): unknown {
  return node(document as Json);
}

function node(value: Json): Json {
  if (Array.isArray(value)) return value.map(node);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const [key, inner] of Object.entries(value)) {
    if (PROSE_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    if (VALUES.has(key)) out[key] = inner;
    else if (key === SCOPES && isMap(inner)) out[key] = mapValues(inner, () => '');
    else if (NAME_MAPS.has(key) && isMap(inner)) {
      out[key] = mapValues(inner, node, EXTENSIBLE_MAPS.has(key));
    } else out[key] = node(inner);
  }
  return out;
}

function isMap(value: Json): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mapValues(
  map: { [key: string]: Json },
  f: (value: Json) => Json,
  dropExtensions = false,
): Json {
  const out: { [key: string]: Json } = {};
  for (const [name, inner] of Object.entries(map)) {
    if (dropExtensions && name.startsWith('x-')) continue;
    out[name] = f(inner);
  }
  return out;
}
