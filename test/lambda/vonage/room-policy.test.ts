import { parseCallback, parseTokenData } from '../../../lambda/vonage/callback-event';
import {
  DEFAULT_ROOM_POLICIES,
  mayPublish,
  mayPublishAnything,
  parseRoomPolicies,
  policyForRoom,
  streamKindOf,
} from '../../../lambda/vonage/room-policy';

describe('room policies', () => {
  const policies = parseRoomPolicies(
    JSON.stringify({
      types: {
        lesson: {
          capacity: 2,
          durationSeconds: 3600,
          durationStartsWhen: 2,
          publish: { teacher: ['camera', 'screen'], '*': ['camera', 'audio'] },
        },
        webinar: { capacity: 50, publish: { host: ['camera', 'screen'], viewer: [] } },
        open: { capacity: 5 },
      },
      rooms: [
        { match: 'lesson-*', type: 'lesson' },
        { match: '*.webinar', type: 'webinar' },
      ],
      defaultType: 'open',
    }),
  );

  it('maps rooms to types by pattern, first match wins, else the default type', () => {
    expect(policyForRoom(policies, 'lesson-42')).toMatchObject({ type: 'lesson', capacity: 2 });
    expect(policyForRoom(policies, 'q4.webinar')).toMatchObject({ type: 'webinar', capacity: 50 });
    expect(policyForRoom(policies, 'lesson.webinar')).toMatchObject({ type: 'webinar' });
    expect(policyForRoom(policies, 'xlesson-1')).toMatchObject({ type: 'open', admission: 'open', durationSeconds: 0 });
  });

  it('decides which roles may publish which stream kinds', () => {
    const lesson = policyForRoom(policies, 'lesson-1');
    expect(mayPublish(lesson, 'teacher', 'screen')).toBe(true);
    expect(mayPublish(lesson, 'student', 'screen')).toBe(false);
    expect(mayPublish(lesson, 'student', 'camera')).toBe(true);
    expect(mayPublish(lesson, 'teacher', 'audio')).toBe(false);
    const open = policyForRoom(policies, 'anything');
    expect(mayPublish(open, 'whoever', 'screen')).toBe(true);
    const webinar = policyForRoom(policies, 'a.webinar');
    expect(mayPublishAnything(webinar, 'viewer')).toBe(false);
    expect(mayPublishAnything(webinar, 'stranger')).toBe(false);
    expect(mayPublishAnything(webinar, 'host')).toBe(true);
  });

  it('reads the stream kind from videoType', () => {
    expect(streamKindOf('screen')).toBe('screen');
    expect(streamKindOf('camera')).toBe('camera');
    expect(streamKindOf(undefined)).toBe('audio');
    expect(streamKindOf(null)).toBe('audio');
    expect(streamKindOf('hologram')).toBe('custom');
  });

  it('defaults to a one-to-one room and refuses invalid documents with a message', () => {
    expect(parseRoomPolicies(undefined)).toEqual(DEFAULT_ROOM_POLICIES);
    expect(policyForRoom(DEFAULT_ROOM_POLICIES, 'r').capacity).toBe(2);
    expect(() => parseRoomPolicies('{')).toThrow(/not valid JSON/);
    expect(() => parseRoomPolicies(JSON.stringify({ types: { a: { capacity: 2 } }, defaultType: 'b' }))).toThrow(
      /room type "b" is not defined/,
    );
    expect(() => parseRoomPolicies(JSON.stringify({ types: { a: { capacity: 0 } }, defaultType: 'a' }))).toThrow(
      /VONAGE_ROOM_POLICIES is invalid/,
    );
  });
});

describe('callback parsing', () => {
  it('classifies the four events, other events and malformed bodies', () => {
    const created = {
      sessionId: 's',
      projectId: '123456',
      event: 'connectionCreated',
      timestamp: 1470257688309,
      connection: { id: 'c', createdAt: 1470257688143, data: 'TOKENDATA' },
    };
    expect(parseCallback(created)).toMatchObject({ kind: 'handled', callback: { event: 'connectionCreated' } });
    expect(parseCallback({ ...created, applicationId: 'app', extra: { nested: true } }).kind).toBe('handled');
    expect(parseCallback({ event: 'sessionDestroyed', sessionId: 's' })).toEqual({
      kind: 'ignored',
      event: 'sessionDestroyed',
    });
    expect(parseCallback({ ...created, connection: {} }).kind).toBe('invalid');
    expect(parseCallback([]).kind).toBe('invalid');
  });

  it('reads only token data this service signed in', () => {
    expect(parseTokenData('TOKENDATA')).toBeNull();
    expect(parseTokenData(undefined)).toBeNull();
    expect(parseTokenData('{"v":1,"room":"r"}')).toBeNull();
    expect(parseTokenData('{"v":1,"room":"r","user":"u","role":"student","rsv":"x","slot":0}')).toMatchObject({
      room: 'r',
      slot: 0,
    });
  });
});
