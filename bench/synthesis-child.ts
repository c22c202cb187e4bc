/** Loads the example app and synthesizes it, printing the times as JSON (run by synthesis.ts). */
const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildApp } = require('../bin/app') as typeof import('../bin/app');
const loaded = performance.now();
buildApp().synth();
const done = performance.now();
process.stdout.write(JSON.stringify({ loadMs: loaded - t0, synthMs: done - loaded }));
