/**
 * The S3 operations against moto over HTTP: put/list/get/head/delete, bucket settings, the
 * conditional put that makes a report upload exactly once, GetObject bodies released, the STS
 * identity, and AccessDenied mapped to the missing permission and resource.
 */
import http from 'node:http';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import pino from 'pino';
import { DomainException } from '@eks-info/platform';
import { MotoServer } from '@eks-info/testing';
import { mergePartials } from '../reports/access-stats';
import { S3Store } from './s3-store';

const BUCKET = 'eks-info-test';
const PREFIX = 'eks-info/';
const silent = pino({ level: 'silent' });

function s3Client(moto: MotoServer, credentials = { accessKeyId: 'test', secretAccessKey: 'test' }, maxSockets = 50): S3Client {
  return new S3Client({
    ...moto.clientConfig(credentials),
    forcePathStyle: true,
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets }), requestTimeout: 1500, throwOnRequestTimeout: true }),
  });
}

function storeFor(moto: MotoServer, s3: S3Client, readLimitBytes = 10 * 1024 * 1024, credentials = { accessKeyId: 'test', secretAccessKey: 'test' }): S3Store {
  return new S3Store({
    s3,
    sts: new STSClient(moto.clientConfig(credentials)),
    bucket: BUCKET,
    prefix: PREFIX,
    local: false,
    endpoint: moto.endpoint,
    cacheTtlMs: 0,
    deadlineMs: 5000,
    readLimitBytes,
    logger: silent,
  });
}

const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof DomainException ? `${e.body.code} ${e.definition.status}` : `unexpected ${(e as Error).name}`;
  }
};

