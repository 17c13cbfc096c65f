import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layering, lowest first: generated code is reached only through src/clients; src/shared (the
 * service kit) builds on the clients; each service (src/sessions, src/memory) builds on shared and
 * the clients and never on another service; agent tools (src/tools) build on memory and shared;
 * the CLI (src/cli) may use all of them.
 * A layer may import itself and the layers listed as allowed, nothing else under src/.
 */
const LAYERS = {
  generated: [],
  clients: ['generated'],
  shared: ['clients'],
  sessions: ['shared', 'clients'],
  memory: ['shared', 'clients'],
  tools: ['memory', 'shared'],
  cli: ['sessions', 'memory', 'tools', 'shared', 'clients'],
};

const describe = (allowed) =>
  allowed.length === 0 ? 'itself' : allowed.map((name) => `src/${name}`).join(' and ');

function layers() {
  return Object.entries(LAYERS).map(([layer, allowed]) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: Object.keys(LAYERS)
            .filter((other) => other !== layer && !allowed.includes(other))
            .map((other) => ({
              group: [`**/${other}/*`, `**/${other}`],
              message: `src/${layer} may import only ${describe(allowed)}, never src/${other}.`,
            })),
        },
      ],
    },
  }));
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'bench/.dist/**',
      'coverage/**',
      'docs/**',
      'src/generated/**',
      'node_modules/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  ...layers(),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly' },
    },
  },
);
