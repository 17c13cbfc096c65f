/** The adk-redis command line: what it accepts, what it refuses and why. */
import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/errors.js';
import { loadDevtools } from '../../../src/cli/devtools.js';
import { DEFAULT_PORT, parseCommandLine } from '../../../src/cli/options.js';

const usageError = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  try {
    parseCommandLine(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('ADK_REDIS_CLI_USAGE');
    expect((error as CliError).exitCode).toBe(2);
    return (error as CliError).message;
  }
  throw new Error(`parseCommandLine accepted ${argv.join(' ')}`);
};

describe('parseCommandLine', () => {
  it('reads web with every flag', () => {
    expect(
      parseCommandLine([
        'web',
        'agents',
        '--backend',
        'redis-agent-memory',
        '--api-base-url',
        'https://example.test',
        '--store-id',
        'store-1',
        '--no-memory',
        '--host',
        '0.0.0.0',
        '--port',
        '9000',
        '--log-level',
        'debug',
      ]),
    ).toEqual({
      kind: 'serve',
      command: 'web',
      agentsDir: 'agents',
      host: '0.0.0.0',
      port: 9000,
      backend: 'redis-agent-memory',
      apiBaseUrl: 'https://example.test',
      storeId: 'store-1',
      memory: false,
      logLevel: 'debug',
    });
  });

  it('defaults: working directory, loopback, its own port, managed backend, memory on', () => {
    expect(parseCommandLine(['api_server'], {})).toEqual({
      kind: 'serve',
      command: 'api_server',
      agentsDir: '.',
      host: '127.0.0.1',
      port: DEFAULT_PORT,
      backend: 'redis-agent-memory',
      memory: true,
      logLevel: 'info',
    });
  });

  it('takes the backend from ADK_REDIS_BACKEND, and the flag over it', () => {
    const env = { ADK_REDIS_BACKEND: 'opensource-agent-memory' };
    expect(parseCommandLine(['web'], env)).toMatchObject({ backend: 'opensource-agent-memory' });
    expect(parseCommandLine(['web', '--backend', 'redis-agent-memory'], env)).toMatchObject({
      backend: 'redis-agent-memory',
    });
    expect(usageError(['web'], { ADK_REDIS_BACKEND: 'redis' })).toContain('ADK_REDIS_BACKEND');
  });

  it('answers --help and --version before anything else', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['web', '-h'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
  });

  it('refuses a secret on the command line, naming the variable to use instead', () => {
    const message = usageError(['web', '--api-key=sk-secret-value']);
    expect(message).toContain('REDIS_AGENT_MEMORY_API_KEY');
    expect(message).not.toContain('sk-secret-value');
    expect(usageError(['web', '--token', 'abc'])).toContain('AMS_TOKEN');
  });

  it('names what is wrong', () => {
    expect(usageError([])).toContain('a command is required');
    expect(usageError(['serve'])).toContain('unknown command "serve"');
    expect(usageError(['web', 'a', 'b'])).toContain('unexpected argument "b"');
    expect(usageError(['web', '--port', '70000'])).toContain('--port');
    expect(usageError(['web', '--port', 'http'])).toContain('--port');
    expect(usageError(['web', '--backend', 'postgres'])).toContain('--backend');
    expect(usageError(['web', '--log-level', 'loud'])).toContain('--log-level');
    expect(usageError(['web', '--colour'])).toContain('--colour');
    expect(usageError(['web', '--api-base-url', ' '])).toContain('--api-base-url');
    expect(
      usageError(['web', '--backend', 'opensource-agent-memory', '--store-id', 's']),
    ).toContain('--store-id');
  });
});

describe('loadDevtools', () => {
  it('says how to install @google/adk-devtools when it is missing', async () => {
    const missing = Object.assign(
      new Error("Cannot find package '@google/adk-devtools' imported from cli.js"),
      { code: 'ERR_MODULE_NOT_FOUND' },
    );
    const error = await loadDevtools(() => Promise.reject(missing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('ADK_REDIS_CLI_DEVTOOLS_MISSING');
    expect((error as CliError).message).toContain('npm install --save-dev @google/adk-devtools');
  });

  it('lets any other failure through unchanged', async () => {
    const other = Object.assign(new Error("Cannot find package 'express'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    await expect(loadDevtools(() => Promise.reject(other))).rejects.toBe(other);
  });

  it('loads the installed package', async () => {
    const devtools = await loadDevtools();
    expect(typeof devtools.AdkApiServer).toBe('function');
  });
});
