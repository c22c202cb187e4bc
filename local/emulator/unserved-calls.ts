import * as grpc from '@grpc/grpc-js';
import { auth, cache, control, functions, leaderboard, ping, pubsub, token, webhook } from '@gomomento/generated-types';
import { statusError } from './status-error';

/**
 * Every gRPC service that @gomomento/generated-types defines, served or not
 * (test/local/emulator/unserved-calls.test.ts checks that none is missing).
 */
export const MOMENTO_SERVICES: readonly grpc.ServiceDefinition[] = [
  cache.cache_client.UnimplementedScsService.definition,
  control.control_client.UnimplementedScsControlService.definition,
  pubsub.cache_client.pubsub.UnimplementedPubsubService.definition,
  ping.cache_client.UnimplementedPingService.definition,
  token.token.UnimplementedTokenService.definition,
  auth.auth.UnimplementedAuthService.definition,
  leaderboard.leaderboard.UnimplementedLeaderboardService.definition,
  webhook.webhook.UnimplementedWebhookService.definition,
  functions.function_client.UnimplementedFunctionRegistryService.definition,
  functions.function_client.UnimplementedFunctionHostService.definition,
];

/** A call's name: its path without the leading slash, e.g. `cache_client.Scs/GetWithHash`. */
export function callName(method: grpc.MethodDefinition<unknown, unknown>): string {
  return method.path.replace(/^\//, '');
}

/**
 * The handler of a call the emulator does not serve: UNIMPLEMENTED, with a message that says so
 * and names the call (the SDK reports UNIMPLEMENTED as BAD_REQUEST_ERROR, "The request was invalid",
 * which would otherwise read like the caller's mistake).
 */
export function unservedCall(method: grpc.MethodDefinition<unknown, unknown>): grpc.UntypedHandleCall {
  const error = () =>
    statusError(
      grpc.status.UNIMPLEMENTED,
      `the local emulator does not serve ${callName(method)} (docs/emulator.md lists the calls it does not serve)`,
    );
  if (method.responseStream) {
    // grpc-js turns an 'error' event on a server stream into the call's status.
    return ((call: grpc.ServerWritableStream<unknown, unknown>) =>
      call.emit('error', error())) as grpc.UntypedHandleCall;
  }
  return ((_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(error())) as grpc.UntypedHandleCall;
}
