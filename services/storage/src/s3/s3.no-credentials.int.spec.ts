/**
 * A storage pod with neither IRSA nor Pod Identity: the S3 sections say so and name the missing
 * ServiceAccount annotation, and nothing answers as the node's instance role. The clients are
 * the service's own (libs/aws), told they run in Kubernetes, against moto.
 */
import { AwsErrors } from '@eks-info/contracts';
import { AwsClients, IRSA_ANNOTATION } from '@eks-info/aws';
import { DomainException } from '@eks-info/platform';
import { MotoServer } from '@eks-info/testing';
import pino from 'pino';
import { detectAccessMethod } from './access-method';
import { S3Store } from './s3-store';

jest.setTimeout(60_000);

const env = { KUBERNETES_SERVICE_HOST: '10.100.0.1', SERVICE_ACCOUNT_NAME: 'eks-info-storage', POD_NAMESPACE: 'demo' };
const missing = `demo/eks-info-storage has no IAM role (no ${IRSA_ANNOTATION} annotation, no Pod Identity association)`;
let moto: MotoServer;
let clients: AwsClients;
let store: S3Store;

beforeAll(async () => {
  moto = await MotoServer.start();
  clients = new AwsClients({
    region: moto.region,
    endpoint: moto.endpoint,
    requestTimeoutMs: 3000,
    connectTimeoutMs: 1000,
    maxAttempts: 1,
    env,
    component: 'storage',
  });
  store = new S3Store({
    s3: clients.s3,
    sts: clients.sts,
    bucket: 'eks-info-test',
    prefix: 'eks-info/',
    local: false,
    endpoint: null,
    cacheTtlMs: 0,
    deadlineMs: 5000,
    readLimitBytes: 1024 * 1024,
    logger: pino({ level: 'silent' }),
  });
});
afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

it('the identity section and a listing name the missing role annotation of the pod ServiceAccount', async () => {
  const identity = await store.identity();
  expect(identity).toMatchObject({ status: 'error', code: AwsErrors.NO_CREDENTIALS.code, message: expect.stringContaining(missing) });
  const listing = await store.list(store.uploadsPrefix, 10).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(listing).toBeInstanceOf(DomainException);
  expect((listing as DomainException).body).toMatchObject({
    code: AwsErrors.NO_CREDENTIALS.code,
    message: expect.stringContaining(missing),
    fix: expect.stringContaining("the chart's storage.serviceAccount.roleArn"),
  });
  // The access method shown beside them says the same.
  expect(detectAccessMethod(env, false)).toMatchObject({ method: 'none', details: expect.stringContaining(IRSA_ANNOTATION) });
  expect(store.ledger.statuses().find((a) => a.action === 's3:ListBucket')?.outcome).toBe('failed');
});
