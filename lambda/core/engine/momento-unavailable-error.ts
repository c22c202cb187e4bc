import type { MomentoCallError } from '../ports/momento-ports';

/**
 * Momento failed on the request path and the answer cannot be degraded (FAILURE_MODE `closed`, or
 * an error that is not an outage: permission, authentication, argument): answer 503.
 */
export class MomentoUnavailableError extends Error {
  constructor(readonly cause: MomentoCallError) {
    super(`Momento is unavailable: ${cause.message}`);
    this.name = 'MomentoUnavailableError';
  }
}
