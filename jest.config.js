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
  testTimeout: 60000,
};
