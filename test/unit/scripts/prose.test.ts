/**
 * Prose removal: what goes (documentation), what stays (everything the types and validators use),
 * and the committed managed client and fake artifact carrying none of the document's text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stripProse } from '../../../scripts/lib/prose.js';
import { OPERATIONS_ARTIFACTS, PROJECT_ROOT, readSources } from '../../../scripts/lib/specs.js';
import { pinnedManagedDocument } from './workflow-tree.js';

const document = {
  openapi: '3.0.2',
  info: { title: 'T', version: '1', description: 'About the API.', 'x-logo': { url: 'l.png' } },
  externalDocs: { url: 'https://example.invalid/docs' },
  paths: {
    '/things/{id}': {
      summary: 'Things.',
      'x-internal': true,
      get: {
        operationId: 'GetThing',
        summary: 'Gets a thing.',
        description: 'Gets one thing by id.',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            description: 'The id.',
            example: 'abc',
            schema: { type: 'string', pattern: '^[a-z]+$', minLength: 1, maxLength: 8 },
          },
        ],
        responses: {
          '200': {
            description: 'The thing.',
            headers: { 'x-request-id': { description: 'Request id.', schema: { type: 'string' } } },
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/Thing' },
                examples: { one: { value: { description: 'data, not prose' } } },
              },
            },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        title: 'Thing',
        description: 'A thing.',
        required: ['description', 'summary'],
        properties: {
          description: { type: 'string', description: 'The thing described.', maxLength: 100 },
          summary: { type: 'string', format: 'byte', example: 'c3VtbWFyeQ==' },
          title: { type: 'string', enum: ['a', 'b'] },
          options: { type: 'object', default: { description: 'a default value' } },
          size: { type: 'integer', minimum: 0, maximum: 10, format: 'int32' },
        },
      },
    },
    securitySchemes: {
      oauth: {
        type: 'oauth2',
        description: 'OAuth.',
        flows: {
          clientCredentials: { tokenUrl: '/token', scopes: { 'memory:read': 'Read memories.' } },
        },
      },
    },
  },
};

describe('stripProse', () => {
  const stripped = stripProse(document) as typeof document;

  it('removes descriptions, summaries, examples, external docs and extensions everywhere', () => {
    const text = JSON.stringify(stripped);
    for (const prose of [
      'About the API.',
      'Things.',
      'Gets a thing.',
      'Gets one thing by id.',
      'The id.',
      'The thing.',
      'Request id.',
      'A thing.',
      'The thing described.',
      'c3VtbWFyeQ==',
      'data, not prose',
      'example.invalid',
      'l.png',
      'x-internal',
      'OAuth.',
      'Read memories.',
    ]) {
      expect(text).not.toContain(prose);
    }
  });

  it('keeps names, types, formats, patterns, enums, defaults and limits', () => {
    expect(stripped.paths['/things/{id}'].get.parameters[0]).toEqual({
      name: 'id',
      in: 'path',
      required: true,
      schema: { type: 'string', pattern: '^[a-z]+$', minLength: 1, maxLength: 8 },
    });
    expect(stripped.components.schemas.Thing).toEqual({
      type: 'object',
      title: 'Thing',
      required: ['description', 'summary'],
      properties: {
        description: { type: 'string', maxLength: 100 },
        summary: { type: 'string', format: 'byte' },
        title: { type: 'string', enum: ['a', 'b'] },
        options: { type: 'object', default: { description: 'a default value' } },
        size: { type: 'integer', minimum: 0, maximum: 10, format: 'int32' },
      },
    });
    const ok = stripped.paths['/things/{id}'].get.responses['200'];
    expect(ok.headers).toEqual({ 'x-request-id': { schema: { type: 'string' } } });
    expect(ok.content['application/json']).toEqual({
      schema: { $ref: '#/components/schemas/Thing' },
    });
    expect(stripped.components.securitySchemes.oauth.flows.clientCredentials.scopes).toEqual({
      'memory:read': '',
    });
    expect(stripped.info).toEqual({ title: 'T', version: '1' });
  });

  it('leaves its input alone', () => {
    expect(document.components.schemas.Thing.description).toBe('A thing.');
  });
});

describe('the committed generated code', () => {
  const sources = readSources();
  const managed = sources['redis-agent-memory'];
  const managedCode = readFileSync(join(PROJECT_ROOT, managed.generated), 'utf8');
  const artifact = readFileSync(
    join(PROJECT_ROOT, OPERATIONS_ARTIFACTS['redis-agent-memory']!),
    'utf8',
  );

  it('has no documentation comments from the managed document, and points at its reference', () => {
    expect(managed.options.stripProse).toBe(true);
    expect(managedCode).not.toMatch(/@(description|example|summary)\b/);
    expect(managedCode).toContain(managed.upstream!.reference);
    expect(managedCode).toContain(`sha256: ${managed.sha256}`);
    expect(managedCode).toContain(managed.origin);
  });

  it("keeps the Agent Memory Server's documentation (its option is off)", () => {
    const ams = sources['agent-memory-server'];
    expect(ams.options.stripProse).toBe(false);
    expect(readFileSync(join(PROJECT_ROOT, ams.generated), 'utf8')).toContain('@description');
  });

  const pinned = pinnedManagedDocument();
  it.skipIf(!pinned)('contains none of the pinned managed document’s prose', () => {
    const prose = new Set<string>();
    (function collect(value: unknown, key?: string): void {
      if (Array.isArray(value)) value.forEach((item) => collect(item));
      else if (value && typeof value === 'object') {
        for (const [k, inner] of Object.entries(value)) collect(inner, k);
      } else if (typeof value === 'string' && (key === 'description' || key === 'summary')) {
        // Short ones ("OK", a status title) are names rather than prose; a sentence is not.
        if (value.trim().split(/\s+/).length >= 4) prose.add(value.trim());
      }
    })(JSON.parse(pinned!.toString('utf8')));
    expect(prose.size).toBeGreaterThan(50);
    for (const text of prose) {
      // Its first line, as a comment would carry it (long text is re-wrapped there).
      const line = text.split('\n')[0]!.trim().slice(0, 40);
      expect(managedCode).not.toContain(line);
      expect(artifact).not.toContain(line);
    }
  });
});
