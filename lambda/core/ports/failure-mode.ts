import type { MomentoCallError } from './momento-ports';

/**
 * Whether a Momento failure is an outage (timeouts, connection failures, Momento's unavailable and
 * internal-server answers: the kind `unavailable`), the only case FAILURE_MODE `open` answers
 * degraded. A refusal (permission, authentication, a bad argument, a missing cache, throttling of
 * this account) is no outage: failing open on it would turn a misconfiguration, or load a caller
 * can cause, into unlimited admissions.
 */
export function momentoIsUnavailable(error: MomentoCallError): boolean {
  return error.kind === 'unavailable';
}
