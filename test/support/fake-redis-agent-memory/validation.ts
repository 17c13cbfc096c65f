/**
 * Schema checks with zod 4's `z.fromJSONSchema`, against the artifact's `$defs`: request bodies and
 * parameters (→ 400 `fields`) and the fake's own responses (→ `violations`). Each distinct schema is
 * compiled once and cached.
 */
import { z } from 'zod';
import type { ArtifactOperation, ArtifactParameter, OperationsArtifact } from './artifact.js';
import type { FieldError } from './problems.js';

type Issue = z.core.$ZodIssue;

export class SchemaValidator {
  private readonly compiled = new Map<string, z.ZodType>();

  constructor(private readonly artifact: OperationsArtifact) {}

  /** Field errors of `value` against `schema` (empty when valid). `field` names the top level. */
  check(schema: object, value: unknown, field?: string): FieldError[] {
    const result = this.compile(schema).safeParse(value);
    if (result.success) return [];
    return result.error.issues.map((issue) => toFieldError(issue, value, field));
  }

  /** Field errors of the `$defs` schema `name`. */
  checkDef(name: string, value: unknown): FieldError[] {
    if (!this.artifact.$defs[name]) throw new Error(`the artifact has no schema ${name}`);
    return this.check({ $ref: `#/$defs/${name}` }, value);
  }

  /**
   * Reads a raw path or query value as its schema's type (query strings carry only text), then
   * checks it. `undefined` is returned for an absent optional parameter.
   */
  parameter(
    parameter: ArtifactParameter,
    raw: string | undefined,
  ): { value?: unknown; errors: FieldError[] } {
    const field = parameter.name;
    if (raw === undefined) {
      return parameter.required
        ? { errors: [{ field, rule: 'required', message: `${field} is required` }] }
        : { errors: [] };
    }
    const type = typeof parameter.schema.type === 'string' ? parameter.schema.type : 'string';
    const value = coerce(type, raw);
    if (value === undefined) {
      const message = `${field} must be ${type}, got "${raw}"`;
      return { errors: [{ field, rule: 'type', message }] };
    }
    const errors = this.check(parameter.schema, value, field);
    return errors.length ? { errors } : { value, errors };
  }

  /**
   * Contract problems of a response the fake is about to send, as text for `violations`: the
   * status must be declared, a declared schema must match, and a schema-less status has no body.
   */
  response(
    operationId: string,
    operation: ArtifactOperation,
    status: number,
    body: unknown,
  ): string[] {
    const declared = operation.responses[String(status)];
    if (!declared) return [`${operationId}: status ${status} is not declared`];
    if (!declared.schema) {
      return body === undefined ? [] : [`${operationId}: status ${status} declares no body`];
    }
    if (body === undefined) return [`${operationId}: status ${status} needs a JSON body`];
    return this.check(declared.schema, body).map(
      (e) => `${operationId} ${status}: ${e.field}: ${e.message} (${e.rule})`,
    );
  }

  private compile(schema: object): z.ZodType {
    const key = JSON.stringify(schema);
    let compiled = this.compiled.get(key);
    if (!compiled) {
      compiled = z.fromJSONSchema({ ...schema, $defs: this.artifact.$defs });
      this.compiled.set(key, compiled);
    }
    return compiled;
  }
}

/** Query and path text as a value of the schema's type; `undefined` when it cannot be one. */
function coerce(type: string, raw: string): unknown {
  switch (type) {
    case 'integer':
      return /^-?\d+$/.test(raw) ? Number(raw) : undefined;
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : undefined;
    default:
      return raw;
  }
}

/** A zod issue as the API's `{field, rule, message}`; `rule` is the JSON Schema keyword at fault. */
function toFieldError(issue: Issue, input: unknown, top?: string): FieldError {
  const path = issue.path.map(String);
  const field = [top, ...path].filter((part) => part !== undefined).join('.') || 'body';
  return { field, rule: ruleOf(issue, input), message: issue.message };
}

function ruleOf(issue: Issue, input: unknown): string {
  const bound = (issue: { origin: string }, min: boolean): string => {
    const suffix = issue.origin === 'string' ? 'Length' : issue.origin === 'array' ? 'Items' : '';
    return suffix ? `${min ? 'min' : 'max'}${suffix}` : min ? 'minimum' : 'maximum';
  };
  // Whatever zod calls it (a missing enum value is `invalid_value`), an absent key is `required`.
  if (isMissing(input, issue.path)) return 'required';
  switch (issue.code) {
    case 'invalid_type':
      return 'type';
    case 'too_small':
      return bound(issue, true);
    case 'too_big':
      return bound(issue, false);
    case 'invalid_format':
      return issue.format === 'regex' ? 'pattern' : 'format';
    case 'invalid_value':
      return 'enum';
    case 'invalid_union':
      return 'oneOf';
    case 'unrecognized_keys':
      return 'additionalProperties';
    case 'not_multiple_of':
      return 'multipleOf';
    default:
      return issue.code;
  }
}

/** True when the issue's path ends at a key its parent object does not have. */
function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return input === undefined;
  let parent: unknown = input;
  for (const key of path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return false;
    parent = (parent as Record<PropertyKey, unknown>)[key];
  }
  return (
    typeof parent === 'object' &&
    parent !== null &&
    !Object.prototype.hasOwnProperty.call(parent, path[path.length - 1]!)
  );
}
