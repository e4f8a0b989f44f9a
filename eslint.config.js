import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'public/**', '.pretrain/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off', // typed-array index math is checked by tests; `!` marks it
    },
  },
  {
    // src/core is pure: seeded randomness only, no DOM, no workers.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'src/core is seeded: use Rng.' }],
      'no-restricted-globals': ['error', 'window', 'document', 'self', 'Worker', 'localStorage', 'navigator'],
    },
  },
  {
    // The engine's randomness (init, dropout) must be reproducible from a seed too.
    files: ['src/nn/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'src/nn is seeded: use Rng or hashU32.' }],
    },
  },
);
