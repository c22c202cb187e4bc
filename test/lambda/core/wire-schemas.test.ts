import { encodeControlMessage } from '../../../lambda/core/messages/control-message';
import { encodeHeartbeatMessage, parseHeartbeatMessage } from '../../../lambda/core/messages/heartbeat-message';
import { tokenRequestSchema } from '../../../lambda/core/messages/token-request';

const sessionKey = 'A'.repeat(43);

describe('heartbeat messages', () => {
  it('accepts a valid heartbeat and drops unknown fields such as an account', () => {
    const result = parseHeartbeatMessage(
      JSON.stringify({
        v: 1,
        type: 'heartbeat',
        sessionId: 's-1',
        deviceId: 'd-1',
        sessionKey,
        contentId: 'film/42',
        accountId: 'someone-else',
      }),
    );
    expect(result).toEqual({
      ok: true,
      message: { v: 1, type: 'heartbeat', sessionId: 's-1', deviceId: 'd-1', sessionKey, contentId: 'film/42' },
    });
  });

  it.each([
    ['not JSON', '{oops', 'not-json'],
    ['a wrong version', JSON.stringify({ v: 2, type: 'heartbeat', sessionId: 's', deviceId: 'd' }), 'invalid'],
    ['an unknown type', JSON.stringify({ v: 1, type: 'pause', sessionId: 's', deviceId: 'd' }), 'invalid'],
    ['a missing device', JSON.stringify({ v: 1, type: 'stop', sessionId: 's' }), 'invalid'],
    ['a device id with spaces', JSON.stringify({ v: 1, type: 'stop', sessionId: 's', deviceId: 'a b' }), 'invalid'],
    ['an array', '[]', 'invalid'],
    ['no session key', JSON.stringify({ v: 1, type: 'heartbeat', sessionId: 's', deviceId: 'd' }), 'invalid'],
    [
      'a session key of the wrong shape',
      JSON.stringify({ v: 1, type: 'heartbeat', sessionId: 's', deviceId: 'd', sessionKey: 'short' }),
      'invalid',
    ],
    [
      'more than 1 KB',
      JSON.stringify({ v: 1, type: 'heartbeat', sessionId: 's', deviceId: 'd', pad: 'x'.repeat(1100) }),
      'too-large',
    ],
  ])('rejects %s without throwing', (_name, raw, reason) => {
    const result = parseHeartbeatMessage(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe(reason);
  });

  it('parses binary items too', () => {
    const raw = new TextEncoder().encode(
      encodeHeartbeatMessage({ v: 1, type: 'stop', sessionId: 's', deviceId: 'd', sessionKey }),
    );
    expect(parseHeartbeatMessage(raw)).toMatchObject({ ok: true, message: { type: 'stop' } });
  });
});

describe('control messages and token requests', () => {
  it('encodes a control message in the contract shape', () => {
    expect(
      JSON.parse(encodeControlMessage({ v: 1, type: 'evicted', sessionId: 's-1', reason: 'evicted-by-newer-session' })),
    ).toEqual({
      v: 1,
      type: 'evicted',
      sessionId: 's-1',
      reason: 'evicted-by-newer-session',
    });
  });

  it('requires a device id and validates the ids of a token request', () => {
    expect(tokenRequestSchema.safeParse({}).success).toBe(false);
    expect(tokenRequestSchema.safeParse({ deviceId: 'tv-1', contentId: 'x'.repeat(300) }).success).toBe(false);
    expect(tokenRequestSchema.parse({ deviceId: 'tv-1', contentId: 'film-1', kind: 'camera' })).toEqual({
      deviceId: 'tv-1',
      contentId: 'film-1',
      kind: 'camera',
    });
  });

  it('takes a display-only device name, refusing markup, control characters, blanks and long names', () => {
    expect(tokenRequestSchema.parse({ deviceId: 'tv-1', deviceName: 'Wohnzimmer-TV (Jürgen’s)' })).toEqual({
      deviceId: 'tv-1',
      deviceName: 'Wohnzimmer-TV (Jürgen’s)',
    });
    for (const deviceName of ['<img src=x onerror=alert(1)>', 'tv\u0000', 'line\nbreak', '   ', '', 'x'.repeat(65)]) {
      expect(tokenRequestSchema.safeParse({ deviceId: 'tv-1', deviceName }).success).toBe(false);
    }
  });

  it('takes a refresh only with the session key: sessionId and sessionKey go together', () => {
    expect(tokenRequestSchema.safeParse({ deviceId: 'tv-1', sessionId: 's-1' }).success).toBe(false);
    expect(tokenRequestSchema.safeParse({ deviceId: 'tv-1', sessionKey }).success).toBe(false);
    expect(tokenRequestSchema.safeParse({ deviceId: 'tv-1', sessionId: 's-1', sessionKey: 'not-a-key' }).success).toBe(
      false,
    );
    expect(tokenRequestSchema.parse({ deviceId: 'tv-1', sessionId: 's-1', sessionKey })).toEqual({
      deviceId: 'tv-1',
      sessionId: 's-1',
      sessionKey,
    });
  });
});
