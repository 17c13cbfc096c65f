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

/** Fills `{name}` placeholders in an OpenAPI path template. */
export function serializePath(template: string, params: Record<string, unknown>): string {
  return template.replace(TEMPLATE, (_match, name: string) => {
    if (!Object.hasOwn(params, name)) {
      throw new InvalidArgumentError(
        `path.${name}`,
        `Path parameter "${name}" is required for ${template}`,
      );
    }
    return encodePathParam(name, params[name]);
  });
}
