// The playground dashboard: plain browser JavaScript, fed by Server-Sent Events from
// /playground/feed. Every text the server sends is set with textContent, never as HTML.
'use strict';

(function () {
  const COLOURS = ['#5b4bdb', '#1f9d55', '#d97706', '#d64545', '#2f6fdb', '#8e44ad', '#16a085', '#7f8c8d'];
  const CHART_WINDOW_MS = 120_000;
  const MAX_EVENTS = 200;

  const state = { config: null, accounts: [], devices: [], events: [], history: [], colours: new Map() };

  const $ = (testId) => document.querySelector(`[data-testid="${testId}"]`);

  function el(tag, props, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'className') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  function colourOf(accountId) {
    if (!state.colours.has(accountId)) state.colours.set(accountId, COLOURS[state.colours.size % COLOURS.length]);
    return state.colours.get(accountId);
  }

  function ago(value) {
    if (value === undefined || value === null) return '';
    const time = typeof value === 'number' ? value : Date.parse(value);
    if (!Number.isFinite(time)) return '';
    const seconds = Math.max(0, Math.round((Date.now() - time) / 1000));
    return seconds < 60 ? `${seconds}s ago` : `${Math.floor(seconds / 60)}m ${seconds % 60}s ago`;
  }

  async function call(method, url, body) {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { message: text };
    }
    if (!response.ok) throw new Error(parsed.message || `${method} ${url}: ${response.status}`);
    return parsed;
  }

  function act(method, url, body) {
    call(method, url, body).catch((error) => {
      state.events.push({
        id: `local-${Date.now()}`,
        type: 'Playground Error',
        time: new Date().toISOString(),
        summary: error.message,
      });
      renderEvents();
    });
  }

  // ---- rendering -------------------------------------------------------------------------

  function renderConfig() {
    const c = state.config;
    if (!c) return;
    const node = $('config');
    node.replaceChildren();
    const parts = [
      ['strategy', c.strategy],
      ['limit', c.limit],
      ['heartbeat', `${c.heartbeatIntervalSeconds}s`],
      ['lease', `${c.leaseSeconds}s`],
      ['at limit', c.atLimit],
      ['API', c.apiUrl],
    ];
    parts.forEach(([label, value], index) => {
      if (index > 0) node.append(' · ');
      node.append(`${label} `, el('b', { text: value }));
    });
  }

  function renderAccounts() {
    const root = $('accounts');
    root.replaceChildren();
    const list = document.getElementById('known-accounts');
    list.replaceChildren(...state.accounts.map((a) => el('option', { value: a.accountId })));
    const input = $('start-account');
    if (!input.value && state.accounts.length > 0) input.value = state.accounts[0].accountId;

    for (const account of state.accounts) {
      const full = account.active >= account.limit;
      const meter = el('div', { className: 'meter' });
      for (let i = 0; i < Math.max(account.limit, account.active); i++) {
        meter.append(el('span', { className: i < account.active ? 'used' : '' }));
      }
      const rows =
        account.sessions.length === 0
          ? [el('tr', {}, [el('td', { className: 'empty', text: 'no active sessions', colspan: 4 })])]
          : account.sessions.map((session) =>
              el(
                'tr',
                { 'data-testid': 'session', 'data-session': session.sessionId, 'data-device': session.deviceId || '' },
                [
                  el('td', { className: 'mono', text: session.deviceId || '—' }),
                  el('td', {
                    className: 'mono',
                    text: String(session.sessionId).slice(0, 8),
                    title: session.sessionId,
                  }),
                  el('td', {
                    className: 'detail',
                    text: session.lastHeartbeatAt ? `♥ ${ago(session.lastHeartbeatAt)}` : '',
                  }),
                  el('td', {}, [
                    el('button', {
                      className: 'danger',
                      text: 'Evict',
                      'data-testid': 'evict',
                      title: 'DELETE /accounts/{accountId}/sessions/{sessionId}',
                      onclick: () =>
                        act(
                          'DELETE',
                          `/accounts/${encodeURIComponent(account.accountId)}/sessions/${encodeURIComponent(session.sessionId)}`,
                        ),
                    }),
                  ]),
                ],
              ),
            );
      root.append(
        el(
          'div',
          {
            className: `account${full ? ' full' : ''}`,
            'data-testid': 'account',
            'data-account': account.accountId,
            'data-active': account.active,
            'data-limit': account.limit,
          },
          [
            el('div', { className: 'head' }, [
              el('span', { className: 'name' }, [
                el('span', { className: 'swatch', style: `background:${colourOf(account.accountId)}` }),
                el('span', { text: account.accountId }),
              ]),
              el('span', { className: 'count', 'data-testid': 'account-count' }, [
                el('span', { text: account.active }),
                el('small', { text: ` / ${account.limit}` }),
              ]),
            ]),
            meter,
            el('table', { className: 'sessions' }, [el('tbody', {}, rows)]),
          ],
        ),
      );
    }
  }

  function renderDevices() {
    const body = $('devices');
    body.replaceChildren();
    for (const device of state.devices) {
      const running = device.state === 'active' || device.state === 'starting';
      body.append(
        el(
          'tr',
          {
            'data-testid': 'device',
            'data-device': device.deviceId,
            'data-state': device.state,
            'data-account': device.accountId,
          },
          [
            el('td', { className: 'mono' }, [
              el('div', { text: device.deviceId }),
              el('div', {
                className: 'detail',
                text: device.origin === 'browser' ? 'browser tab' : `♥ ${device.heartbeats}`,
              }),
            ]),
            el('td', { text: device.accountId }),
            el('td', {}, [
              el('span', { className: `badge ${device.state}`, 'data-testid': 'device-state', text: device.state }),
              device.detail ? el('div', { className: 'detail', text: device.detail }) : null,
            ]),
            el(
              'td',
              { className: 'actions' },
              device.origin === 'browser'
                ? []
                : [
                    el('button', {
                      text: 'Stop',
                      'data-testid': 'stop',
                      disabled: running ? undefined : '',
                      onclick: () => act('POST', `/playground/devices/${encodeURIComponent(device.deviceId)}/stop`),
                    }),
                    el('button', {
                      className: 'danger',
                      text: 'Crash',
                      'data-testid': 'crash',
                      disabled: running ? undefined : '',
                      onclick: () => act('POST', `/playground/devices/${encodeURIComponent(device.deviceId)}/crash`),
                    }),
                    el('button', {
                      text: 'Retry',
                      'data-testid': 'retry',
                      disabled: running ? '' : undefined,
                      onclick: () => act('POST', `/playground/devices/${encodeURIComponent(device.deviceId)}/start`),
                    }),
                    el('button', {
                      text: '✕',
                      title: 'remove from the list',
                      'data-testid': 'remove',
                      disabled: running ? '' : undefined,
                      onclick: () => act('DELETE', `/playground/devices/${encodeURIComponent(device.deviceId)}`),
                    }),
                  ],
            ),
          ],
        ),
      );
    }
  }

  function eventClass(type) {
    return String(type)
      .replace(/^Session /, '')
      .toLowerCase();
  }

  function renderEvents() {
    const list = $('events');
    list.replaceChildren();
    for (const event of state.events.slice(-MAX_EVENTS).reverse()) {
      const time = new Date(event.time);
      list.append(
        el('li', { 'data-testid': 'event', 'data-type': event.type }, [
          el('span', {
            className: 'time',
            text: Number.isFinite(time.getTime()) ? time.toTimeString().slice(0, 8) : '',
          }),
          el('span', { className: `type ${eventClass(event.type)}`, text: event.type }),
          el('span', { text: event.summary || '' }),
        ]),
      );
    }
  }

  function renderChart() {
    const svg = $('chart');
    const legend = $('legend');
    const ns = 'http://www.w3.org/2000/svg';
    const W = 600,
      H = 200,
      left = 28,
      right = 8,
      top = 10,
      bottom = 20;
    const now = Date.now();
    const from = now - CHART_WINDOW_MS;
    const points = state.history.filter((p) => p.at >= from - 2000);
    const accounts = state.accounts.map((a) => a.accountId);
    const maxLimit = Math.max(1, ...state.accounts.map((a) => a.limit));
    const maxSeen = Math.max(0, ...points.flatMap((p) => Object.values(p.counts)));
    const yMax = Math.max(maxLimit, maxSeen) + 1;
    const x = (t) => left + ((t - from) / CHART_WINDOW_MS) * (W - left - right);
    const y = (v) => top + (1 - v / yMax) * (H - top - bottom);
    const shape = (tag, attrs) => {
      const node = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
      return node;
    };

    svg.replaceChildren();
    for (let v = 0; v <= yMax; v++) {
      svg.append(shape('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), stroke: '#eef0f4', 'stroke-width': 1 }));
      const label = shape('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#6b7385' });
      label.textContent = String(v);
      svg.append(label);
    }
    for (const seconds of [120, 90, 60, 30, 0]) {
      const label = shape('text', {
        x: x(now - seconds * 1000),
        y: H - 5,
        'text-anchor': seconds === 0 ? 'end' : 'middle',
        'font-size': 10,
        fill: '#6b7385',
      });
      label.textContent = seconds === 0 ? 'now' : `-${seconds}s`;
      svg.append(label);
    }
    // The limit, dashed, so a person sees the count meet it and not pass it.
    svg.append(
      shape('line', {
        x1: left,
        x2: W - right,
        y1: y(maxLimit),
        y2: y(maxLimit),
        stroke: '#d64545',
        'stroke-dasharray': '5 4',
        'stroke-width': 1,
      }),
    );

    accounts.forEach((accountId, index) => {
      let path = '';
      let last;
      for (const p of points) {
        if (!(accountId in p.counts)) continue;
        // Offset lines a little so overlapping accounts stay visible.
        const v = p.counts[accountId] + (index - (accounts.length - 1) / 2) * 0.04;
        const px = Math.max(left, x(p.at));
        path += last === undefined ? `M${px.toFixed(1)},${y(v).toFixed(1)}` : `H${px.toFixed(1)}V${y(v).toFixed(1)}`;
        last = v;
      }
      if (last !== undefined) path += `H${(W - right).toFixed(1)}`;
      if (path)
        svg.append(
          shape('path', {
            d: path,
            fill: 'none',
            stroke: colourOf(accountId),
            'stroke-width': 2,
            'data-account': accountId,
          }),
        );
    });

    legend.replaceChildren(
      ...accounts.map((accountId) =>
        el('span', {}, [
          el('span', { className: 'swatch', style: `background:${colourOf(accountId)}` }),
          ` ${accountId}`,
        ]),
      ),
      el('span', {}, [el('span', { className: 'swatch', style: 'background:#d64545' }), ' limit']),
    );
  }

  // ---- feed --------------------------------------------------------------------------------

  function setLive(on) {
    $('live-dot').classList.toggle('on', on);
    $('live-text').textContent = on ? 'live' : 'reconnecting…';
  }

  function connect() {
    const source = new EventSource('/playground/feed');
    source.addEventListener('open', () => setLive(true));
    source.addEventListener('error', () => setLive(false));
    source.addEventListener('snapshot', (message) => {
      const data = JSON.parse(message.data);
      state.config = data.config;
      state.accounts = data.accounts;
      state.devices = data.devices;
      state.events = data.events;
      state.history = data.history;
      renderConfig();
      renderAccounts();
      renderDevices();
      renderEvents();
      renderChart();
    });
    source.addEventListener('accounts', (message) => {
      const data = JSON.parse(message.data);
      state.accounts = data.accounts;
      state.history.push({
        at: data.at,
        counts: Object.fromEntries(data.accounts.map((a) => [a.accountId, a.active])),
      });
      const cutoff = Date.now() - CHART_WINDOW_MS - 5000;
      while (state.history.length > 0 && state.history[0].at < cutoff) state.history.shift();
      renderAccounts();
      renderChart();
    });
    source.addEventListener('devices', (message) => {
      state.devices = JSON.parse(message.data);
      renderDevices();
    });
    source.addEventListener('lifecycle', (message) => {
      state.events.push(JSON.parse(message.data));
      if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
      renderEvents();
    });
  }

  $('start-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const accountId = $('start-account').value.trim();
    const deviceId = $('start-device').value.trim();
    $('start-device').value = '';
    act('POST', '/playground/devices', deviceId ? { accountId, deviceId } : { accountId });
  });

  connect();
})();
