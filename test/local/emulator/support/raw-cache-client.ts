import { cache } from '@gomomento/generated-types';
import * as grpc from '@grpc/grpc-js';

/**
 * A bare gRPC client for the data plane, for request shapes the SDK 1.118.1 never sends (exclusive
 * score bounds, a missing cache header).
 */
export function rawCacheClient(hostname: string, port: number): cache.cache_client.ScsClient {
  return new cache.cache_client.ScsClient(`${hostname}:${port}`, grpc.credentials.createInsecure());
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  callback: (error: grpc.ServiceError | null, response?: Res) => void,
) => unknown;

/** Calls a unary rpc with the `cache` header set (unless `cacheName` is undefined). */
export function callUnary<Req, Res>(
  method: UnaryMethod<Req, Res>,
  request: Req,
  cacheName: string | undefined,
): Promise<Res> {
  const metadata = new grpc.Metadata();
  if (cacheName !== undefined) metadata.set('cache', cacheName);
  return new Promise((resolve, reject) => {
    method(request, metadata, (error, response) => (error ? reject(error) : resolve(response as Res)));
  });
}
