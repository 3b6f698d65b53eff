import { EC2Client } from '@aws-sdk/client-ec2';
import { EFSClient } from '@aws-sdk/client-efs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PricingClient } from '@aws-sdk/client-pricing';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { inKubernetes } from '@eks-info/platform';
import { type AwsConfig, awsCallDeadlineMs } from './aws.config';
import { type AwsCredentials, defaultCredentials } from './credentials';

export type AwsService = 'ec2' | 'elbv2' | 'sts' | 's3' | 'efs' | 'pricing';

/** The `AWS_ENDPOINT_URL_<SERVICE>` suffix the SDK derives from each client's service id. */
export const ENDPOINT_ENV_SUFFIX: Readonly<Record<AwsService, string>> = {
  ec2: 'EC2',
  elbv2: 'ELASTIC_LOAD_BALANCING_V2',
  sts: 'STS',
  s3: 'S3',
  efs: 'EFS',
  pricing: 'PRICING',
};

export interface AwsClientsOptions {
  /** A region, or a provider the SDK calls when it needs one (e.g. the IMDS region). */
  region: string | (() => Promise<string>);
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  maxAttempts: number;
  /**
   * Deadline of a whole call (attempts, backoff, credentials, region): the call is aborted and
   * fails with a TimeoutError then. Default: the attempts' own worst case ({@link awsCallDeadlineMs}
   * with no RPC bound); services pass the bound derived from RPC_TIMEOUT_MS.
   */
  callDeadlineMs?: number;
  /**
   * Explicit endpoint for every client (tests, local S3). Without it the SDK reads
   * AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> itself.
   */
  endpoint?: string;
  /**
   * Region of the Price List Query API client: the API is served from a few regions only
   * (us-east-1, eu-central-1, ap-south-1) and answers for every region. Default us-east-1.
   */
  pricingRegion?: string;
  /** Per-service endpoints; win over `endpoint`. */
  endpoints?: Partial<Record<AwsService, string>>;
  /** Defaults to {@link defaultCredentials} for where the process runs. */
  credentials?: AwsCredentials;
  /** Defaults to KUBERNETES_SERVICE_HOST being set in `env`. */
  inKubernetes?: boolean;
  /** The component using the clients (environment, storage): named in a missing-credentials message. */
  component?: string;
  /** Where KUBERNETES_SERVICE_HOST and the IRSA / Pod Identity variables are looked up (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Factory options from the validated config; the caller supplies the region fallback and the RPC timeout the calls must fit in. */
export function awsClientsOptionsFromConfig(config: AwsConfig, regionFallback: () => Promise<string>, rpcTimeoutMs?: number): AwsClientsOptions {
  return {
    region: config.AWS_REGION ?? regionFallback,
    requestTimeoutMs: config.AWS_REQUEST_TIMEOUT_MS,
    connectTimeoutMs: config.AWS_CONNECT_TIMEOUT_MS,
    maxAttempts: config.AWS_MAX_ATTEMPTS,
    callDeadlineMs: awsCallDeadlineMs(config, rpcTimeoutMs ?? Infinity),
  };
}

/** An AWS call that outlived its deadline (mapped to AWS.TIMEOUT like the SDK's own TimeoutError). */
export class AwsDeadlineError extends Error {
  override readonly name = 'TimeoutError';
  constructor(
    readonly deadlineMs: number | null,
    /** `call`: this call's own deadline; `operation`: the caller's budget, shared by several calls, ran out. */
    readonly scope: 'call' | 'operation' = 'call',
  ) {
    super(
      scope === 'call'
        ? `the AWS call did not finish within its ${deadlineMs} ms deadline (attempts, backoff and credentials included)`
        : 'the operation ran out of time before this AWS call finished (its calls share one deadline)',
    );
  }
}

type Send = (command: unknown, options?: unknown, callback?: unknown) => Promise<unknown> | void;

/**
 * Makes every `send` of a client end by `deadlineMs`, or earlier when the caller's own
 * `abortSignal` (an operation's budget) fires: the in-flight attempt is aborted (no retry follows
 * an abort) and the caller's promise rejects then, even if something inside the SDK does not
 * watch the signal (a credential fetch).
 */
function withDeadline<C extends { send: Send }>(client: C, deadlineMs: number): C {
  const send = client.send.bind(client) as Send;
  client.send = ((command: unknown, options?: unknown, callback?: unknown) => {
    if (typeof options === 'function' || typeof callback === 'function') return send(command, options, callback);
    const given = (options ?? {}) as { abortSignal?: AbortSignal };
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let onGiven: (() => void) | undefined;
    const expired = new Promise<never>((_, reject) => {
      const stop = (error: AwsDeadlineError) => {
        controller.abort(error);
        reject(error);
      };
      timer = setTimeout(() => stop(new AwsDeadlineError(deadlineMs)), deadlineMs);
      const outer = given.abortSignal;
      if (outer) {
        onGiven = () => stop(new AwsDeadlineError(null, 'operation'));
        if (outer.aborted) onGiven();
        else outer.addEventListener('abort', onGiven, { once: true });
      }
    });
    expired.catch(() => undefined);
    const call = send(command, { ...given, abortSignal: controller.signal }) as Promise<unknown>;
    call.catch(() => undefined); // after the deadline nobody awaits it
    return Promise.race([call, expired]).finally(() => {
      clearTimeout(timer);
      if (onGiven) given.abortSignal?.removeEventListener('abort', onGiven);
    });
  }) as C['send'];
  return client;
}

/**
 * One lazily created, shared client per AWS service, all with the same retry, timeout, region
 * and credential settings. `destroy()` closes their sockets.
 */
export class AwsClients {
  private readonly created = new Map<AwsService, { destroy(): void }>();
  private readonly credentials: AwsCredentials;

