import { MomentoErrorCode, type SdkError } from '@gomomento/sdk';
import { MomentoCallError, type MomentoErrorKind } from '../ports/momento-ports';

// How the Momento adapters turn the SDK's error responses into the ports' MomentoCallError.

/** What every Momento error response offers. */
interface ErrorResponse {
  errorCode(): MomentoErrorCode;
  message(): string;
}

const ERROR_KINDS: Partial<Record<MomentoErrorCode, MomentoErrorKind>> = {
  [MomentoErrorCode.AUTHENTICATION_ERROR]: 'authentication',
  [MomentoErrorCode.PERMISSION_ERROR]: 'permission',
  [MomentoErrorCode.NOT_FOUND_ERROR]: 'not-found',
  [MomentoErrorCode.INVALID_ARGUMENT_ERROR]: 'invalid',
  [MomentoErrorCode.BAD_REQUEST_ERROR]: 'invalid',
  [MomentoErrorCode.FAILED_PRECONDITION_ERROR]: 'invalid',
  [MomentoErrorCode.TIMEOUT_ERROR]: 'unavailable',
  [MomentoErrorCode.SERVER_UNAVAILABLE]: 'unavailable',
  [MomentoErrorCode.CONNECTION_ERROR]: 'unavailable',
  [MomentoErrorCode.INTERNAL_SERVER_ERROR]: 'unavailable',
  [MomentoErrorCode.CANCELLED_ERROR]: 'unavailable',
  [MomentoErrorCode.LIMIT_EXCEEDED_ERROR]: 'throttled',
  [MomentoErrorCode.CLIENT_RESOURCE_EXHAUSTED]: 'unavailable',
  [MomentoErrorCode.UNKNOWN_SERVICE_ERROR]: 'unavailable',
};

export function toMomentoCallError(response: ErrorResponse | SdkError, what: string): MomentoCallError {
  const code = response.errorCode();
  const message = typeof response.message === 'function' ? response.message() : String(response.message);
  return new MomentoCallError(ERROR_KINDS[code] ?? 'other', `${what}: ${message}`, code);
}

/** Throws the {@link MomentoCallError} of an SDK response that is not the expected success. */
export function failed(response: unknown, what: string): never {
  if (response && typeof (response as ErrorResponse).errorCode === 'function')
    throw toMomentoCallError(response as ErrorResponse, what);
  throw new MomentoCallError('other', `${what}: unexpected response ${String(response)}`);
}