describe('S3 store against moto', () => {
  let moto: MotoServer;
  let admin: S3Client;
  let store: S3Store;

  beforeAll(async () => {
    moto = await MotoServer.start();
    admin = s3Client(moto);
    await admin.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: moto.region as 'eu-west-1' } }));
    store = storeFor(moto, admin);
  }, 30_000);

  afterAll(async () => {
    admin?.destroy();
    await moto?.stop();
  });

  it('puts, lists with pagination, gets with metadata, heads and deletes under the prefix', async () => {
    const keys = [1, 2, 3, 4, 5].map((i) => `${store.uploadsPrefix}upload_${i}.txt`);
    for (const key of keys) await store.put(key, Buffer.from(`body of ${key}`), 'text/plain; charset=utf-8', { pod: 'storage-0', node: 'node-a' });
    // Not under the listed prefix: never appears.
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'elsewhere/x.txt', Body: 'x' }));

    const pages: string[][] = [];
    let after: string | undefined;
    do {
      const page = await store.list(store.uploadsPrefix, 2, after);
      pages.push(page.items.map((i) => i.name));
      after = page.next ?? undefined;
    } while (after);
    expect(pages).toEqual([['upload_1.txt', 'upload_2.txt'], ['upload_3.txt', 'upload_4.txt'], ['upload_5.txt']]);

    const got = await store.get(keys[2]);
    expect(got.body.toString()).toBe(`body of ${keys[2]}`);
    expect(got.contentType).toBe('text/plain; charset=utf-8');
    expect(got.metadata).toEqual({ pod: 'storage-0', node: 'node-a' });
    expect(await store.exists(keys[2])).toBe(true);

    await store.delete(keys[2]);
    expect(await store.exists(keys[2])).toBe(false);
    expect(await code(store.get(keys[2]))).toBe('STORAGE.NOT_FOUND 404');
    expect((await store.list(store.uploadsPrefix, 10)).items).toHaveLength(4);
    expect(store.ledger.statuses().find((s) => s.action === 's3:DeleteObject')?.outcome).toBe('allowed');
  });

  it('reads encryption, versioning and the public access block', async () => {
    const fresh = storeFor(moto, admin);
    const before = await fresh.settings();
    expect(before.publicAccessBlock).toMatchObject({ status: 'ok', data: { blockPublicAcls: false } });
    await admin.send(
      new PutBucketEncryptionCommand({
        Bucket: BUCKET,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/eks-info' }, BucketKeyEnabled: true }],
        },
      }),
    );
    await admin.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    await admin.send(
      new PutPublicAccessBlockCommand({
        Bucket: BUCKET,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      }),
    );
    const settings = await storeFor(moto, admin).settings();
    expect(settings.encryption).toEqual({ status: 'ok', data: { algorithm: 'aws:kms', kmsKeyId: 'alias/eks-info', bucketKeyEnabled: true } });
    expect(settings.versioning).toEqual({ status: 'ok', data: { status: 'Enabled', mfaDelete: null } });
    expect(settings.publicAccessBlock).toEqual({
      status: 'ok',
      data: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
    });
  });

  it('uploads a report exactly once: a second conditional put is refused, not overwritten', async () => {
    const window = { start: Date.parse('2025-11-13T10:00:00Z'), end: Date.parse('2025-11-13T10:30:00Z') };
    const first = mergePartials(
      [{ pod: 'storage-0', total: 2, clientIps: ['1.1.1.1'], paths: { '/': 2 }, responseTimeSumMs: 20, errors: 0 }],
      window,
      'storage-0',
      'schedule',
    );
    const second = { ...first, generated_by: 'storage-1' };
    const key = `${store.reportsPrefix}${first.report_id}.json`;
    await store.put(key, Buffer.from(JSON.stringify(first)), 'application/json', { pod: 'storage-0' }, { ifNoneMatch: true });
    expect(await code(store.put(key, Buffer.from(JSON.stringify(second)), 'application/json', { pod: 'storage-1' }, { ifNoneMatch: true }))).toBe(
      'STORAGE.ALREADY_DONE 409',
    );
    const stored = JSON.parse((await store.get(key)).body.toString());
    expect(stored).toEqual(first);
    expect(stored.report_id).toBe('stats_20251113_103000');
    expect((await store.list(store.reportsPrefix, 10)).items.map((i) => i.name)).toEqual(['stats_20251113_103000.json']);
  });

  it('shows who the pod is to AWS (STS GetCallerIdentity)', async () => {
    const identity = await store.identity();
    expect(identity).toMatchObject({ status: 'ok', data: { account: '123456789012' } });
  });

  it('releases the socket of a GetObject it does not read (too large): no pool starvation', async () => {
    const key = `${store.uploadsPrefix}big.bin`;
    await store.put(key, Buffer.alloc(256 * 1024, 1), 'application/octet-stream', {});
    const tight = s3Client(moto, undefined, 2);
    try {
      const limited = storeFor(moto, tight, 1024);
      const started = Date.now();
      for (let i = 0; i < 8; i++) expect(await code(limited.get(key))).toBe('STORAGE.TOO_LARGE 413');
      expect(Date.now() - started).toBeLessThan(5000);
      // The same client still has sockets for a normal read.
      await store.put(`${store.uploadsPrefix}small.txt`, Buffer.from('small'), 'text/plain; charset=utf-8', {});
      expect((await limited.get(`${store.uploadsPrefix}small.txt`)).body.toString()).toBe('small');

      // Control: bodies left unread keep both sockets, and the next request cannot get one.
      const unread: Array<{ once(e: string, f: () => void): void; destroy(): void }> = [];
      for (let i = 0; i < 2; i++) unread.push((await tight.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body as never);
      await expect(tight.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }), { abortSignal: AbortSignal.timeout(1500) })).rejects.toThrow(/abort/i);
      for (const body of unread) {
        body.once('error', () => undefined);
        body.destroy();
      }
    } finally {
      tight.destroy();
    }
  }, 30_000);

  // Last: IAM enforcement stays on for the rest of this moto server's life.
  it('maps AccessDenied to the missing permission and the resource', async () => {
    const creds = await moto.createIamUser('list-only', ['s3:ListBucket', 'sts:GetCallerIdentity']);
    await moto.enforceIam();
    const client = s3Client(moto, creds);
    try {
      // (No listing here: once IAM is enforced, moto's signature check mis-handles the encoded
      // "/" of a prefix query parameter and answers SignatureDoesNotMatch; real S3 does not.)
      const limited = storeFor(moto, client, 10 * 1024 * 1024, creds);
      const key = `${limited.uploadsPrefix}denied.txt`;
      const err = await limited.put(key, Buffer.from('x'), 'text/plain; charset=utf-8', {}).catch((e: unknown) => e as DomainException);
      expect(err).toBeInstanceOf(DomainException);
      expect((err as DomainException).body).toMatchObject({
        code: 'AWS.ACCESS_DENIED',
        message: `missing permission s3:PutObject on arn:aws:s3:::${BUCKET}/${key}`,
      });
      expect((err as DomainException).body.fix).toContain('s3:PutObject');
      const settings = await limited.settings();
      expect(settings.versioning).toMatchObject({
        status: 'error',
        code: 'AWS.ACCESS_DENIED',
        message: `missing permission s3:GetBucketVersioning on arn:aws:s3:::${BUCKET}`,
      });
      const ledger = Object.fromEntries(limited.ledger.statuses().map((s) => [s.action, s.outcome]));
      expect(ledger).toMatchObject({ 's3:PutObject': 'denied', 's3:GetBucketVersioning': 'denied', 's3:DeleteObject': 'not-tried' });
      expect(await limited.identity()).toMatchObject({ status: 'ok', data: { arn: expect.stringContaining('user/list-only') } });
    } finally {
      client.destroy();
    }
  }, 30_000);
});
