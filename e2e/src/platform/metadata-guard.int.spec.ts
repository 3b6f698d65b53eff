/**
 * Nothing run here may contact the cloud metadata addresses. Every process the tests start
 * preloads a guard that blocks and records such connections; these tests prove the guard bites,
 * then that the app in local mode — including an AWS call with no credentials, where the SDK's
 * default chain would try IMDS — never attempts one.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManagedProcess, guardRequireArgs, isolatedEnv, nodeBin, startLocalApp } from '@eks-info/testing';

jest.setTimeout(90_000);

const logFile = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'guard-')), 'blocked.log');
const blocked = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);

it('the guard blocks and records a connection to a metadata address (control)', async () => {
  const file = logFile();
  const script =
    "fetch('http://169.254.169.254/latest/meta-data/', { signal: AbortSignal.timeout(2000) }).then(() => process.exit(0), (e) => { console.log('refused:', e.cause?.code ?? e.message); process.exit(3); });";
  const proc = new ManagedProcess({
    name: 'probe',
    command: nodeBin,
    args: [...guardRequireArgs(), '-e', script],
    env: isolatedEnv({ METADATA_GUARD_LOG: file }),
  });
  const exit = await proc.exited;
  expect(exit.code).toBe(3);
  expect(proc.output.join('\n')).toContain('refused: EACCES');
  expect(blocked(file)).toHaveLength(1);
  expect(blocked(file)[0]).toContain('169.254.169.254');
});

it('local mode never contacts a metadata address, even when an AWS call finds no credentials', async () => {
  const file = logFile();
  // A region and a VPC make /network call EC2; with no credentials anywhere the SDK's default
  // chain would fall through to IMDS. The endpoint is a closed loopback port, never AWS.
  const app = await startLocalApp({
    METADATA_GUARD_LOG: file,
    AWS_REGION: 'eu-west-1',
    VPC_ID: 'vpc-0123456789abcdef0',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_EC2_METADATA_DISABLED: undefined, // prove the app itself keeps IMDS out, not this variable
  });
  try {
    for (const p of ['/', '/resources', '/network', '/api/v1/environment', '/api/v1/network']) {
      expect((await fetch(`${app.url}${p}`)).status).toBeLessThan(500);
    }
    const network = (await (await fetch(`${app.url}/api/v1/network`)).json()) as { vpc: { status: string; code: string } };
    expect(network.vpc).toMatchObject({ status: 'error', code: 'AWS.NO_CREDENTIALS' });
    await new Promise((r) => setTimeout(r, 500));
    expect(blocked(file)).toEqual([]);
  } finally {
    await app.stop();
  }
});
