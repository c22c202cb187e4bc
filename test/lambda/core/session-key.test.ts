import { parseRuntimeConfig } from '../../../lambda/core/runtime/config';
import { processSessionKeySecret, SessionKeys } from '../../../lambda/core/messages/session-key';
import {
  inProcessSessionKeys,
  loadSessionKeys,
  SessionKeySecretError,
} from '../../../lambda/core/adapters/session-key-secret';

const SECRET = 'a-session-key-secret-of-at-least-32-chars';
const ids = { accountId: 'acc-1', sessionId: 'b7f1c7c2-5c1d-4a4b-9c38-0d6c2f0a9e11', deviceId: 'tv' };

describe('session keys', () => {
  const keys = new SessionKeys(SECRET);

  it('derives a 43-character base64url key that verifies for exactly its account, session and device', () => {
    const key = keys.derive(ids);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keys.derive(ids)).toBe(key); // deterministic: a refresh hands back the same key
    expect(keys.verify(ids, key)).toBe(true);
    expect(keys.verify({ ...ids, accountId: 'acc-2' }, key)).toBe(false);
    expect(keys.verify({ ...ids, sessionId: 'another-session' }, key)).toBe(false);
    expect(keys.verify({ ...ids, deviceId: 'phone' }, key)).toBe(false);
    expect(new SessionKeys(`${SECRET}-rotated`).verify(ids, key)).toBe(false);
  });

  it('refuses missing, malformed and tampered keys without throwing', () => {
    const key = keys.derive(ids);
    const flipped = `${key.slice(0, 10)}${key[10] === 'A' ? 'B' : 'A'}${key.slice(11)}`;
    for (const bad of [undefined, '', 'short', `${key}=`, `${key.slice(0, 42)}*`, flipped])
      expect(keys.verify(ids, bad)).toBe(false);
  });

  it('keeps ids apart that a naive join would run together', () => {
    const key = keys.derive({ accountId: 'a', sessionId: 'b:c', deviceId: 'd' });
    expect(keys.verify({ accountId: 'a:b', sessionId: 'c', deviceId: 'd' }, key)).toBe(false);
  });

  it('refuses a secret too short to be one', () => {
    expect(() => new SessionKeys('short')).toThrow(/at least 32/);
  });
});

describe('the session key secret', () => {
  const base = { CACHE_NAME: 'tracker' };

  it('reads the secret by ARN (token vending), or takes SESSION_KEY_SECRET (the subscriber)', async () => {
    const read = jest.fn(async () => ` ${SECRET} `);
    const byArn = await loadSessionKeys(
      parseRuntimeConfig({ ...base, SESSION_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:sk' }),
      read,
    );
    expect(read).toHaveBeenCalledWith('arn:aws:secretsmanager:eu-west-1:1:secret:sk');
    const direct = await loadSessionKeys(parseRuntimeConfig({ ...base, SESSION_KEY_SECRET: SECRET }));
    expect(direct.verify(ids, byArn.derive(ids))).toBe(true);
  });

  it('fails with what to set when a deployed process has no secret, and never names the value', async () => {
    await expect(loadSessionKeys(parseRuntimeConfig(base))).rejects.toThrow(
      /SESSION_KEY_SECRET_ARN or SESSION_KEY_SECRET/,
    );
    await expect(
      loadSessionKeys(parseRuntimeConfig({ ...base, SESSION_KEY_SECRET_ARN: 'arn:x' }), async () => '  '),
    ).rejects.toThrow(SessionKeySecretError);
    const tooShort = loadSessionKeys(parseRuntimeConfig({ ...base, SESSION_KEY_SECRET: 'tiny-secret-value' }));
    await expect(tooShort).rejects.toThrow(/shorter than 32/);
    await expect(tooShort).rejects.not.toThrow(/tiny-secret-value/);
  });

  it('in local runs, shares one random secret per process unless one is given', async () => {
    const local = parseRuntimeConfig({ ...base, MOMENTO_LOCAL_ENDPOINT: '127.0.0.1:1' });
    const loaded = await loadSessionKeys(local);
    expect(loaded.verify(ids, inProcessSessionKeys(local).derive(ids))).toBe(true);
    expect(loaded.verify(ids, new SessionKeys(processSessionKeySecret()).derive(ids))).toBe(true);
    const explicit = inProcessSessionKeys(parseRuntimeConfig({ ...base, SESSION_KEY_SECRET: SECRET }));
    expect(explicit.verify(ids, loaded.derive(ids))).toBe(false);
  });
});
