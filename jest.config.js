/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  // ESM-only dependencies of @vonage/server-client, stood in for under Jest's CommonJS runtime.
  moduleNameMapper: {
    '^uuid$': '<rootDir>/test/esm-stand-ins/uuid.ts',
    '^node-fetch$': '<rootDir>/test/esm-stand-ins/node-fetch.ts',
  },
  // A hang detector, not a speed test: tests bound the system's behaviour themselves, and a loaded
  // two-core machine (other jobs, CI neighbours) can make an honest test take minutes.
  testTimeout: 300_000,
};
