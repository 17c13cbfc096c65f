import { defineConfig } from 'tsup';

// One ESM and one CJS build of each public entry point, with .d.ts / .d.cts beside them.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'agent-memory-server': 'src/agent-memory-server.ts',
    'redis-agent-memory': 'src/redis-agent-memory.ts',
    memory: 'src/long-term-memory.ts',
    tools: 'src/tools/index.ts',
    // The adk-redis bin: esbuild keeps its #! line and tsup marks the output executable.
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
});
