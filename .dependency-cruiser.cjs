/**
 * The layering of the monorepo, checked by dependency-cruiser
 * (`npm run lint:deps`):
 *
 *   packages/*   libraries; never reach into an app
 *   apps/api     the HTTP API      } neither imports the other;
 *   apps/worker  the BullMQ worker } apps/stack runs both in one process
 *
 * Workspace packages are imported as `@stream-server/<name>`; the paths in
 * tsconfig.test.json map them to their `src/`, so the cruise follows the
 * sources rather than the built `dist/`.
 *
 * One house rule stays a test because it is about text, not imports:
 * `process.env` is read only in packages/config (tests/rules).
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
const SOURCES = '^(apps|packages)/[^/]+/src/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order matter and the modules impossible to use, test or move alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'packages-not-to-apps',
      severity: 'error',
      comment: 'Packages are the libraries the apps are built from; they never depend on an app.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'api-not-to-worker',
      severity: 'error',
      comment: 'The API and the worker deploy and scale apart; what they share lives in packages/.',
      from: { path: '^apps/api/' },
      to: { path: '^apps/worker/' },
    },
    {
      name: 'worker-not-to-api',
      severity: 'error',
      comment: 'The API and the worker deploy and scale apart; what they share lives in packages/.',
      from: { path: '^apps/worker/' },
      to: { path: '^apps/api/' },
    },
    {
      name: 'bullmq-only-in-the-queue-package',
      severity: 'error',
      comment: 'BullMQ stays behind the queue adapter in packages/queue; the rest of the code uses that package.',
      from: { path: SOURCES, pathNot: '^packages/queue/src/' },
      to: { path: '(^|/)node_modules/bullmq/' },
    },
    {
      name: 's3-sdk-only-in-the-bucket-adapter',
      comment:
        'One class speaks S3 (packages/storage/src/s3-bucket.ts); everything else goes through the storage interface.',
      severity: 'error',
      from: { path: SOURCES, pathNot: '^packages/storage/src/s3-bucket\\.ts$' },
      to: { path: '(^|/)node_modules/@aws-sdk/' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A source file that nothing imports and that imports nothing is dead code (or a missing import).',
      from: { orphan: true, path: SOURCES, pathNot: '\\.d\\.ts$' },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import that does not resolve fails at run time; add the dependency or fix the path. ' +
        "The web page's contract.js is the one exception: the API builds it from packages/contract when it starts.",
      from: {},
      to: { couldNotResolve: true, pathNot: '^[.]/contract[.]js$' },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        'Production code must not need a dev dependency: `npm ci --omit=dev` leaves it out. ' +
        "Declare it in the workspace's dependencies instead.",
      from: { path: SOURCES },
      // `npm` too when the workspace declares it and the root also has it
      // as a dev dependency (for the tests): that is fine.
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['npm', 'type-only'] },
    },
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment: 'An import of a package that no package.json declares works only by accident of hoisting.',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(apps|packages)/[^/]+/dist/' },
    // Type-only imports are dependencies too: a package importing an app's
    // types is as coupled as one importing its code.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    // A workspace's files are checked against its own package.json merged
    // with the root's, as npm resolves them: the root holds the dev
    // dependencies every workspace's tests use.
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json', '.d.ts'],
    },
    skipAnalysisNotInRules: true,
    cache: false,
  },
};
