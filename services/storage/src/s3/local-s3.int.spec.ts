/**
 * The embedded S3-compatible server of local mode, through the same S3Store and SDK client code
 * as real S3 (endpoint override): objects round-trip with metadata, pages, and unimplemented
 * bucket settings show as "not here" instead of failing the page.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AwsClients } from '@eks-info/aws';
import { LOCAL_BUCKET, LOCAL_CREDENTIALS, LocalS3Server } from './local-s3.server';
import { S3Store } from './s3-store';

describe('local S3 (s3rver)', () => {
  let dir: string;
  let server: LocalS3Server;
  let clients: AwsClients;
  let store: S3Store;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'local-s3-'));
    server = await LocalS3Server.start(path.join(dir, 's3'));
    clients = new AwsClients({
      region: 'us-east-1',
      requestTimeoutMs: 3000,
      connectTimeoutMs: 1000,
      maxAttempts: 1,
      endpoints: { s3: server.endpoint },
      credentials: LOCAL_CREDENTIALS,
      inKubernetes: false,
    });
    store = new S3Store({
      s3: clients.s3,
      bucket: LOCAL_BUCKET,
      prefix: 'eks-info/',
      local: true,
      endpoint: server.endpoint,
      cacheTtlMs: 0,
      deadlineMs: 3000,
      readLimitBytes: 1 << 20,
      logger: pino({ level: 'silent' }),
    });
  });

  afterAll(async () => {
    clients?.destroy();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on loopback and keeps its data in the configured directory', () => {
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(existsSync(path.join(dir, 's3', LOCAL_BUCKET))).toBe(true);
  });

  it('round-trips text and binary objects with metadata, pages by marker and deletes', async () => {
    const binary = Buffer.from([0, 1, 2, 255, 254, 0, 10]);
    await store.put('eks-info/uploads/a.txt', Buffer.from('hello <b>'), 'text/plain; charset=utf-8', { pod: 'local', 'original-name': 'a%20b.txt' });
    await store.put('eks-info/uploads/b.bin', binary, 'application/octet-stream', { pod: 'local' });
    await store.put('eks-info/uploads/c.txt', Buffer.from('c'), 'text/plain; charset=utf-8', {});
    const first = await store.list(store.uploadsPrefix, 2);
    expect(first.items.map((i) => i.name)).toEqual(['a.txt', 'b.bin']);
    const second = await store.list(store.uploadsPrefix, 2, first.next!);
    expect(second).toMatchObject({ items: [{ name: 'c.txt', size: 1 }], next: null });

    const text = await store.get('eks-info/uploads/a.txt');
    expect(text.body.toString()).toBe('hello <b>');
    expect(text.metadata).toEqual({ pod: 'local', 'original-name': 'a%20b.txt' });
    expect((await store.get('eks-info/uploads/b.bin')).body.equals(binary)).toBe(true);

    await store.delete('eks-info/uploads/b.bin');
    expect((await store.list(store.uploadsPrefix, 10)).items.map((i) => i.name)).toEqual(['a.txt', 'c.txt']);
    expect(readdirSync(path.join(dir, 's3', LOCAL_BUCKET)).length).toBeGreaterThan(0);
  });

  it('shows settings the server does not implement as not here, versioning as read', async () => {
    const settings = await store.settings();
    expect(settings.encryption).toMatchObject({ status: 'unavailable', message: 'The local S3 server does not implement this setting.' });
    expect(settings.versioning).toMatchObject({ status: 'ok' });
    expect(await store.identity()).toMatchObject({ status: 'unavailable', message: 'Local S3 has no AWS identity.' });
  });
});
