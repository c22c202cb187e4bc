import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';
import { startPlaygroundProcess, type PlaygroundProcess } from './playground-process';

/** What a browser test of the playground drives: the playground as `npm start` runs it, and a browser. */
export interface BrowserPlayground {
  readonly playground: PlaygroundProcess;
  readonly browser: Browser;
}

/**
 * Starts the playground on a free port with no simulated devices (the test starts its own) and
 * `accounts` accounts of `limit` devices, then launches a browser.
 */
export async function startBrowserPlayground(options: {
  readonly accounts: number;
  readonly limit: number;
  readonly heartbeatSeconds: number;
  readonly leaseSeconds: number;
}): Promise<BrowserPlayground> {
  const playground = await startPlaygroundProcess([
    '--port',
    '0',
    '--devices',
    '0',
    '--accounts',
    String(options.accounts),
    '--limit',
    String(options.limit),
    '--heartbeat-interval',
    String(options.heartbeatSeconds),
    '--lease',
    String(options.leaseSeconds),
  ]);
  return { playground, browser: await launchBrowser() };
}

/** Closes the browser and stops the playground as Ctrl-C does, expecting every process of its group gone. */
export async function stopBrowserPlayground(started: Partial<BrowserPlayground>): Promise<void> {
  await started.browser?.close();
  if (started.playground) {
    await started.playground.interruptGroup('SIGINT');
    expect(await started.playground.groupGone()).toBe(true);
  }
}
