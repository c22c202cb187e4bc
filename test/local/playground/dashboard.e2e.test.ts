import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startBrowserPlayground, stopBrowserPlayground } from './support/browser-playground';
import type { PlaygroundProcess } from './support/playground-process';

// The dashboard in a real browser (a Chromium found by support/browser.ts, driven by playwright-core): three devices on a
// two-device account, a stop, a retry, a crash freed by its lease, and the device page's browser
// client in tabs of its own.
jest.setTimeout(180_000);

const OUTPUT = join(__dirname, '..', '..', '..', 'test-output', 'playground');
const HEARTBEAT_SECONDS = 1;
const LEASE_SECONDS = 3;
const ACCOUNT = 'acct-1';

describe('playground dashboard in a browser', () => {
  let playground: PlaygroundProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    ({ playground, browser } = await startBrowserPlayground({
      accounts: 2,
      limit: 2,
      heartbeatSeconds: HEARTBEAT_SECONDS,
      leaseSeconds: LEASE_SECONDS,
    }));
    page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
    await page.goto(playground.dashboardUrl);
    await page.getByTestId('live-text').filter({ hasText: 'live' }).waitFor();
  });

  afterAll(async () => {
    await stopBrowserPlayground({ playground, browser });
    if (playground) expect(playground.output()).toMatch(/playground: stopped/);
  });

  const device = (id: string) => page.locator(`[data-testid="device"][data-device="${id}"]`);
  const account = (id: string) => page.locator(`[data-testid="account"][data-account="${id}"]`);
  const stateOf = (id: string) => device(id).getAttribute('data-state');

  async function startDevice(deviceId: string): Promise<void> {
    await page.getByTestId('start-account').fill(ACCOUNT);
    await page.getByTestId('start-device').fill(deviceId);
    await page.getByTestId('start-button').click();
  }

  async function waitForState(deviceId: string, state: string, timeoutMs = 10_000): Promise<void> {
    await page
      .locator(`[data-testid="device"][data-device="${deviceId}"][data-state="${state}"]`)
      .waitFor({ timeout: timeoutMs });
  }

  it('refuses the third device on a two-device account', async () => {
    await startDevice('tv');
    await waitForState('tv', 'active');
    await startDevice('phone');
    await waitForState('phone', 'active');
    await startDevice('laptop');
    await waitForState('laptop', 'refused');
    await page.locator(`[data-testid="account"][data-account="${ACCOUNT}"][data-active="2"]`).waitFor();
    expect(await account(ACCOUNT).getAttribute('data-limit')).toBe('2');
    // The lifecycle stream shows the admissions and the refusal, captured from the engine.
    await page.locator('[data-testid="event"][data-type="Session Denied"]').first().waitFor();
    expect(await page.locator('[data-testid="event"][data-type="Session Admitted"]').count()).toBeGreaterThanOrEqual(2);
  });

  it('admits the refused device on retry once another stops', async () => {
    await device('tv').getByTestId('stop').click();
    await waitForState('tv', 'stopped');
    await page.locator('[data-testid="event"][data-type="Session Stopped"]').first().waitFor();
    await device('laptop').getByTestId('retry').click();
    await waitForState('laptop', 'active');
    expect(await stateOf('phone')).toBe('active');
  });

  it("frees a crashed device's slot within the lease duration", async () => {
    await page.locator(`[data-testid="account"][data-account="${ACCOUNT}"][data-active="2"]`).waitFor();
    // Timed from the server's answer to the crash: from then on the device is silent.
    const crashAnswer = page.waitForResponse((response) => response.url().endsWith('/playground/devices/phone/crash'));
    await device('phone').getByTestId('crash').click();
    expect((await crashAnswer).status()).toBe(200);
    const crashedAt = Date.now();
    await waitForState('phone', 'crashed');
    // Watch the entitlement check itself (not the dashboard's one-second poll) for the exact moment.
    let freedAfterMs = Number.POSITIVE_INFINITY;
    while (Date.now() - crashedAt < 4 * LEASE_SECONDS * 1000) {
      const answer = (await (await fetch(`${playground.apiUrl}/accounts/${ACCOUNT}/sessions`)).json()) as {
        active: number;
      };
      if (answer.active === 1) {
        freedAfterMs = Date.now() - crashedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log(`playground e2e: crashed device's slot freed after ${freedAfterMs} ms (lease ${LEASE_SECONDS} s)`);
    // No stop message was sent, so the slot cannot free at once; it must free by the lease's end.
    expect(freedAfterMs).toBeGreaterThan(500);
    // The lease was last refreshed before the crash, so it ends within one lease; the bound is two,
    // so the poll and round trips of a loaded machine are not mistaken for a late expiry.
    expect(freedAfterMs).toBeLessThanOrEqual(2 * LEASE_SECONDS * 1000);
    await page
      .locator(`[data-testid="account"][data-account="${ACCOUNT}"][data-active="1"]`)
      .waitFor({ timeout: 15_000 });
    // The freed slot admits the stopped device again.
    await device('tv').getByTestId('retry').click();
    await waitForState('tv', 'active');
  });

  it('evicts a session from the dashboard and tells its device', async () => {
    const session = account(ACCOUNT).locator('[data-testid="session"][data-device="tv"]');
    await session.waitFor();
    await session.getByTestId('evict').click();
    await waitForState('tv', 'evicted');
    await page
      .locator('[data-testid="event"][data-type="Session Evicted"], [data-testid="event"][data-type="Session Stopped"]')
      .first()
      .waitFor();
  });

  it('runs the browser client in device tabs against the local system', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
    const tabs: Page[] = [];
    for (const name of ['tab-one', 'tab-two', 'tab-three']) {
      const tab = await context.newPage();
      await tab.goto(`${playground.apiUrl}/device.html?account=acct-2&device=${name}&autostart=1`);
      await tab
        .locator('[data-testid="device-status"]')
        .filter({ hasText: /^(active|refused)$/ })
        .waitFor({ timeout: 15_000 });
      tabs.push(tab);
    }
    const statuses = await Promise.all(tabs.map((tab) => tab.getByTestId('device-status').textContent()));
    expect(statuses).toEqual(['active', 'active', 'refused']);
    // Heartbeats from the tabs reach the subscriber through the HTTP topics API.
    await page.locator('[data-testid="account"][data-account="acct-2"][data-active="2"]').waitFor();
    await page.locator('[data-testid="device"][data-device="tab-three"][data-state="refused"]').waitFor();

    // "Stop a device to continue": the refused tab ends one session and takes its place.
    await tabs[2].getByTestId('device-take-over').first().click();
    await tabs[2].getByTestId('device-status').filter({ hasText: 'active' }).waitFor({ timeout: 10_000 });
    // The ended tab hears it on its control topic (an HTTP long poll), a moment later.
    let after: Array<string | null>;
    const deadline = Date.now() + 10_000;
    do {
      after = await Promise.all(tabs.map((tab) => tab.getByTestId('device-status').textContent()));
      if (after.includes('evicted')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } while (Date.now() < deadline);
    expect(after[2]).toBe('active');
    expect([...after].sort()).toEqual(['active', 'active', 'evicted']);

    // The chart draws a line per account.
    expect(await page.locator('[data-testid="chart"] path[data-account="acct-1"]').count()).toBe(1);
    expect(await page.locator('[data-testid="chart"] path[data-account="acct-2"]').count()).toBe(1);

    await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });
    await tabs[2].screenshot({ path: join(OUTPUT, 'device.png') });
    await context.close();
  });
});
