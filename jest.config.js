/**
 * Two Jest projects, so every test runs exactly once under `jest` (`npm test`):
 * - `unit`: tests that start no server, emulator, browser, subprocess or CDK synth; `npm run test:unit`
 *   runs them alone, in seconds.
 * - `system`: every other test.
 * A test joins `unit` by its path in UNIT_TESTS (a folder ending in `/` or one file); nothing else
 * needs to change when tests move.
 */
const UNIT_TESTS = [
  'test/lambda/core/',
  'test/lambda/heartbeat-subscriber/',
  'test/lambda/entitlement/',
  'test/lambda/token-vending/',
  'test/bench/',
  'test/client/device-session.test.ts',
  'test/client/device-session-health.test.ts',
  'test/client/device-session-max-duration.test.ts',
  'test/client/http-topic-transport.test.ts',
  'test/lambda/jwt-authorizer/authorize.test.ts',
  'test/local/emulator/cache-store.test.ts',
  'test/local/playground/playground-options.test.ts',
  'test/local/playground/simulated-devices.test.ts',
  'test/reliability/bad-request-tables.test.ts',
  'test/reliability/jwt-claim-authority.test.ts',
  'test/reliability/malformed-heartbeat-generator.test.ts',
  'test/lambda/vonage/callback-signature.test.ts',
  'test/lambda/vonage/room-policy.test.ts',
  'test/lambda/vonage/vonage-config.test.ts',
];

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** @type {import('jest').Config} */
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  // ESM-only dependencies of @vonage/server-client, stood in for under Jest's CommonJS runtime.
  moduleNameMapper: {
    '^uuid$': '<rootDir>/test/esm-stand-ins/uuid.ts',
    '^node-fetch$': '<rootDir>/test/esm-stand-ins/node-fetch.ts',
  },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: UNIT_TESTS.map((path) => `<rootDir>/${path}${path.endsWith('/') ? '**/*.test.ts' : ''}`),
    },
    {
      ...shared,
      displayName: 'system',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...UNIT_TESTS.map((path) => `^<rootDir>/${escapeRegExp(path)}`)],
    },
  ],
  // A hang detector, not a speed test: tests bound the system's behaviour themselves, and a loaded
  // two-core machine (other jobs, CI neighbours) can make an honest test take minutes.
  testTimeout: 300_000,
};
