// Three projects share one transform. @swc/jest compiles TypeScript without type-checking
// (that is `npm run typecheck`), keeping Nest's legacy decorators and their design:type metadata,
// which dependency injection reads. JEST_TRANSFORM=ts-jest selects the previous transform
// (ts-jest, transpile-only) for comparison; docs/testing.md has the measured difference.
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
const transform = {
  '^.+\\.ts$':
    process.env.JEST_TRANSFORM === 'ts-jest'
      ? ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }]
      : ['@swc/jest', swc],
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform,
  setupFiles: ['<rootDir>/test/support/jest.setup-env.ts'],
};

// Only the tiers that talk to Postgres and Redis choose and prepare them (a throwaway database
// per run), so `npm run test:unit` needs neither. Jest runs a project's hooks only when one of
// its tests is selected; both hooks are idempotent, since integration and e2e share one run.
const backends = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...common,
      ...backends,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
      slowTestThreshold: 15,
    },
    {
      ...common,
      ...backends,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'],
      slowTestThreshold: 20,
    },
  ],
  testTimeout: 60000,
};
