import path from 'node:path';
import { AwsClients, awsCallDeadlineMs, type createAws } from '@eks-info/aws';
import type { Logger } from '@eks-info/platform';
import type { StorageConfig } from '../storage.config';
import type { S3Runtime } from '../storage.tokens';
import { detectAccessMethod } from './access-method';
import { LOCAL_BUCKET, LOCAL_CREDENTIALS, LocalS3Server } from './local-s3.server';
import { S3Store } from './s3-store';

/**
 * S3 as configured: the bucket through AWS (IRSA/Pod Identity), the embedded local server, or
 * nothing. The endpoint variables (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_STS`) are the SDK's own,
 * read from `env` so that the choice of STS client follows the same settings the SDK sees.
 */
export async function createS3Runtime(
  config: StorageConfig,
  aws: ReturnType<typeof createAws>,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<S3Runtime> {
  const common = {
    prefix: config.S3_PREFIX,
    cacheTtlMs: config.AWS_CACHE_TTL_SECONDS * 1000,
    deadlineMs: config.SECTION_DEADLINE_MS,
    readLimitBytes: config.UPLOAD_LIMIT_BYTES,
    logger,
  };
  if (config.S3_BUCKET) {
    const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? null;
    // A custom S3 endpoint (MinIO) without an STS one: STS would be AWS's, with keys it does not know.
    const stsIsAws = !env.AWS_ENDPOINT_URL_S3 || Boolean(env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL);
    const store = new S3Store({
      ...common,
      s3: aws.clients.s3,
      sts: stsIsAws ? aws.clients.sts : undefined,
      bucket: config.S3_BUCKET,
      local: false,
      endpoint,
      operationDeadlineMs: aws.clients.callDeadlineMs,
    });
    const runtime: S3Runtime = {
      configured: true,
      store,
      access: detectAccessMethod(env, false),
      clients: aws.clients,
      local: null,
      region: config.AWS_REGION ?? null,
    };
    // Without AWS_REGION the SDK asks IMDS: learn it in the background, start-up does not wait.
    if (!config.AWS_REGION) {
      void aws.clients.s3.config.region().then(
        (region) => {
          runtime.region = region;
        },
        () => undefined,
      );
    }
    return runtime;
  }
  if (config.S3_LOCAL_DIR) {
    try {
      const local = await LocalS3Server.start(path.resolve(config.S3_LOCAL_DIR));
      const clients = new AwsClients({
        region: 'us-east-1',
        requestTimeoutMs: config.AWS_REQUEST_TIMEOUT_MS,
        connectTimeoutMs: config.AWS_CONNECT_TIMEOUT_MS,
        maxAttempts: config.AWS_MAX_ATTEMPTS,
        callDeadlineMs: awsCallDeadlineMs(config, config.RPC_TIMEOUT_MS),
        endpoints: { s3: local.endpoint },
        credentials: LOCAL_CREDENTIALS,
      });
      const store = new S3Store({
        ...common,
        s3: clients.s3,
        bucket: LOCAL_BUCKET,
        local: true,
        endpoint: local.endpoint,
        operationDeadlineMs: clients.callDeadlineMs,
      });
      logger.info({ endpoint: local.endpoint, directory: local.directory }, 'local S3 server started');
      return { configured: true, store, access: detectAccessMethod(env, true), clients, local, region: 'us-east-1' };
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'the local S3 server did not start');
      return {
        configured: false,
        reason: `The local S3 server did not start: ${(err as Error).message}`,
        fix: `Check that ${config.S3_LOCAL_DIR} is writable, or set S3_BUCKET to use a real bucket.`,
      };
    }
  }
  return {
    configured: false,
    reason: 'No S3 bucket is configured here (S3_BUCKET is not set).',
    fix: "Set S3_BUCKET (the chart's storage.s3.bucket, from Terraform's s3_bucket output) and give the storage service account an IAM role that may use it (IRSA or Pod Identity).",
  };
}
