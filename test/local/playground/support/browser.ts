import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

// Finds a Chromium for playwright-core without any set-up step, so `npm install && npm test` runs
// the browser tests on a fresh machine: a configured path, else a system Chromium or Chrome, else
// the Chromium the @sparticuz/chromium devDependency ships (Linux x64 only; unpacked into the temp
// directory on first use). Never skips: it throws, saying what it tried.

/** The environment variable that names a browser to use instead of searching. */
export const BROWSER_PATH_VARIABLE = 'CHROMIUM_PATH';

const SYSTEM_BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
const MACOS_BROWSERS = [
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** A browser to launch: its executable, extra environment it needs, and where it came from. */
export interface FoundBrowser {
  readonly executablePath: string;
  readonly env: Record<string, string>;
  readonly source: string;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function systemBrowser(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const name of SYSTEM_BROWSERS) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (executable(candidate)) return candidate;
    }
  }
  return MACOS_BROWSERS.find(executable);
}

/**
 * The Chromium of @sparticuz/chromium. The package is ESM-only, so it runs in a child node
 * process; it may set LD_LIBRARY_PATH and FONTCONFIG_PATH for the libraries it unpacks, which the
 * child reports back for the launch.
 */
function packagedChromium(): FoundBrowser {
  const script = `
    const { default: chromium } = await import('@sparticuz/chromium');
    const executablePath = await chromium.executablePath();
    const env = {};
    for (const name of ['LD_LIBRARY_PATH', 'FONTCONFIG_PATH']) if (process.env[name]) env[name] = process.env[name];
    process.stdout.write(JSON.stringify({ executablePath, env }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.resolve(__dirname, '..', '..', '..', '..'),
    encoding: 'utf8',
    // Unpacking the brotli archives takes seconds; many on a busy machine.
    timeout: 180_000,
  });
  const found = JSON.parse(out) as { executablePath: string; env: Record<string, string> };
  return { ...found, source: '@sparticuz/chromium' };
}

/** Finds a browser, in the order the file comment gives. */
export function findBrowser(): FoundBrowser {
  const configured = process.env[BROWSER_PATH_VARIABLE];
  if (configured) {
    if (!executable(configured)) throw new Error(`${BROWSER_PATH_VARIABLE}=${configured} is not an executable file`);
    return { executablePath: configured, env: {}, source: BROWSER_PATH_VARIABLE };
  }
  const system = systemBrowser();
  if (system) return { executablePath: system, env: {}, source: 'system' };
  if (process.platform === 'linux' && process.arch === 'x64') return packagedChromium();
  throw new Error(
    `No browser for the browser tests: ${BROWSER_PATH_VARIABLE} is unset, no ${SYSTEM_BROWSERS.join('/')} is on PATH, ` +
      `and @sparticuz/chromium ships Linux x64 only (this is ${process.platform} ${process.arch}). ` +
      `Install Chromium or Chrome, or set ${BROWSER_PATH_VARIABLE}.`,
  );
}

/**
 * Launches the Chromium `findBrowser` finds, headless, with the flags this machine's closed network
 * needs (no background connections, no QUIC).
 */
export function launchBrowser(): Promise<Browser> {
  const found = findBrowser();
  return chromium.launch({
    executablePath: found.executablePath,
    env: { ...process.env, ...found.env },
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
