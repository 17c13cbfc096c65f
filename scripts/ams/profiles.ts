/**
 * The Agent Memory Server settings of each harness profile (see PROFILES.md next to this file for
 * what each one is for and what was measured). Only environment variables: the processes are
 * started by `scripts/lib/memory-server.ts`.
 */

/** Which AMS configuration to run. */
export type MemoryServerProfile = 'working-memory' | 'long-term-memory' | 'defaults';

export const MEMORY_SERVER_PROFILES: readonly MemoryServerProfile[] = [
  'working-memory',
  'long-term-memory',
  'defaults',
];

/** Settings of the `defaults` profile that tests tune (ignored by the other profiles). */
export interface DefaultsProfileOptions {
  /**
   * `EXTRACTION_DEBOUNCE_SECONDS`: how long after a PUT with unextracted messages AMS waits before
   * it reads the document and calls the LLM. Whole seconds, at least 1 (AMS uses it as a Redis TTL).
   * Default 30, as AMS.
   */
  extractionDebounceSeconds?: number;
  /**
   * `SUMMARIZATION_THRESHOLD` (0 < x <= 1, AMS default 0.7): the share of the context window above
   * which a PUT is summarised. The window is 16 000 tokens unless the PUT passes
   * `context_window_max` or `model_name`; see PROFILES.md for why a threshold alone cannot make a
   * few short messages summarise.
   */
  summarizationThreshold?: number;
  /**
   * Turn topic and entity extraction on (LLM source, answered by the loopback endpoint). Off by
   * default: on Redis Stack 7.4 the step that stores their result fails (`HSETEX` needs Redis 8).
   */
  topicsAndEntities?: boolean;
  /**
   * `INDEX_ALL_MESSAGES_IN_LONG_TERM_MEMORY` (AMS default false): every PUT's unpersisted messages
   * become `message` records, and the promotion task writes the document back with `persisted_at`.
   */
  indexAllMessages?: boolean;
}

/** Not a secret: the OpenAI SDK inside LiteLLM refuses an empty key, and the endpoint ignores it. */
export const LOOPBACK_API_KEY = 'loopback-endpoint-needs-no-key';

/**
 * Every profile: no network. Proxies point at a closed loopback port (discard, 9), so any HTTP call
 * that is not to 127.0.0.1 fails at once instead of reaching the internet; model downloads and the
 * LiteLLM price-map fetch are off.
 */
export const OFFLINE_ENV: Readonly<Record<string, string>> = {
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  NO_PROXY: '127.0.0.1,localhost',
  no_proxy: '127.0.0.1,localhost',
  LITELLM_LOCAL_MODEL_COST_MAP: 'True',
  HF_HUB_OFFLINE: '1',
  TRANSFORMERS_OFFLINE: '1',
  WORKING_MEMORY_MIGRATION_COMPLETE: 'true',
};

/** `working-memory`: no long-term memory, no LLM, no embeddings, no background writer. */
export const WORKING_MEMORY_ONLY_ENV: Readonly<Record<string, string>> = {
  LONG_TERM_MEMORY: 'false',
  ENABLE_WORKING_MEMORY_SUMMARIZATION: 'false',
  ENABLE_DISCRETE_MEMORY_EXTRACTION: 'false',
  ENABLE_TOPIC_EXTRACTION: 'false',
  ENABLE_NER: 'false',
  INDEX_ALL_MESSAGES_IN_LONG_TERM_MEMORY: 'false',
  ...OFFLINE_ENV,
};

/** True when the profile needs the loopback model endpoint (embeddings, and chat for `defaults`). */
export function needsModelEndpoint(profile: MemoryServerProfile): boolean {
  return profile !== 'working-memory';
}

/** The embedding model AMS is told to use, so that its index has `dimensions` dimensions. */
export function embeddingModelEnv(dimensions: number): Record<string, string> {
  // AMS knows text-embedding-3-small is 1536 wide; any other size goes through an unknown model
  // name (LiteLLM strips the `openai/` prefix) and REDISVL_VECTOR_DIMENSIONS.
  if (dimensions === 1536) return { EMBEDDING_MODEL: 'text-embedding-3-small' };
  return {
    EMBEDDING_MODEL: `openai/hash-bow-${dimensions}`,
    REDISVL_VECTOR_DIMENSIONS: String(dimensions),
  };
}

