// Lint: typescript-eslint's recommended rules plus the layer rules of ARCHITECTURE.md as import bans.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });

export default tseslint.config(
  { ignores: ['node_modules/**', '.next/**', 'src/generated/**', 'next-env.d.ts', 'test/bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Layer rules: a module imports only from layers below it, plus the leaves (errors, config, observability, auth).
  layer(['src/http/**'], [{ group: ['graphql', 'graphql/*', 'graphql-yoga'], message: 'src/http must not know GraphQL.' }, { group: ['**/providers/**', '**/loaders/**', '**/resolvers/**', '**/plugins/**', '**/server/**', '**/dev/**'], message: 'src/http imports only leaves.' }]),
  layer(['src/plugins/**'], [{ group: ['**/providers/**', '**/http/**', '**/dev/**'], message: 'plugins never import providers or http.' }]),
  layer(['src/resolvers/**'], [{ group: ['**/http/*', '!**/http/types', '**/dev/**'], message: 'resolvers never import http.' }]),
  layer(['src/errors/**', 'src/config/**', 'src/observability/**', 'src/auth/**'], [{ group: ['**/server/**', '**/plugins/**', '**/resolvers/**', '**/loaders/**', '**/providers/**', '**/dev/**'], message: 'leaves import no layer.' }]),
  layer(['src/server/**', 'src/providers/**', 'src/loaders/**', 'src/app/**'], [{ group: ['**/dev/**'], message: 'production code never imports src/dev.' }]),
);
