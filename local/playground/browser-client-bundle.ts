import { join } from 'node:path';
import { build } from 'esbuild';

/** The global the device page reads the client from (`window.ConcurrencyClient`). */
export const BROWSER_CLIENT_GLOBAL = 'ConcurrencyClient';

/**
 * Bundles the browser-safe device client (`client/index.ts`) into one script for the device page.
 * Built in memory at start-up (a fraction of a second), so the page always runs the code in the
 * working tree and nothing is written to disk.
 */
export async function bundleBrowserClient(entry = join(__dirname, '..', '..', 'client', 'index.ts')): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    globalName: BROWSER_CLIENT_GLOBAL,
    target: ['es2020'],
    minify: false,
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
