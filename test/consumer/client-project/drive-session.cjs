'use strict';
// Runs in a fresh project that installed the packed device client: drives one DeviceSession of the
// loaded client module against the test's playground (the token-vending, entitlement and heartbeat
// subscriber code over the emulator), then reports what happened as JSON. session.cjs and
// session.mjs load the package (require / import) and hand the module here.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a session, asks the backend whether it counts it, stops it, and asks again until the
 * backend no longer counts it (the stop message frees the lease at once; `stopPollMs` is far below
 * the lease, so a 404 within it is the stop message's doing, not the lease running out).
 */
async function driveSession(client, { transport, apiUrl, topics, accountId, deviceId, stopPollMs }) {
  const states = [];
  const session = new client.DeviceSession({
    deviceId,
    contentId: 'title-1',
    pageLifecycle: false,
    transport:
      transport === 'sdk'
        ? client.createSdkTopicTransport({ endpoint: topics })
        : client.createHttpTopicTransport({ baseUrl: topics }),
    // A player's backend, in trusted-caller mode: it adds the account and forwards to POST /tokens.
    requestToken: (body) =>
      fetch(new URL('/tokens', apiUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, accountId }),
      }),
  });
  session.on('state', ({ state }) => states.push(state));
  const started = await session.start();
  const sessionId = session.sessionId;
  const check = async () =>
    (
      await fetch(
        new URL(`/accounts/${encodeURIComponent(accountId)}/sessions/${encodeURIComponent(sessionId)}`, apiUrl),
      )
    ).status;
  const countedWhileActive = started.state === 'active' ? await check() : undefined;
  await session.stop();
  let countedAfterStop = started.state === 'active' ? await check() : undefined;
  for (const until = Date.now() + stopPollMs; countedAfterStop === 200 && Date.now() < until;) {
    await sleep(100);
    countedAfterStop = await check();
  }
  return {
    started: started.state,
    startError: started.state === 'error' ? String(started.error && started.error.message) : undefined,
    sessionId,
    states,
    countedWhileActive,
    countedAfterStop,
  };
}

/** The command line both scripts take: <entry> <http|sdk> <apiUrl> <topics endpoint> <accountId> <stopPollMs>. */
function parseArgs(argv) {
  const [entry, transport, apiUrl, topics, accountId, stopPollMs] = argv;
  return {
    entry,
    options: { transport, apiUrl, topics, accountId, deviceId: `${accountId}-device`, stopPollMs: Number(stopPollMs) },
  };
}

module.exports = { driveSession, parseArgs };
