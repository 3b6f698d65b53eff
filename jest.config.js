// One Jest run for every tier, so `npm test` ends with Jest's summary line.
//   unit        *.spec.ts      fast, in-process, may fake
//   integration *.int.spec.ts  real processes on loopback: nats-server, moto, the fake API server
//   e2e         *.e2e.spec.ts  Debian chromium driven by playwright-core against a running stack
//   cpu         *.cpu.int.spec.ts  tests that measure CPU time, or wall time against a margin of
//               less than a second (the S3 deadline); scripts/test.sh runs them alone first
//               (--runInBand), since a parallel worker on a 2-core machine would skew the figures
//   cluster     *.cluster.spec.ts  a real control plane on loopback (etcd, kube-apiserver,
//               kube-controller-manager, kube-scheduler, kwok), started once per run by the
//               project's global setup and stopped by its global teardown
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias.replace(/[/-]/g, '\\$&')}$`, `<rootDir>/${target}`]),
);

const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      swcrc: false,
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        target: 'es2023',
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};

const roots = ['<rootDir>/gateway', '<rootDir>/services', '<rootDir>/libs', '<rootDir>/local', '<rootDir>/e2e', '<rootDir>/bench'];
const common = {
  rootDir: __dirname,
  roots,
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/libs/testing/src/guards/jest.setup.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.tools/'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['**/*.spec.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$', '\\.cluster\\.spec\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/*.int.spec.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '\\.cpu\\.int\\.spec\\.ts$'],
      slowTestThreshold: 30,
    },
    { ...common, displayName: 'cpu', testMatch: ['**/*.cpu.int.spec.ts'], slowTestThreshold: 60 },
    { ...common, displayName: 'e2e', testMatch: ['**/*.e2e.spec.ts'], slowTestThreshold: 60 },
    {
      ...common,
      displayName: 'cluster',
      testMatch: ['**/*.cluster.spec.ts'],
      // One control plane per run, shared by the cluster test files (each in its own namespaces).
      globalSetup: '<rootDir>/libs/testing/src/control-plane/jest-global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/control-plane/jest-global-teardown.ts',
      slowTestThreshold: 60,
    },
  ],
  // Two cores: more workers only make the real-process tests fight over CPU.
  maxWorkers: 2,
  testTimeout: 60_000,
};
