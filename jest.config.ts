import type { Config } from 'jest';

/**
 * One `npm test` runs every workspace's tests: unit tests next to each
 * package (`<pkg>/test/*.test.ts`) and the black-box suites in `tests/`.
 * Sources are loaded straight from `src/` (no build needed); types are
 * checked once by `tsc -p tsconfig.test.json` in `npm test`, so ts-jest
 * only transpiles.
 */
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/apps', '<rootDir>/tests'],
  testMatch: ['**/test/**/*.test.ts', '<rootDir>/tests/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: false }],
    '/node_modules/(@tus|srvx)/.+\\.m?js$': '<rootDir>/tests/support/esm-to-cjs.cjs',
  },
  // tus's server and stores ship as ESM only (see esm-to-cjs.cjs).
  transformIgnorePatterns: ['/node_modules/(?!(@tus|srvx)/)'],
  moduleNameMapper: {
    '^@stream-server/(api|worker|stack)$': '<rootDir>/apps/$1/src',
    '^@stream-server/(.*)$': '<rootDir>/packages/$1/src',
    // Node16 resolution wants `.js` on a relative dynamic import; the test run loads the `.ts` source.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  testTimeout: 60_000,
  // ffmpeg does the heavy work in child processes; two jest workers keep
  // both cores busy without starving the encodes under test.
  maxWorkers: 2,
};

export default config;
