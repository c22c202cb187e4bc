import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startBrowserPlayground, stopBrowserPlayground } from './support/browser-playground';
import type { PlaygroundProcess } from './support/playground-process';

// The browser client when its heartbeats stop getting through, in a real browser against the
// playground: the topics host blocked (what an ad blocker, a CSP rule or a DNS block does) and the
// network cut. Either way the control topic is cut too, so the backend cannot tell the device that
// its lease ran out: the device must end its own session within the lease plus one heartbeat
// interval (the lease runs from the last heartbeat that got through, at most one interval before
// the cut), so it never plays on a slot the server has given away.
jest.setTimeout(120_000);

const HEARTBEAT_SECONDS = 1;
const LEASE_SECONDS = 3;
/** Head room for a loaded machine: the page's timers and the test's polling may run late. */
const SLACK_MS = 2_000;

describe('browser client when heartbeats do not get through', () => {
  let playground: PlaygroundProcess;
  let browser: Browser;

  beforeAll(async () => {
    ({ playground, browser } = await startBrowserPlayground({
      accounts: 1,
      limit: 2,
      heartbeatSeconds: HEARTBEAT_SECONDS,
      leaseSeconds: LEASE_SECONDS,
    }));
  });

  afterAll(async () => {
    await stopBrowserPlayground({ playground, browser });
  });

  /**
   * Routes the topics API through a switch: once cut, every request to it fails, and so does the
   * answer of a long poll already in flight (route interception alone only sees new requests).
   */
  async function cuttableTopics(context: BrowserContext): Promise<{ cut(): void }> {
    let cut = false;
    await context.route('**/topics/**', async (route) => {
      if (cut) return route.abort('blockedbyclient');
      if (route.request().method() !== 'GET') return route.fallback();
      try {
        const response = await route.fetch({ timeout: 0 });
        return cut ? route.abort('blockedbyclient') : route.fulfill({ response });
      } catch {
        return route.abort('failed').catch(() => undefined); // the page went away meanwhile
      }
    });
    return { cut: () => (cut = true) };
  }

  async function activeDevice(context: BrowserContext, deviceId: string): Promise<Page> {
    const tab = await context.newPage();
    await tab.goto(`${playground.apiUrl}/device.html?account=acct-1&device=${deviceId}&autostart=1`);
    await tab
      .getByTestId('device-status')
      .filter({ hasText: /^active$/ })
      .waitFor({ timeout: 15_000 });
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

  it('ends the session (expired, connection-lost) when the topics host is blocked', async () => {
    const context = await browser.newContext();
    const topics = await cuttableTopics(context);
    const tab = await activeDevice(context, 'blocked-host');
    topics.cut();
    const cutAt = Date.now();

    const endedAfterMs = await msUntilExpired(tab, cutAt);

    assertWithinLeasePlusInterval('the topics host blocked', endedAfterMs);
    expect(await tab.getByTestId('device-detail').textContent()).toBe('connection-lost');
    await context.close();
  });

  it('ends the session (expired, connection-lost) when the network is cut for longer than the lease', async () => {
    const context = await browser.newContext();
    const topics = await cuttableTopics(context);
    const tab = await activeDevice(context, 'cut-off');
    // Offline emulation fails new requests; the switch also fails the long poll already in flight.
    topics.cut();
    const cutAt = Date.now();
    await context.setOffline(true);

    const endedAfterMs = await msUntilExpired(tab, cutAt);

    assertWithinLeasePlusInterval('the network cut', endedAfterMs);
    expect(await tab.getByTestId('device-detail').textContent()).toBe('connection-lost');
    await context.setOffline(false);
    await context.close();
  });
});
