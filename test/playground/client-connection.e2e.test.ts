import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findBrowser } from './support/browser';
import { startPlaygroundProcess, type PlaygroundProcess } from './support/playground-process';

// The browser client when its heartbeats stop getting through, in a real browser against the
// playground: blocked heartbeats (what an ad blocker, a CSP rule or a DNS block does to the topics
// host) and a network cut. Either way the device must end its own session within the lease plus
// one heartbeat interval (the lease runs from the last heartbeat that got through, at most one
// interval before the cut), so it never plays on a slot the server has given away.
jest.setTimeout(120_000);

const HEARTBEAT_SECONDS = 1;
const LEASE_SECONDS = 3;
/** Head room for a loaded machine: the page's timers and the test's polling may run late. */
const SLACK_MS = 2_000;

describe('browser client when heartbeats do not get through', () => {
  let playground: PlaygroundProcess;
  let browser: Browser;

  beforeAll(async () => {
    playground = await startPlaygroundProcess([
      '--port', '0', '--devices', '0', '--accounts', '1', '--limit', '2',
      '--heartbeat-interval', String(HEARTBEAT_SECONDS), '--lease', String(LEASE_SECONDS),
    ]);
    const found = findBrowser();
    browser = await chromium.launch({
      executablePath: found.executablePath,
      env: { ...process.env, ...found.env },
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (playground) {
      await playground.interruptGroup('SIGINT');
      expect(await playground.groupGone()).toBe(true);
    }
  });

  async function activeDevice(context: BrowserContext, deviceId: string): Promise<Page> {
    const tab = await context.newPage();
    await tab.goto(`${playground.apiUrl}/device.html?account=acct-1&device=${deviceId}&autostart=1`);
    await tab.getByTestId('device-status').filter({ hasText: /^active$/ }).waitFor({ timeout: 15_000 });
    // Let a few heartbeats through, so the lease runs from a heartbeat and not from the admission.
    await tab.waitForTimeout(2 * HEARTBEAT_SECONDS * 1000);
    return tab;
  }

  /** Time from `cutAt` until the page shows `expired`, polled every 50 ms. */
  async function msUntilExpired(tab: Page, cutAt: number): Promise<number> {
    const bound = (LEASE_SECONDS + HEARTBEAT_SECONDS) * 1000 + SLACK_MS;
    while (Date.now() - cutAt < 3 * bound) {
      if ((await tab.getByTestId('device-status').textContent()) === 'expired') return Date.now() - cutAt;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Number.POSITIVE_INFINITY;
  }

  function assertWithinLeasePlusInterval(kind: string, endedAfterMs: number): void {
    console.log(
      `client e2e: with ${kind}, the device ended its session ${endedAfterMs} ms after the cut ` +
        `(lease ${LEASE_SECONDS} s, heartbeat every ${HEARTBEAT_SECONDS} s: bound ${(LEASE_SECONDS + HEARTBEAT_SECONDS) * 1000} ms + ${SLACK_MS} ms slack)`,
    );
    // Not at once: the lease runs from the last heartbeat through, about one interval before the cut
    // (two allow for a page timer that ran late on a loaded machine) ...
    expect(endedAfterMs).toBeGreaterThanOrEqual((LEASE_SECONDS - 2 * HEARTBEAT_SECONDS) * 1000);
    // ... and within the lease plus one interval.
    expect(endedAfterMs).toBeLessThanOrEqual((LEASE_SECONDS + HEARTBEAT_SECONDS) * 1000 + SLACK_MS);
  }

  it('ends the session (expired, connection-lost) when heartbeats are blocked', async () => {
    const context = await browser.newContext();
    const tab = await activeDevice(context, 'blocked-heartbeats');
    // Heartbeats are POSTs to the topics API; the control topic's long poll (GET) still works.
    await tab.route('**/topics/**', (route) => (route.request().method() === 'POST' ? route.abort('blockedbyclient') : route.fallback()));
    const cutAt = Date.now();

    const endedAfterMs = await msUntilExpired(tab, cutAt);

    assertWithinLeasePlusInterval('heartbeats blocked', endedAfterMs);
    expect(await tab.getByTestId('device-detail').textContent()).toBe('connection-lost');
    await context.close();
  });

  it('ends the session (expired, connection-lost) when the network is cut for longer than the lease', async () => {
    const context = await browser.newContext();
    const tab = await activeDevice(context, 'cut-off');
    await context.setOffline(true);
    const cutAt = Date.now();

    const endedAfterMs = await msUntilExpired(tab, cutAt);

    assertWithinLeasePlusInterval('the network cut', endedAfterMs);
    expect(await tab.getByTestId('device-detail').textContent()).toBe('connection-lost');
    await context.setOffline(false);
    await context.close();
  });
});
