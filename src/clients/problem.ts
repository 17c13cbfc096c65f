/**
 * Reads an error body into problem fields. Managed API: RFC 9457 problem details
 * `{type, title, status, detail, fields?}`. AMS: `{detail: string}` or, for 422, FastAPI's
 * `{detail: [{loc, msg, type}]}`. Anything else (HTML from a proxy, plain text) becomes `detail`.
 */
import type { BackendFieldError } from './errors.js';
import type { Redactor } from './redact.js';

export interface Problem {
  type?: string;
  title?: string;
  detail?: string;
  fields?: BackendFieldError[];
}

const MAX_TEXT = 500;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function truncate(value: string): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT)}…` : flat;
}

/** FastAPI validation entry → field error, with `loc` joined as a dotted path. */
function validationEntry(entry: unknown): BackendFieldError | undefined {
  if (!isRecord(entry)) return undefined;
  const loc = Array.isArray(entry.loc) ? entry.loc.map(String).join('.') : undefined;
  const message = text(entry.msg);
  if (!message) return undefined;
  const rule = text(entry.type);
  return { field: loc ?? '(unknown)', message, ...(rule ? { rule } : {}) };
}

function managedField(entry: unknown): BackendFieldError | undefined {
  if (!isRecord(entry)) return undefined;
  const field = text(entry.field);
  const message = text(entry.message);
  if (!field && !message) return undefined;
  const rule = text(entry.rule);
  return {
    field: field ?? '(unknown)',
    message: message ?? rule ?? 'invalid',
    ...(rule ? { rule } : {}),
  };
}

export function parseProblem(body: unknown, redact: Redactor): Problem {
  const problem: Problem = {};
  if (isRecord(body)) {
    const type = text(body.type);
    const title = text(body.title);
    if (type) problem.type = redact(type);
    if (title) problem.title = truncate(redact(title));
    if (typeof body.detail === 'string') {
      problem.detail = truncate(redact(body.detail));
    } else if (Array.isArray(body.detail)) {
      const fields = body.detail
        .map(validationEntry)
        .filter((f): f is BackendFieldError => f !== undefined);
      if (fields.length) problem.fields = fields;
      problem.detail = 'request validation failed';
    }
    if (Array.isArray(body.fields)) {
      const fields = body.fields
        .map(managedField)
        .filter((f): f is BackendFieldError => f !== undefined);
      if (fields.length) problem.fields = [...(problem.fields ?? []), ...fields];
    }
    if (problem.fields) {
      problem.fields = problem.fields.map((f) => ({
        ...f,
        field: redact(f.field),
        message: truncate(redact(f.message)),
      }));
    }
  } else if (typeof body === 'string' && body.trim() !== '') {
    problem.detail = truncate(redact(body.replace(/<[^>]*>/g, ' ')));
  }
  return problem;
}
