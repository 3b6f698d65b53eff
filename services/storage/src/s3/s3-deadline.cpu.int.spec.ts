/**
 * An S3 write must end before the caller stops waiting for it. A storage process talks to S3
 * (moto) through a loopback proxy that holds every request for 10 s; a client sends the upload
 * and the delete over a real nats-server with the default RPC_TIMEOUT_MS (5 s), as the gateway does. The
 * answer is the storage service's own AWS.TIMEOUT, in time: not the caller's transport timeout
 * (504 with the write still running behind it).
 *
 * The service's margin is 750 ms (REPLY_MARGIN_MS): on a machine busy with the other tiers'
 * workers that can be eaten by scheduling alone, so this runs in the cpu tier, alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import pino from 'pino';
import { AwsErrors, StorageRpc, TransportErrors } from '@eks-info/contracts';
import { type ProcessRuntime, RpcError, createRuntime } from '@eks-info/platform';
import { type ManagedProcess, MotoServer, NatsServer, freePort, slowHttpProxy, startNodeProcess } from '@eks-info/testing';

jest.setTimeout(90_000);

// The default, as the gateway and the chart use it; the storage service runs with its defaults.
const RPC_TIMEOUT_MS = 5000;
const BUCKET = 'deadline-test';

let moto: MotoServer;
let nats: NatsServer;
let proxy: Awaited<ReturnType<typeof slowHttpProxy>>;
let storage: ManagedProcess;
let client: ProcessRuntime;
let dir: string;

beforeAll(async () => {
  [moto, nats] = await Promise.all([MotoServer.start(), NatsServer.start()]);
  const s3 = new S3Client({ ...moto.clientConfig(), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  s3.destroy();
  proxy = await slowHttpProxy(moto.endpoint, 10_000);
  dir = mkdtempSync(path.join(os.tmpdir(), 's3-deadline-'));
  const port = await freePort();
  storage = await startNodeProcess({
    name: 'storage',
    entry: 'services/storage/src/main.js',
    env: {
      ...moto.env,
      AWS_ENDPOINT_URL: undefined,
      AWS_ENDPOINT_URL_S3: proxy.endpoint,
      NATS_URL: nats.url,
      RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS),
      MANAGEMENT_PORT: String(port),
      MANAGEMENT_HOST: '127.0.0.1',
      EBS_PATH: path.join(dir, 'ebs'),
      REQUIRE_MOUNTS: 'false',
      S3_BUCKET: BUCKET,
      KUBE_MODE: 'off',
      IMDS_MODE: 'off',
      SHUTDOWN_GRACE_MS: '0',
    },
    readyUrl: `http://127.0.0.1:${port}/ready`,
  });
  client = createRuntime('deadline-client', 'test', { NATS_URL: [nats.url], RPC_TIMEOUT_MS, LOG_LEVEL: 'silent' } as Parameters<typeof createRuntime>[2], {
    logger: pino({ level: 'silent' }),
  });
  if (client.transport.kind === 'nats') await client.transport.connection.whenReady();
});

afterAll(async () => {
  await client?.bus.close();
  await storage?.stop();
  await proxy?.close();
  await Promise.all([nats?.stop(), moto?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function timed(work: Promise<unknown>): Promise<{ ms: number; code: string }> {
  const started = performance.now();
  const code = await work.then(
    () => 'answered',
    (err: unknown) => (err instanceof RpcError ? err.code : `unexpected: ${(err as Error).message}`),
  );
  return { ms: performance.now() - started, code };
}

it.each([
  ['an upload (s3:PutObject)', () => client.bus.request(StorageRpc.s3Upload, { content: 'must not outlive its caller' })],
  ['a delete (s3:DeleteObject, after its HeadObject)', () => client.bus.request(StorageRpc.s3Delete, { key: 'eks-info/uploads/upload_x.txt' })],
  // 2 s of gathering every pod's partial, then the upload: one budget for both.
  ['a report now (the partials, then s3:PutObject)', () => client.bus.request(StorageRpc.reportNow, {})],
])('%s against a stalled S3 fails with the service own AWS.TIMEOUT before the RPC timeout', async (_, send) => {
  const outcome = await timed(send());
  expect(outcome.code).toBe(AwsErrors.TIMEOUT.code);
  expect(outcome.code).not.toBe(TransportErrors.TIMEOUT.code);
  expect(outcome.ms).toBeLessThan(RPC_TIMEOUT_MS);
});
