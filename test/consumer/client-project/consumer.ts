// Type-checked in the fresh project against the published declarations only (CommonJS, ES module
// and bundler resolution): the imports docs/client.md shows, used as it shows them.
import {
  createHttpTopicTransport,
  DeviceSession,
  DeviceSessionError,
  type DeviceSessionState,
  type StartResult,
} from 'cdk-concurrency-tracker-client';
import { createSdkTopicTransport, DeviceSession as NodeDeviceSession } from 'cdk-concurrency-tracker-client/node';
import { useTrackedSession, type TrackedSessionView } from 'cdk-concurrency-tracker-client/react';
import { FakeDeviceSession } from 'cdk-concurrency-tracker-client/testing';
import { bindVideoJsPlayer, type VideoJsPlayer } from 'cdk-concurrency-tracker-client/videojs';

const session = new DeviceSession({
  deviceId: 'living-room-tv',
  contentId: 'title-42',
  requestToken: (body) =>
    fetch('/api/playback-token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  transport: createHttpTopicTransport(),
});
const seen: DeviceSessionState[] = [];
session.on('state', ({ state }) => seen.push(state));

const nodeSession = new NodeDeviceSession({
  deviceId: 'set-top-box-7',
  requestToken: (body) => fetch('http://localhost:3000/tokens', { method: 'POST', body: JSON.stringify(body) }),
  transport: createSdkTopicTransport({ endpoint: 'localhost:9090' }),
});

export async function play(): Promise<string> {
  const result: StartResult = await session.start();
  if (result.state === 'error') return result.error instanceof DeviceSessionError ? result.error.message : 'error';
  await nodeSession.stop();
  return result.state;
}
export { seen };

// The other entries: a component's hook over the test double, and a video.js player bound to a session.
export function usePlayerView(): TrackedSessionView {
  return useTrackedSession(new FakeDeviceSession({ onStart: 'refuse' }), { autoStart: true });
}
export function bindPlayer(player: VideoJsPlayer): () => void {
  return bindVideoJsPlayer(player, session, {
    stopOtherSession: (other) => fetch(`/api/sessions/${other.sessionId}`, { method: 'DELETE' }),
  });
}
