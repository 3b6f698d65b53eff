#!/usr/bin/env node
// Runs Jest on Node 24 with ESM support in the VM: @kubernetes/client-node ≥1 is ESM and Jest
// loads it only with --experimental-vm-modules. Arguments pass through to Jest.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const node = existsSync(path.join(root, '.tools/bin/node')) ? path.join(root, '.tools/bin/node') : process.execPath;
const result = spawnSync(
  node,
  ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', path.join(root, 'node_modules/jest/bin/jest.js'), ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: root, env: { ...process.env, PATH: `${path.join(root, '.tools/bin')}:${process.env.PATH}` } },
);
process.exit(result.status ?? 1);
