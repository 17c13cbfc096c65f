/**
 * What every entry point shares: typed errors and their brand check, `unwrap`, retry marking, the
 * version. Helpers only the services use (schemas, `backendErrorFrom`, header names) are not public.
 */
export {
  AdkRedisError,
  AuthenticationError,
  BackendError,
  EndpointNotFoundError,
  StoreNotFoundError,
  WrongApiError,
  isAdkRedisError,
  ConfigurationError,
  InvalidArgumentError,
  MalformedResponseError,
  NetworkError,
  TimeoutError,
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
