import { status, type ServiceError } from '@grpc/grpc-js';
import { isStatusError, statusError } from '../status-error';
import { errorMessage } from '../error-message';

/**
 * The gRPC errors the cache and control services answer with, shaped as Momento's service returns
 * them so that the unchanged SDK maps each to the same `MomentoErrorCode` it would see for real.
 */

/** Any failure as a gRPC error: ours and the guard's pass through; anything else is an emulator bug. */
export function toServiceError(error: unknown): ServiceError {
  if (isStatusError(error)) return error;
  const message = errorMessage(error);
  return statusError(status.INTERNAL, `emulator error: ${message}`);
}

// Assumption: the wording of these messages is ours; the SDK only looks at the status code
// (NOT_FOUND -> CacheNotFoundError, ALREADY_EXISTS -> CacheAlreadyExistsError, ...).
export const cacheNotFound = (cacheName: string): ServiceError =>
  statusError(status.NOT_FOUND, `Cache not found: ${cacheName}`);

export const cacheAlreadyExists = (cacheName: string): ServiceError =>
  statusError(status.ALREADY_EXISTS, `Cache already exists: ${cacheName}`);

export const invalidArgument = (details: string): ServiceError => statusError(status.INVALID_ARGUMENT, details);

// Assumption: an operation on an item of another type (a list call on a dictionary, a get on a
// list) fails with FAILED_PRECONDITION, which the SDK maps to FailedPreconditionError.
export const wrongItemType = (expected: string, actual: string): ServiceError =>
  statusError(status.FAILED_PRECONDITION, `item is a ${actual}, not a ${expected}`);

/**
 * Momento answers an increment of a non-integer value with FAILED_PRECONDITION "failed to parse
 * value into long" (as observed by momento-node-ioredis-client's tests against the service).
 */
export const notAnInteger = (): ServiceError =>
  statusError(status.FAILED_PRECONDITION, 'failed to parse value into long');
