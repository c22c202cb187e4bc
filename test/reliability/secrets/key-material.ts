/**
 * Recognises key material in text: what must never appear in a template, an environment value or
 * a log line. Patterns cover the forms a Momento key, a disposable token, a private key or an AWS
 * secret take; `canaries` are the exact values a test planted (keys it handed the runtime).
 */
const PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['JWT or Momento token', /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
  ['PEM private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['Momento v1 key JSON', /"api_key"\s*:/],
  ['AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['AWS secret access key', /aws_secret_access_key/i],
];

/** Each finding names the pattern (or canary) and a short excerpt around it. */
export function findKeyMaterial(text: string, canaries: readonly string[] = []): string[] {
  const findings: string[] = [];
  const excerpt = (index: number) => JSON.stringify(text.slice(Math.max(0, index - 40), index + 60));
  for (const [name, pattern] of PATTERNS) {
    const match = pattern.exec(text);
    if (match) findings.push(`${name} at ${excerpt(match.index)}`);
  }
  for (const canary of canaries) {
    // A fragment is enough: a log that truncates or splits a key still leaks it.
    for (const piece of [canary, canary.slice(0, 24), canary.slice(-24)]) {
      const index = piece.length >= 12 ? text.indexOf(piece) : -1;
      if (index >= 0) {
        findings.push(`planted secret at ${excerpt(index)}`);
        break;
      }
    }
  }
  return findings;
}

/**
 * Names of variables that, by their name, hold key material (`..._KEY`, `..._SECRET`, `..._TOKEN`),
 * or name one (`..._KEY_SECRET_ARN`): the first kind must not be an environment value at all, the
 * second must hold a reference. `TOKEN_TTL_SECONDS` and the like are neither.
 */
export const KEY_LIKE_NAME = /(KEY|SECRET|TOKEN|PASSWORD|CREDENTIALS?)(_ARN)?$/i;
