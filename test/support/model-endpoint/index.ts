/** The loopback OpenAI-compatible model endpoint the Agent Memory Server harness points AMS at. */
export {
  MAX_BODY_BYTES,
  startModelEndpoint,
  type ModelCall,
  type ModelEndpoint,
  type ModelEndpointOptions,
} from './server.js';
export {
  classifyPrompt,
  defaultChatScript,
  extractionTurns,
  summarizationLines,
  type ChatScript,
  type ChatScriptInput,
  type ChatScriptReply,
  type PromptKind,
  type PromptTurn,
} from './chat-script.js';
export { MAX_EMBEDDING_DIMENSIONS, embedText, wordsOf } from './embeddings.js';
