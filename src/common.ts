/** What every entry point shares: typed errors, `unwrap`, retry marking, the version. */
export {
  AdkRedisError,
  BackendError,
  ConfigurationError,
  InvalidArgumentError,
  MalformedResponseError,
  NetworkError,
  TimeoutError,
  RETRY_SAFE_HEADER,
  USER_AGENT,
  backendErrorFrom,
  retrySafe,
  unwrap,
  type BackendErrorInit,
  type BackendFieldError,
  type BackendName,
  type CommonClientOptions,
  type DebugEvent,
  type FetchResult,
  type RetryOptions,
  type SuccessData,
} from './clients/index.js';
export { VERSION } from './version.js';
