/**
 * The workspace as a whole: it typechecks (strict), lints clean, and the Nx module boundaries
 * are real — probes that break them are reported, so a silently skipped rule cannot pass.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ESLint } from 'eslint';
import { nodeBin, repoRoot } from '@eks-info/testing';

jest.setTimeout(240_000);

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };

beforeAll(() => {
  // The boundary rule reads Nx's cached project graph; compute it first.
  const r = spawnSync(nodeBin, [path.join(repoRoot, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'], { cwd: repoRoot, env, encoding: 'utf8' });
  expect(r.status).toBe(0);
});

it('typechecks in strict mode', () => {
  const r = spawnSync(nodeBin, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: repoRoot, encoding: 'utf8' });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
});

it('is formatted as .prettierrc.json says (npx prettier --write . fixes it)', () => {
  const r = spawnSync(nodeBin, [path.join(repoRoot, 'node_modules/prettier/bin/prettier.cjs'), '--list-different', '.'], { cwd: repoRoot, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.stdout.split('\n').filter(Boolean)).toEqual([]);
});

describe('lint', () => {
  const eslint = new ESLint({ cwd: repoRoot, errorOnUnmatchedPattern: false });

  it('reports no problems in any project', async () => {
    const results = await eslint.lintFiles(['gateway', 'services', 'libs', 'local', 'e2e', 'bench']);
    const problems = results.flatMap((r) => r.messages.map((m) => `${path.relative(repoRoot, r.filePath)}:${m.line} ${m.ruleId}: ${m.message}`));
    expect(problems).toEqual([]);
  });

  const probe = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, filePath) });
    return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  };

  it('forbids a service importing another service', async () => {
    expect(
      await probe(
        'services/storage/src/probe.ts',
        "import { startEnvironmentService } from '@eks-info/service-environment';\nexport const x = startEnvironmentService;\n",
      ),
    ).not.toEqual([]);
  });

  it('forbids the gateway importing the Kubernetes or AWS libraries', async () => {
    expect(await probe('gateway/src/probe.ts', "import { InformerHub } from '@eks-info/kube';\nexport const x = InformerHub;\n")).not.toEqual([]);
    expect(await probe('gateway/src/probe.ts', "import { createAws } from '@eks-info/aws';\nexport const x = createAws;\n")).not.toEqual([]);
  });

  it('forbids production code importing test helpers, but allows it in specs', async () => {
    const code = "import { NatsServer } from '@eks-info/testing';\nexport const x = NatsServer;\n";
    expect(await probe('services/stress/src/probe.ts', code)).not.toEqual([]);
    expect(await probe('services/stress/src/probe.spec.ts', code)).toEqual([]);
  });

  it('forbids contracts depending on anything else', async () => {
    expect(await probe('libs/contracts/src/probe.ts', "import { LogOnce } from '@eks-info/platform';\nexport const x = LogOnce;\n")).not.toEqual([]);
  });

  it('lets only the single-process entry compose the gateway and services', async () => {
    expect(
      await probe(
        'local/src/probe.ts',
        "import { startEnvironmentService } from '@eks-info/service-environment';\nexport const x = startEnvironmentService;\n",
      ),
    ).toEqual([]);
  });
});
