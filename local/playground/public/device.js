// The device page: one DeviceSession of the browser client, against the playground's API
// (POST /tokens, trusted-caller mode: this page plays the backend and names the account) and the
// emulator's HTTP topics API, proxied same-origin under /topics/.
'use strict';

(function () {
  const client = window.ConcurrencyClient;
  const $ = (testId) => document.querySelector(`[data-testid="${testId}"]`);
  const params = new URLSearchParams(location.search);

  const accountInput = $('device-account');
  const deviceInput = $('device-id');
  const contentInput = $('device-content');
  const startButton = $('device-start');
  const stopButton = $('device-stop');

  // A device id kept per tab (sessionStorage), so two tabs are two devices but a reload is the same one.
  let storedDevice = sessionStorage.getItem('playground-device-id');
  if (!storedDevice) {
    storedDevice = `tab-${Math.random().toString(36).slice(2, 8)}`;
    sessionStorage.setItem('playground-device-id', storedDevice);
  }
  accountInput.value = params.get('account') || localStorage.getItem('playground-account') || 'acct-1';
  deviceInput.value = params.get('device') || storedDevice;
  contentInput.value = params.get('content') || '';

  let session;
  let reportedAccount;
  let sessionKey;

  function log(text) {
    const item = document.createElement('li');
    item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
    $('device-log').prepend(item);
  }

  function show(state, detail) {
    const status = $('device-status');
    status.textContent = state;
    status.className = `status ${state}`;
    $('device-detail').textContent = detail || '';
    const running = state === 'active' || state === 'starting';
    startButton.disabled = running;
    stopButton.disabled = !running;
    accountInput.disabled = running;
    deviceInput.disabled = running;
    contentInput.disabled = running;
    report(state, detail);
  }

  // Lets the dashboard list this tab among the devices; best effort.
  function report(state, detail) {
    if (!reportedAccount) return;
    fetch('/playground/browser-devices', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        accountId: reportedAccount,
        deviceId: deviceInput.value,
        state: state === 'idle' ? 'stopped' : state,
        detail: detail ? String(detail).slice(0, 300) : undefined,
        sessionId: session && session.sessionId ? session.sessionId : undefined,
      }),
    }).catch(() => undefined);
  }

  function showRefusal(refusal) {
    const root = $('device-refusal');
    root.replaceChildren();
    if (!refusal) return;
    const title = document.createElement('p');
    title.textContent = 'Stop a device to continue:';
    root.append(title);
    for (const active of refusal.sessions) {
      const row = document.createElement('div');
      row.className = 'row';
      const name = document.createElement('span');
      name.className = 'mono';
      name.textContent = `${active.deviceId || 'device'} (${String(active.sessionId).slice(0, 8)})`;
      const button = document.createElement('button');
      button.textContent = 'Stop it and watch here';
      button.setAttribute('data-testid', 'device-take-over');
      button.addEventListener('click', async () => {
        const url = `/accounts/${encodeURIComponent(reportedAccount)}/sessions/${encodeURIComponent(active.sessionId)}`;
        const answer = await fetch(url, { method: 'DELETE' });
        log(`DELETE ${active.deviceId || active.sessionId}: ${answer.status}`);
        await begin();
      });
      row.append(name, button);
      root.append(row);
    }
  }

  function newSession(accountId) {
    const s = new client.DeviceSession({
      deviceId: deviceInput.value,
      contentId: contentInput.value || undefined,
      // The player's backend would add the account from its own login; this page plays that role.
      requestToken: (body) =>
        fetch('/tokens', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...body, accountId }),
        }),
      transport: client.createHttpTopicTransport({ baseUrl: location.origin }),
    });
    s.on('state', ({ state }) => {
      if (state === 'refused' || state === 'active' || state === 'starting' || state === 'stopped') show(state);
    });
    s.on('active', (grant) => {
      showRefusal(undefined);
      show(
        'active',
        `session ${grant.sessionId.slice(0, 8)} · ${grant.active}/${grant.limit} active · heartbeat every ${grant.heartbeatIntervalSeconds}s`,
      );
      log(`admitted: ${grant.active} of ${grant.limit} in use`);
    });
    s.on('refused', (refusal) => {
      show('refused', refusal.message);
      showRefusal(refusal);
      log(`refused: ${refusal.message}`);
    });
    s.on('evicted', (message) => {
      show('evicted', message.reason);
      log(`evicted: ${message.reason}`);
    });
    s.on('expired', ({ reason }) => {
      show('expired', reason);
      log(`expired: ${reason}`);
    });
    s.on('error', (error) => {
      show('error', `${error.code}: ${error.message}`);
      log(`error: ${error.code} (${error.message})`);
    });
    s.on('stopped', ({ reason }) => log(`stopped: ${reason}`));
    s.on('reconnecting', ({ error }) => log(`reconnecting (${error.message})`));
    s.on('reconnected', ({ downMs, failedAttempts }) =>
      log(`reconnected after ${downMs} ms, ${failedAttempts} failed heartbeats`),
    );
    s.on('heartbeat', ({ type }) => {
      if (type === 'stop') log('stop message sent');
    });
    s.on('heartbeat-failed', ({ error, retryInMs }) =>
      log(`heartbeat failed (${error.message}); retrying in ${retryInMs} ms`),
    );
    s.on('refresh-failed', ({ error, retryInMs }) =>
      log(
        `token refresh failed (${error.code}); ${retryInMs === undefined ? 'no more retries' : `retrying in ${retryInMs} ms`}`,
      ),
    );
    s.on('token-refreshed', () => log('token refreshed'));
    return s;
  }

  async function begin() {
    const accountId = accountInput.value.trim();
    const key = `${accountId}|${deviceInput.value}|${contentInput.value}`;
    if (!session || sessionKey !== key) {
      session = newSession(accountId);
      sessionKey = key;
    }
    reportedAccount = accountId;
    localStorage.setItem('playground-account', accountId);
    log(`starting as ${deviceInput.value} on ${accountId}`);
    await session.start();
  }

  $('device-form').addEventListener('submit', (event) => {
    event.preventDefault();
    begin().catch((error) => show('error', error.message));
  });
  stopButton.addEventListener('click', () => {
    if (session) session.stop().then(() => log('stopped'));
  });

  if (!client) {
    show('error', 'the browser client did not load (/client.js)');
    return;
  }
  show('idle');
  if (params.get('autostart') === '1') begin().catch((error) => show('error', error.message));
})();
