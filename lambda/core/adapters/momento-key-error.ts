/**
 * A key that cannot be used: missing, empty or unreadable. The message never contains key material.
 * In its own file so that readers of keys (the verify command) need not bundle Secrets Manager.
 */
export class MomentoKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MomentoKeyError';
  }
}
