/**
 * Idempotency keys of uploads, kept as marker objects in the bucket (moto over HTTP, versioning
 * on so every write shows): two pods sending the same keys at once leave one object per key and
 * agree on it; another request under a used key is refused; a failed upload lets go of its key;
 * the sweep removes old markers only.
 */
import http from 'node:http';
import { CreateBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import pino from 'pino';
import { DomainException } from '@eks-info/platform';
import { MotoServer } from '@eks-info/testing';
import { IdempotentWrites, fingerprint } from '../common/idempotency';
import { S3Markers } from './s3-markers';
import { S3Store } from './s3-store';

const BUCKET = 'eks-info-idem';
const PREFIX = 'eks-info/';
const KEYS = 6;
type Uploaded = { key: string };

describe('idempotent uploads against moto', () => {
  let moto: MotoServer;
  let admin: S3Client;
  let pods: S3Store[];

  beforeAll(async () => {
    moto = await MotoServer.start();
    const client = () =>
      new S3Client({
        ...moto.clientConfig(),
        forcePathStyle: true,
        requestHandler: new NodeHttpHandler({
          httpAgent: new http.Agent({ keepAlive: true, maxSockets: 20 }),
          requestTimeout: 3000,
          throwOnRequestTimeout: true,
        }),
      });
    admin = client();
    await admin.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: moto.region as 'eu-west-1' } }));
    await admin.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    pods = [0, 1].map(
      () =>
        new S3Store({
          s3: client(),
          bucket: BUCKET,
          prefix: PREFIX,
          local: false,
          endpoint: moto.endpoint,
          cacheTtlMs: 0,
          deadlineMs: 5000,
          readLimitBytes: 1024 * 1024,
          logger: pino({ level: 'silent' }),
        }),
    );
  }, 30_000);

  afterAll(async () => {
    admin?.destroy();
    for (const pod of pods ?? []) pod.options.s3.destroy();
    await moto?.stop();
  });

  const versions = async (prefix: string) =>
    ((await admin.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: prefix }))).Versions ?? []).map((v) => v.Key!);

  /** One pod's upload of `content` under `key`: a new object each time the work runs. */
  const upload = (pod: S3Store, memory: IdempotentWrites<Uploaded>, key: string, content: string) =>
    memory.run(
      key,
      fingerprint(content),
      async () => {
        const objectKey = `${pod.uploadsPrefix}upload_${Date.now()}_${Math.random().toString(16).slice(2, 10)}.txt`;
        await pod.put(objectKey, Buffer.from(content), 'text/plain; charset=utf-8', {});
        return { key: objectKey };
      },
      new S3Markers<Uploaded>(pod, pod.budget()),
    );

  it(`leaves one object per key when two pods send the same ${KEYS} keys, four times each, at once`, async () => {
    const memories = pods.map(() => new IdempotentWrites<Uploaded>());
    const sends = Array.from({ length: KEYS }, (_, k) => k).flatMap((k) =>
      [0, 1, 0, 1, 1, 0, 1, 0].map((p) => upload(pods[p], memories[p], `race-${k}`, `content ${k}`).then((a) => ({ k, ...a }))),
    );
    const answers = await Promise.all(sends);
    for (let k = 0; k < KEYS; k++) {
      const named = new Set(answers.filter((a) => a.k === k).map((a) => a.value.key));
      expect({ k, objects: named.size }).toEqual({ k, objects: 1 });
    }
    expect(answers.filter((a) => !a.replayed)).toHaveLength(KEYS);
    const written = await versions(pods[0].uploadsPrefix);
    expect(written).toHaveLength(KEYS);
    expect(new Set(written)).toEqual(new Set(answers.map((a) => a.value.key)));
  });

  it('refuses another upload under a used key (422) on either pod, and lets go of a key whose upload failed', async () => {
    const [a, b] = [new IdempotentWrites<Uploaded>(), new IdempotentWrites<Uploaded>()];
    const first = await upload(pods[0], a, 'used', 'one');
    const before = (await versions(pods[0].uploadsPrefix)).length;
    for (const [pod, memory] of [
      [pods[0], a],
      [pods[1], b],
    ] as const) {
      const refused = await upload(pod, memory, 'used', 'two').catch((e: unknown) => e);
      expect(refused instanceof DomainException && `${refused.body.code} ${refused.definition.status}`).toBe('STORAGE.IDEMPOTENCY_KEY_REUSED 422');
    }
    expect((await upload(pods[1], b, 'used', 'one')).value).toEqual(first.value);
    expect(await versions(pods[0].uploadsPrefix)).toHaveLength(before);

    const failed = b.run('fails', fingerprint('x'), () => Promise.reject(new Error('S3 fell over')), new S3Markers<Uploaded>(pods[1]));
    await expect(failed).rejects.toThrow('S3 fell over');
    const retry = await upload(pods[0], new IdempotentWrites<Uploaded>(), 'fails', 'x');
    expect(retry.replayed).toBe(false);
    expect(await versions(pods[0].uploadsPrefix)).toHaveLength(before + 1);
  });

  it('sweeps markers older than the given age, and only those', async () => {
    await upload(pods[0], new IdempotentWrites<Uploaded>(), 'sweep-me', 'z');
    await new Promise((r) => setTimeout(r, 200));
    const markers = new S3Markers<Uploaded>(pods[0]);
    const all = (await pods[0].list(S3Markers.prefix(pods[0]), 1000)).items.length;
    expect(all).toBeGreaterThan(0);
    expect(await markers.sweep(60_000)).toBe(0);
    expect(await markers.sweep(0)).toBe(all);
    expect((await pods[0].list(S3Markers.prefix(pods[0]), 1000)).items).toEqual([]);
  });
});
