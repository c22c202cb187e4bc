// Test entry of the device client (`cdk-concurrency-tracker-client/testing`): a stand-in for
// DeviceSession that a player team drives in its own unit tests, with no backend or network.
export { FakeDeviceSession, fakeGrant, fakeRefusal } from './fake-device-session';
export type { FakeDeviceSessionOptions, FakeStartAnswer } from './fake-device-session';
export type { TrackedSession } from './device-session-events';
