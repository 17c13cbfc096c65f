/**
 * Path parameters, always percent-encoded. A value that cannot survive URL normalisation
 * (empty, `.` or `..`, which resolve away even when encoded) is refused before anything is sent.
 */
import { InvalidArgumentError } from './errors.js';

const TEMPLATE = /\{([^{}]+)\}/g;

export function encodePathParam(name: string, value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new InvalidArgumentError(
      `path.${name}`,
      `Path parameter "${name}" must be a string, got ${value === null ? 'null' : typeof value}`,
    );
  }
  const raw = String(value);
  if (raw === '' || raw === '.' || raw === '..') {
    throw new InvalidArgumentError(
      `path.${name}`,
      `Path parameter "${name}" cannot be ${raw === '' ? 'empty' : `"${raw}"`}: URLs resolve it away`,
    );
  }
  return encodeURIComponent(raw);
}

/** A path template split once into literal text and parameter names (`{ name }`). */
type TemplatePart = string | { name: string };
const compiled = new Map<string, TemplatePart[]>();

function partsOf(template: string): TemplatePart[] {
  let parts = compiled.get(template);
  if (!parts) {
    parts = [];
    let last = 0;
    for (const match of template.matchAll(TEMPLATE)) {
      parts.push(template.slice(last, match.index), { name: match[1]! });
      last = match.index + match[0].length;
    }
    parts.push(template.slice(last));
    // Templates are the API's routes: a fixed, small set.
    compiled.set(template, parts);
  }
  return parts;
}

/**
 * Fills `{name}` placeholders in an OpenAPI path template from `params`, then from `bound` (the
 * client's own, such as the store id).
 */
export function serializePath(
  template: string,
  params: Record<string, unknown>,
  bound: Record<string, unknown> = {},
): string {
  let path = '';
  for (const part of partsOf(template)) {
    if (typeof part === 'string') {
      path += part;
      continue;
    }
    const { name } = part;
    const source = Object.hasOwn(params, name) ? params : Object.hasOwn(bound, name) ? bound : null;
    if (!source) {
      throw new InvalidArgumentError(
        `path.${name}`,
        `Path parameter "${name}" is required for ${template}`,
      );
    }
    path += encodePathParam(name, source[name]);
  }
  return path;
}
