// Lint: TypeScript rules plus Nx module boundaries, which make the architecture a checked rule:
// services never import each other or the gateway, the gateway never touches Kubernetes or AWS
// (scope:server libs), only libs/contracts crosses the wire, and test helpers stay in tests.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const services = ['environment', 'storage', 'stress', 'scaling-monitor'];

/** Tag rules shared by production code and specs; `testing` says whether libs/testing is allowed. */
function constraints(testing) {
  const t = testing ? ['type:testing'] : [];
  return [
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
    { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', ...t] },
    { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:data-access', ...t] },
    { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:data-access', 'type:testing'] },
    { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:data-access', ...t] },
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:data-access', 'type:service', 'type:app', ...t] },
    { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:data-access', 'type:testing'] },
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
    { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared'] },
    ...services.map((s) => ({ sourceTag: `scope:${s}`, onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared', 'scope:server'] })),
    { sourceTag: 'scope:local', onlyDependOnLibsWithTags: ['*'] },
    { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared', 'scope:server', 'scope:e2e'] },
  ];
}

const boundaries = (testing, allow = []) => ({
  '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow, depConstraints: constraints(testing) }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.tools/**', '.nx/**', 'coverage/**', 'test-output/**', '**/*.mjs', '**/*.cjs'] },
  // Browser code is plain ES served as files (no bundler); it is linted as browser scripts.
  { ignores: ['**/*.js', '!gateway/src/public/js/**', '!gateway/src/*/assets/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { plugins: { '@nx': nx } },
  {
    files: ['**/*.ts'],
    rules: {
      ...boundaries(false),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Nest modules are classes with decorators and no members.
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', '*/test/**/*.ts', 'services/*/test/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts', 'libs/testing/**/*.ts'],
    rules: { ...boundaries(true), 'no-console': 'off' },
  },
  // The single-process entry composes the gateway and services (apps); nothing imports it.
  { files: ['local/**/*.ts'], rules: boundaries(false, ['@eks-info/gateway', '@eks-info/service-*']) },
  {
    files: ['gateway/src/public/js/**/*.js', 'gateway/src/*/assets/**/*.js'],
    languageOptions: { ecmaVersion: 2020, sourceType: 'script', globals: { ...globals.browser } },
    rules: { 'no-unused-vars': ['error', { args: 'none' }], '@typescript-eslint/no-unused-vars': 'off', 'no-console': 'error' },
  },
);
