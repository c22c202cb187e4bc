'use strict';
// The entries beside the main one, loaded from the installed package: the test double
// (/testing), the video.js binding (/videojs) and, where react is installed, the React hook
// (/react), which renders a real session started against the test's playground. Prints one JSON line.
const { driveSession, parseArgs } = require('./drive-session.cjs');

async function main() {
  const { options } = parseArgs(process.argv.slice(2));
  const client = require('cdk-concurrency-tracker-client');
  const { FakeDeviceSession, fakeGrant } = require('cdk-concurrency-tracker-client/testing');
  const { englishNotice, VIDEOJS_SESSION_CLASSES } = require('cdk-concurrency-tracker-client/videojs');
  const result = {};

  // The test double tells a player's test what a real session would.
  const fake = new FakeDeviceSession();
  const events = [];
  for (const name of ['state', 'active', 'evicted'])
    fake.on(name, (payload) => events.push(name === 'state' ? `state:${payload.state}` : name));
  result.fakeStart = (await fake.start()).state;
  fake.evict('ended-by-account');
  result.fakeEvents = events;
  result.fakeGrantHasToken = typeof fakeGrant().token === 'string';

  result.notice = englishNotice({ state: 'evicted', reason: 'ended-by-account', reconnecting: false });
  result.videojsClass = VIDEOJS_SESSION_CLASSES.ended;

  let react;
  try {
    react = require('react');
  } catch {
    result.react = 'not installed';
  }
  if (react) {
    const { renderToString } = require('react-dom/server');
    const { useTrackedSession } = require('cdk-concurrency-tracker-client/react');
    // A real session against the playground, shown by a component through the hook.
    const session = new client.DeviceSession({
      deviceId: `${options.accountId}-react`,
      pageLifecycle: false,
      transport: client.createHttpTopicTransport({ baseUrl: options.topics }),
      requestToken: (body) =>
        fetch(new URL('/tokens', options.apiUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...body, accountId: options.accountId }),
        }),
    });
    await session.start();
    const Player = () => {
      const view = useTrackedSession(session);
      return react.createElement('p', null, `${view.state} ${view.grant ? view.grant.sessionId : ''}`);
    };
    result.rendered = renderToString(react.createElement(Player));
    result.sessionId = session.sessionId;
    await session.stop();
  }
  // The main entry still runs a whole session beside them.
  result.session = await driveSession(client, options);
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
