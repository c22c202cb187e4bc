import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

/**
 * gRPC errors shaped as Momento's service returns them, so that the unchanged SDK maps each one to
 * the same `MomentoErrorCode` it would see against the real service.
 */
export function momentoError(code: status, details: string): ServiceError {
  const metadata = new Metadata();
  return Object.assign(new Error(`${status[code]}: ${details}`), { code, details, metadata });
}

/** True for an error that already carries a gRPC status (ours, or one the call guard threw). */
export function isServiceError(error: unknown): error is ServiceError {
  return (
    error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'details' in error
  );
}

/** Any failure as a gRPC error: ours pass through, anything else is an emulator bug (INTERNAL). */
export function toServiceError(error: unknown): ServiceError {
  if (isServiceError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return momentoError(status.INTERNAL, `emulator error: ${message}`);
}

// Assumption: the wording of these messages is ours; the SDK only looks at the status code
// (NOT_FOUND -> CacheNotFoundError, ALREADY_EXISTS -> CacheAlreadyExistsError, ...).
export const cacheNotFound = (cacheName: string): ServiceError =>
  momentoError(status.NOT_FOUND, `Cache not found: ${cacheName}`);

export const cacheAlreadyExists = (cacheName: string): ServiceError =>
  momentoError(status.ALREADY_EXISTS, `Cache already exists: ${cacheName}`);

export const invalidArgument = (details: string): ServiceError => momentoError(status.INVALID_ARGUMENT, details);

/**
 * Assumption: an operation on an item of another type (a list call on a dictionary, a get on a
 * list) fails with FAILED_PRECONDITION, which the SDK maps to FailedPreconditionError.
 */
export const wrongItemType = (expected: string, actual: string): ServiceError =>
  momentoError(status.FAILED_PRECONDITION, `item is a ${actual}, not a ${expected}`);

/**
 * Momento answers an increment of a non-integer value with FAILED_PRECONDITION "failed to parse
 * value into long" (as observed by momento-node-ioredis-client's tests against the service).
 */
export const notAnInteger = (): ServiceError => momentoError(status.FAILED_PRECONDITION, 'failed to parse value into long');

export const unimplemented = (rpc: string): ServiceError =>
  momentoError(status.UNIMPLEMENTED, `${rpc} is not implemented by the local emulator`);
