import { DeviceSession, type DeviceSessionOptions, type DeviceSessionState } from '../../../client/device-session';
import type { FakeTopicTransport } from '../fake-topic-transport';

/**
 * A DeviceSession of device `phone-1` on a fake token backend and the fake topic transport, with no
 * page lifecycle and no retry jitter (`extra` changes any of that), its state changes recorded.
 */
export function sessionOnFakes(
  backend: Pick<DeviceSessionOptions, 'requestToken'>,
  transport: FakeTopicTransport,
  extra: Partial<DeviceSessionOptions> = {},
) {
  const session = new DeviceSession({
    deviceId: 'phone-1',
    requestToken: backend.requestToken,
    transport,
    pageLifecycle: false,
    random: () => 0,
    ...extra,
  });
  const states: DeviceSessionState[] = [];
  session.on('state', ({ state }) => states.push(state));
  return { session, states };
}
