// ESLint (flat config) with typescript-eslint. Formatting is Prettier's job (.prettierrc.json), so no
// rule here is about layout. Run by `npm run lint`, which `npm test` runs.
// Not type-aware on purpose: with type information (no-floating-promises, return-await) one run took
// 83 s of CPU (over 4 minutes on a busy two-core machine) against 13 s without, and it found nothing
// the compiler and the tests did not (no floating promise, two return-await cases in a test).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// One helper each, not a copy per file (issue 13).
const sharedHelpers = [
  {
    selector:
      "ConditionalExpression[test.operator='instanceof'][test.right.name='Error'][alternate.callee.name='String']:matches([consequent.property.name='message'], [consequent.type='TemplateLiteral'])",
    message:
      'Use errorMessage() or errorNameAndMessage() from lambda/core/error-message.ts (client/ and local/emulator/ have their own error-message.ts).',
  },
  {
    selector: "CallExpression[callee.property.name='map'][callee.object.property.name='issues']",
    message:
      'Use describeIssues() or describeSettingIssues() from lambda/core/schema-issues.ts (client/: describeIssues in client/contracts.ts).',
  },
];

export default defineConfig(
  {
    // Build output, bundles and generated files.
    ignores: ['node_modules/', 'dist/', 'assets/', 'cdk.out/', 'coverage/', 'test-output/', 'packages/client/dist/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
      'dot-notation': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // `let x!: T` filled in later is how mutually referring parts are wired (local/playground/playground.ts).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `import x = require('x.json')` is TypeScript's typed JSON import.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
      'no-restricted-syntax': ['error', ...sharedHelpers],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // The handler bundles: zod's `z` export is one namespace object holding all of zod (every locale
    // and the JSON-schema converters), which esbuild cannot tree-shake; `import * as z` lets it keep only
    // what is used (about 95 KiB of zod instead of 460 KiB per bundle, docs/architecture.md "Bundles").
    files: ['lambda/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...sharedHelpers,
        {
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
          message: "Use `import * as z from 'zod'` in lambda/ (bundle size).",
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // jest.isolateModules() loads a handler fresh only through require() inside its callback.
      '@typescript-eslint/no-require-imports': 'off',
      // A test reads a JSON answer field by field; its assertions are the type check.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Pages served to the browser by the playground, without a bundler.
    files: ['local/playground/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
  {
    // CommonJS: Jest's configuration and the consumer project's require() examples.
    files: ['**/*.cjs', 'jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