function loopbackModelEnv(modelEndpointUrl: string, dimensions: number): Record<string, string> {
  return {
    OPENAI_API_BASE: modelEndpointUrl,
    OPENAI_API_KEY: LOOPBACK_API_KEY,
    ...embeddingModelEnv(dimensions),
  };
}

/** `long-term-memory`: long-term memory and embeddings on, every feature that calls an LLM off. */
export function longTermMemoryEnv(
  modelEndpointUrl: string,
  dimensions: number,
): Record<string, string> {
  return {
    LONG_TERM_MEMORY: 'true',
    ENABLE_DISCRETE_MEMORY_EXTRACTION: 'false',
    ENABLE_WORKING_MEMORY_SUMMARIZATION: 'false',
    ENABLE_TOPIC_EXTRACTION: 'false',
    ENABLE_NER: 'false',
    // On by default: a near-duplicate create asks FAST_MODEL to merge, and is dropped if that fails.
    COMPACT_SEMANTIC_DUPLICATES: 'false',
    // Off so that session documents are never rewritten by the promotion task.
    INDEX_ALL_MESSAGES_IN_LONG_TERM_MEMORY: 'false',
    FORGETTING_ENABLED: 'false',
    ...OFFLINE_ENV,
    ...loopbackModelEnv(modelEndpointUrl, dimensions),
  };
}

function checkDefaultsOptions(options: DefaultsProfileOptions): void {
  const debounce = options.extractionDebounceSeconds;
  if (debounce !== undefined && (!Number.isInteger(debounce) || debounce < 1)) {
    throw new RangeError(`extractionDebounceSeconds must be a whole number >= 1, got ${debounce}`);
  }
  const threshold = options.summarizationThreshold;
  if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) {
    throw new RangeError(`summarizationThreshold must be in (0, 1], got ${threshold}`);
  }
}

/**
 * `defaults`: AMS as users deploy it (long-term memory, discrete extraction, summarisation and
 * semantic-duplicate merging on), every LLM and embeddings call answered by the loopback endpoint.
 */
export function defaultsEnv(
  modelEndpointUrl: string,
  dimensions: number,
  options: DefaultsProfileOptions = {},
): Record<string, string> {
  checkDefaultsOptions(options);
  const topicsAndEntities = options.topicsAndEntities ? 'true' : 'false';
  return {
    // AMS's own defaults, written out so that an inherited variable cannot change them.
    LONG_TERM_MEMORY: 'true',
    ENABLE_DISCRETE_MEMORY_EXTRACTION: 'true',
    ENABLE_WORKING_MEMORY_SUMMARIZATION: 'true',
    COMPACT_SEMANTIC_DUPLICATES: 'true',
    INDEX_ALL_MESSAGES_IN_LONG_TERM_MEMORY: options.indexAllMessages ? 'true' : 'false',
    FORGETTING_ENABLED: 'false',
    GENERATION_MODEL: 'gpt-5',
    FAST_MODEL: 'gpt-5-mini',
    EXTRACTION_DEBOUNCE_SECONDS: String(options.extractionDebounceSeconds ?? 30),
    SUMMARIZATION_THRESHOLD: String(options.summarizationThreshold ?? 0.7),
    ENABLE_TOPIC_EXTRACTION: topicsAndEntities,
    ENABLE_NER: topicsAndEntities,
    TOPIC_MODEL_SOURCE: 'LLM',
    NER_MODEL_SOURCE: 'LLM',
    ...OFFLINE_ENV,
    ...loopbackModelEnv(modelEndpointUrl, dimensions),
  };
}

/** The AMS environment of `profile` (`modelEndpointUrl` is required unless `working-memory`). */
export function profileEnv(
  profile: MemoryServerProfile,
  modelEndpointUrl: string | undefined,
  dimensions: number,
  options: DefaultsProfileOptions = {},
): Record<string, string> {
  if (profile === 'working-memory') return { ...WORKING_MEMORY_ONLY_ENV };
  if (!modelEndpointUrl) throw new Error(`profile '${profile}' needs the loopback model endpoint`);
  if (profile === 'long-term-memory') return longTermMemoryEnv(modelEndpointUrl, dimensions);
  if (profile === 'defaults') return defaultsEnv(modelEndpointUrl, dimensions, options);
  throw new Error(
    `unknown profile '${String(profile)}' (use ${MEMORY_SERVER_PROFILES.join(', ')})`,
  );
}
