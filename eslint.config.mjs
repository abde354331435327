// @ts-check
/**
 * ESLint for the whole repository: typescript-eslint's type-checked rules
 * on every TypeScript file (sources, unit tests, black-box suites, bench),
 * plain `recommended` on the few JavaScript files. Formatting is left to
 * Prettier (`eslint-config-prettier` switches off every rule it owns).
 *
 * Type information comes from tsconfig.test.json: it includes every
 * workspace's src/ and test/, tests/, bench/ and jest.config.ts, and maps
 * `@stream-server/*` to the sources, so one program serves all files.
 */
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const testFiles = ['**/test/**/*.ts', 'tests/**/*.ts', 'jest.config.ts'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      'bench/results/**',
      // A committed CommonJS shim that only requires the built CLI.
      'packages/client/bin/**',
      // Third-party example clients that tests run verbatim: not our code.
      'tests/seed-clients/**',
    ],
  },
  {
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Type-only imports say so, which keeps runtime imports (and their
      // side effects) visible; both `import type {…}` and inline
      // `import { type X }` are fine.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      eqeqeq: ['error', 'always'],
      // `return await` inside try/catch, so a rejection is caught where the
      // code says it is; elsewhere it is noise.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-deprecated': 'error',
      '@typescript-eslint/prefer-optional-chain': 'error',
      // `_name` marks a parameter or binding that is deliberately unused
      // (Express handlers, interface implementations, destructuring rests).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Off: many async functions here implement a Promise-returning
      // contract (fetch and queue fakes, BullMQ processors, jest global
      // setup) without awaiting anything; `async` there also turns a throw
      // into a rejection. Promises that are really mishandled are caught by
      // no-floating-promises and no-misused-promises.
      '@typescript-eslint/require-await': 'off',
      // Rejecting with a reason of unknown type (an AbortSignal's reason, a
      // caught error passed on) is as legitimate as rethrowing it; this
      // matches only-throw-error's defaults.
      '@typescript-eslint/prefer-promise-reject-errors': [
        'error',
        { allowThrowingAny: true, allowThrowingUnknown: true },
      ],
      // The services log through @stream-server/logger; console output is
      // for the command-line entries and the bench, which opt back in.
      'no-console': 'error',
    },
  },
  {
    files: testFiles,
    rules: {
      // Off in tests: jest's asymmetric matchers (`expect.any(String)`,
      // `expect.objectContaining(…)`) are typed `any` by @types/jest and
      // belong inside the object literals handed to toEqual and as the
      // argument of toThrow, so each use would be reported. Member access
      // and calls on `any` are still checked.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Tests print what they measured or why they skip.
      'no-console': 'off',
    },
  },
  {
    files: ['bench/**/*.ts'],
    rules: {
      // The bench is a command-line tool that reports on stdout.
      'no-console': 'off',
    },
  },
  {
    // The browser pages: plain ES modules loaded by <script type="module">.
    files: ['apps/web/assets/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: 'module',
      globals: globals.browser,
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ignores: ['apps/web/assets/**'],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: 'commonjs',
      globals: globals.node,
    },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: 'module',
      globals: globals.node,
    },
  },
  prettier,
);
