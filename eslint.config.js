// Lint rules for the whole repository (`npm run lint`, part of `npm test`); formatting is Prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'node_modules/', '*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
      // Deliberate: control characters are what some validators look for, and state initialised before a try is read after it.
      'no-control-regex': 'off',
      'no-useless-assignment': 'off',
    },
  },
  {
    files: ['**/*.test.ts'],
    // Mocha hands a test its context as `this`.
    rules: { '@typescript-eslint/no-this-alias': 'off' },
  },
);
