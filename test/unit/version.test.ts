import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { USER_AGENT } from '../../src/clients/index.js';
import { VERSION } from '../../src/index.js';

describe('VERSION', () => {
  it('matches package.json and appears in the User-Agent', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(USER_AGENT).toContain(`adk-redis-ts/${pkg.version}`);
  });
});
