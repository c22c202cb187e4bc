import * as path from 'path';
import { detachedTimeout } from '../../client/detached-timer';
import { bundleForBrowser } from './support/browser-bundle';

describe('client/index.ts', () => {
  it('bundles for the browser without @gomomento/sdk or Node built-ins', async () => {
    const { inputs, bytes } = await bundleForBrowser({ entryPoints: [path.join(__dirname, '../../client/index.ts')] });
    expect(inputs.some((input) => input.includes('client/device-session.ts'))).toBe(true);
    expect(inputs.filter((input) => input.includes('@gomomento') || input.includes('@grpc'))).toEqual([]);
    // Printed so the size is on record; the bound keeps a heavy dependency from slipping in.
    console.log(`client/index.ts browser bundle: ${bytes} bytes minified`);
    expect(bytes).toBeLessThan(120_000);
  });
});

describe('detachedTimeout', () => {
  it('does not hold the Node process open and can be cancelled', () => {
    jest.useRealTimers();
    const fired = jest.fn();
    const spy = jest.spyOn(globalThis, 'setTimeout');
    const cancel = detachedTimeout(60_000, fired);
    const handle = spy.mock.results[0]?.value as NodeJS.Timeout;
    spy.mockRestore();
    expect(handle.hasRef()).toBe(false);
    cancel();
    expect(fired).not.toHaveBeenCalled();
  });
});
