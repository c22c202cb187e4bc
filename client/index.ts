// Browser-safe entry of the device client: nothing reachable from here imports @gomomento/sdk.
export { DeviceSession } from './device-session';
export type {
  DeviceSessionEvents,
  DeviceSessionOptions,
  DeviceSessionState,
  RetryEvent,
  StartResult,
  TrackedSession,
} from './device-session';
export { DeviceSessionError } from './device-session-error';
export type { DeviceSessionLogger } from './session-logger';
export { createHttpTopicTransport } from './http-topic-transport';
export type { HttpTopicTransportOptions } from './http-topic-transport';
export { httpBaseUrlFromToken } from './http-endpoint';
export { TopicTransportError } from './topic-transport';
export type {
  TopicAddress,
  TopicFailureKind,
  TopicSubscription,
  TopicSubscriptionHandlers,
  TopicTransport,
} from './topic-transport';
export type { FetchLikeResponse, RequestToken, TokenAnswer, TokenRequestBody } from './token-request';
export { HEARTBEAT_MAX_BYTES } from './contracts';
export type { ActiveSession, ControlMessage, HeartbeatMessage, Refusal, TokenGrant } from './contracts';
export type { EventTargetLike, PageLifecycle } from './page-exit';
export type { BackoffPolicy, RetryPolicy } from './backoff';
export {
  BACKEND_EXPIRED_REASONS,
  CLIENT_ERROR_CODES,
  END_REASONS,
  EVICTED_REASONS,
  EXPIRED_REASONS,
  STOPPED_REASONS,
  TOKEN_ERROR_CODES,
} from './reasons';
export type {
  BackendExpiredReason,
  ClientErrorCode,
  DeviceSessionErrorCode,
  EndReason,
  EvictedReason,
  ExpiredReason,
  StoppedReason,
  TokenErrorCode,
} from './reasons';
