import { Metadata, status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';

/**
 * A gRPC error as Momento returns it: a status code, a message, and optionally the `err` trailer
 * the SDK reads to tell similar errors apart (e.g. `item_not_found`).
 */
export function statusError(code: status, message: string, errCause?: string): ServiceError {
  const metadata = new Metadata();
  if (errCause !== undefined) metadata.set('err', errCause);
  return Object.assign(new Error(message), { code, details: message, metadata });
}

/** True when `value` is an error carrying a gRPC status code. */
export function isStatusError(value: unknown): value is ServiceError {
  return value instanceof Error && typeof (value as Partial<ServiceError>).code === 'number';
}
