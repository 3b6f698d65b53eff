import { mkdir } from 'node:fs/promises';
import type S3rver from 's3rver';

/** Bucket of the embedded server (local mode only). */
export const LOCAL_BUCKET = 'eks-info-local';
/** s3rver accepts any signature made with these; they grant nothing anywhere else. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * The S3-compatible server `npm start` runs so the S3 demo works without AWS: s3rver on
 * loopback, any free port, data under S3_LOCAL_DIR. The service talks to it through the same
 * AWS SDK client code as to S3, with an endpoint override.
 */
export class LocalS3Server {
  private constructor(
    private readonly server: S3rver,
    readonly endpoint: string,
    readonly directory: string,
  ) {}

  static async start(directory: string): Promise<LocalS3Server> {
    await mkdir(directory, { recursive: true });
    // Loaded only in local mode: a deployed pod never pays for the local server's dependencies.
    const { default: S3rverServer } = await import('s3rver');
    const server = new S3rverServer({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: LOCAL_BUCKET }] });
    const { port } = await server.run();
    // Idle keep-alive sockets of the SDK must not hold the process open after close().
    server.httpServer?.unref();
    return new LocalS3Server(server, `http://127.0.0.1:${port}`, directory);
  }

  async close(): Promise<void> {
    this.server.httpServer?.closeAllConnections?.();
    await this.server.close().catch(() => undefined);
  }
}