  constructor(private readonly options: AwsClientsOptions) {
    const env = options.env ?? process.env;
    this.credentials = options.credentials ?? defaultCredentials(options.inKubernetes ?? inKubernetes(env), env, options.component);
  }

  get ec2(): EC2Client {
    return this.client('ec2', (c) => new EC2Client(c));
  }

  get elbv2(): ElasticLoadBalancingV2Client {
    return this.client('elbv2', (c) => new ElasticLoadBalancingV2Client(c));
  }

  get sts(): STSClient {
    return this.client('sts', (c) => new STSClient(c));
  }

  get s3(): S3Client {
    // S3-compatible endpoints (moto, MinIO) serve buckets by path, not by virtual host.
    return this.client('s3', (c) => new S3Client({ ...c, forcePathStyle: this.endpointOverridden('s3') }));
  }

  get efs(): EFSClient {
    return this.client('efs', (c) => new EFSClient(c));
  }

  /** The Price List Query API (pricing:GetProducts), in its own region whatever the cluster's. */
  get pricing(): PricingClient {
    return this.client('pricing', (c) => new PricingClient({ ...c, region: this.options.pricingRegion ?? 'us-east-1' }));
  }

  /** The explicit endpoint of a service, if any (env endpoints are left to the SDK). */
  endpointOf(service: AwsService): string | undefined {
    return this.options.endpoints?.[service] ?? this.options.endpoint;
  }

  destroy(): void {
    for (const client of this.created.values()) client.destroy();
    this.created.clear();
  }

  /** An explicit endpoint, or one the SDK will take from the process environment. */
  private endpointOverridden(service: AwsService): boolean {
    const env = process.env;
    return Boolean(this.endpointOf(service) || env[`AWS_ENDPOINT_URL_${ENDPOINT_ENV_SUFFIX[service]}`] || env.AWS_ENDPOINT_URL);
  }

  /** The deadline every call of these clients gets. */
  get callDeadlineMs(): number {
    return (
      this.options.callDeadlineMs ??
      awsCallDeadlineMs({ AWS_MAX_ATTEMPTS: this.options.maxAttempts, AWS_REQUEST_TIMEOUT_MS: this.options.requestTimeoutMs }, Infinity)
    );
  }

  private client<C extends { destroy(): void }>(service: AwsService, make: (config: CommonClientConfig) => C): C {
    let client = this.created.get(service) as C | undefined;
    if (!client) {
      client = make(this.commonConfig(service));
      withDeadline(client as unknown as { send: Send }, this.callDeadlineMs);
      this.created.set(service, client);
    }
    return client;
  }

  private commonConfig(service: AwsService): CommonClientConfig {
    const { region, requestTimeoutMs, connectTimeoutMs, maxAttempts } = this.options;
    const endpoint = this.endpointOf(service);
    return {
      region,
      maxAttempts,
      retryMode: 'standard',
      // Always explicit: the SDK's default chain ends at the node's role (IMDS).
      credentials: this.credentials,
      ...(endpoint ? { endpoint } : {}),
      // One handler per client: destroying a client destroys its handler's agents.
      requestHandler: new NodeHttpHandler({
        connectionTimeout: connectTimeoutMs,
        // Without throwOnRequestTimeout the handler only logs a warning when the time is up.
        requestTimeout: requestTimeoutMs,
        throwOnRequestTimeout: true,
        socketTimeout: requestTimeoutMs,
      }),
    };
  }
}

interface CommonClientConfig {
  region: string | (() => Promise<string>);
  maxAttempts: number;
  retryMode: 'standard';
  credentials: AwsCredentials;
  endpoint?: string;
  requestHandler: NodeHttpHandler;
}
