import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DescribeAvailabilityZonesCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand } from '@aws-sdk/client-efs';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { AwsErrors } from '@eks-info/contracts';
import { loadConfig } from '@eks-info/platform';
import { METADATA_HOSTS, MOTO_CREDENTIALS, MetadataMock, MotoServer } from '@eks-info/testing';
import { awsCallDeadlineMs, awsConfigSpec } from './aws.config';
import { createAws } from './aws.runtime';
import { describeAwsError } from './aws-errors';
import { AwsClients, type AwsClientsOptions } from './clients';
import { IRSA_ANNOTATION } from './credentials';

const base: Omit<AwsClientsOptions, 'region'> = { requestTimeoutMs: 3000, connectTimeoutMs: 1000, maxAttempts: 1 };

/** Runs `fn` with some process env variables set (or deleted, when undefined), then restores them. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

/** A TCP server on loopback that accepts connections and never answers: a stalled endpoint (or agent). */
async function stallingServer(): Promise<{ endpoint: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    connections++;
    sockets.add(sock);
    sock.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => connections,
    close: async () => {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('AwsClients against moto', () => {
  let moto: MotoServer;
  const clients: AwsClients[] = [];
  const make = (options: Partial<AwsClientsOptions> = {}) => {
    const c = new AwsClients({ ...base, region: moto.region, inKubernetes: false, ...options });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    moto = await MotoServer.start();
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await moto?.stop();
  });

  it('serves every client from an explicit endpoint; S3 uses path-style addressing there', async () => {
    const aws = make({ endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
    expect((await aws.ec2.send(new DescribeVpcsCommand({}))).Vpcs?.length).toBeGreaterThan(0); // moto's default VPC
    expect((await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([]);
    expect((await aws.sts.send(new GetCallerIdentityCommand({}))).Account).toBe('123456789012');
    expect((await aws.efs.send(new DescribeFileSystemsCommand({}))).FileSystems).toEqual([]);
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'factory-test', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await aws.s3.send(new PutObjectCommand({ Bucket: 'factory-test', Key: 'a.txt', Body: 'hello' }));
    expect((await aws.s3.send(new ListObjectsV2Command({ Bucket: 'factory-test' }))).Contents?.map((o) => o.Key)).toEqual(['a.txt']);
    expect(aws.ec2).toBe(aws.ec2); // one shared client per service
  });

  it('honours AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL through the SDK itself', async () => {
    // EC2 by its service variable, STS by the generic one; the generic one points nowhere useful
    // for EC2, so EC2 succeeding proves the service variable wins.
    await withEnv({ AWS_ENDPOINT_URL_EC2: moto.endpoint, AWS_ENDPOINT_URL: moto.endpoint }, async () => {
      const aws = make({ credentials: MOTO_CREDENTIALS });
      expect(aws.endpointOf('ec2')).toBeUndefined();
      expect((await aws.ec2.send(new DescribeVpcsCommand({}))).Vpcs?.length).toBeGreaterThan(0);
      expect((await aws.sts.send(new GetCallerIdentityCommand({}))).Account).toBe('123456789012');
    });
    await withEnv({ AWS_ENDPOINT_URL_EC2: moto.endpoint, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, async () => {
      expect((await make({ credentials: MOTO_CREDENTIALS }).ec2.send(new DescribeVpcsCommand({}))).Vpcs?.length).toBeGreaterThan(0);
    });
  });

  it('outside Kubernetes finds credentials in env vars, and without any never tries a metadata address', async () => {
    // Record every host a socket connects to (the metadata guard below still blocks for real).
    const attempted: string[] = [];
    const original = net.Socket.prototype.connect;
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      const first = args[0];
      const options = (Array.isArray(first) ? first[0] : first) as { host?: string } | undefined;
      if (options && typeof options === 'object' && options.host) attempted.push(options.host);
      return (original as (...a: unknown[]) => net.Socket).apply(this, args);
    } as typeof original;
    try {
      // AWS_EC2_METADATA_DISABLED unset on purpose: this chain must not need it.
      await withEnv({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: undefined }, async () => {
        const aws = make({ endpoint: moto.endpoint });
        expect((await aws.sts.send(new GetCallerIdentityCommand({}))).Account).toBe('123456789012');
      });
      const err = await withEnv(
        {
          AWS_ACCESS_KEY_ID: undefined,
          AWS_SECRET_ACCESS_KEY: undefined,
          AWS_SESSION_TOKEN: undefined,
          AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
          AWS_ROLE_ARN: undefined,
          AWS_PROFILE: undefined,
          AWS_EC2_METADATA_DISABLED: undefined,
        },
        () =>
          make({ endpoint: moto.endpoint })
            .ec2.send(new DescribeVpcsCommand({}))
            .then(
              () => undefined,
              (e: unknown) => e,
            ),
      );
      expect(describeAwsError(err, 'ec2:DescribeVpcs').code).toBe(AwsErrors.NO_CREDENTIALS.code);
      expect(attempted.filter((h) => METADATA_HOSTS.has(h.toLowerCase()))).toEqual([]);
      expect(attempted).toContain('127.0.0.1'); // the recorder saw the calls that did connect
    } finally {
      net.Socket.prototype.connect = original;
    }
  });

  describe('inside Kubernetes', () => {
    /** The node's IMDS, with an instance role, on loopback; the SDK's own IMDS variables point at it. */
    let node: MetadataMock;
    let dir: string;
    /** What the SDK would read if it went looking for the node's role. */
    const nodeImds = () => ({ AWS_EC2_METADATA_SERVICE_ENDPOINT: node.endpoint, AWS_EC2_METADATA_DISABLED: undefined });

    beforeAll(async () => {
      node = await MetadataMock.start();
      dir = mkdtempSync(path.join(os.tmpdir(), 'pod-credentials-'));
    });
    afterAll(async () => {
      await node?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("without IRSA or Pod Identity never borrows the node's role: the call fails naming the missing annotation, and IMDS is never asked", async () => {
      const env = { KUBERNETES_SERVICE_HOST: '10.100.0.1', SERVICE_ACCOUNT_NAME: 'eks-info-storage', POD_NAMESPACE: 'demo' };
      const err = await withEnv(
        { ...nodeImds(), AWS_ROLE_ARN: undefined, AWS_WEB_IDENTITY_TOKEN_FILE: undefined, AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined },
        () =>
          make({ endpoint: moto.endpoint, inKubernetes: undefined, env })
            .sts.send(new GetCallerIdentityCommand({}))
            .then(
              () => 'succeeded as the node',
              (e: unknown) => e,
            ),
      );
      const body = describeAwsError(err, 'sts:GetCallerIdentity');
      expect(body).toMatchObject({
        code: AwsErrors.NO_CREDENTIALS.code,
        message: `no AWS credentials for sts:GetCallerIdentity: demo/eks-info-storage has no IAM role (no ${IRSA_ANNOTATION} annotation, no Pod Identity association)`,
      });
      expect(body.fix).toContain(`Annotate demo/eks-info-storage with ${IRSA_ANNOTATION}=`);
      expect(body.details).toContain("the node's instance role is never used");
      expect({ tokenRequests: node.tokenRequests(), roleRequests: node.requests('security-credentials') }).toEqual({ tokenRequests: 0, roleRequests: 0 });
    });

    it('with IRSA exchanges the web-identity token for the role through STS', async () => {
      const tokenFile = path.join(dir, 'irsa-token');
      writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVtbzpla3MtaW5mby1zdG9yYWdlIn0.c2ln');
      const roleArn = 'arn:aws:iam::123456789012:role/eks-info-storage';
      const env = { KUBERNETES_SERVICE_HOST: '10.100.0.1', AWS_ROLE_ARN: roleArn, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile };
      // The SDK's inner STS client (AssumeRoleWithWebIdentity) takes its endpoint from the environment.
      const who = await withEnv({ ...nodeImds(), AWS_ENDPOINT_URL_STS: moto.endpoint, AWS_REGION: moto.region }, () =>
        make({ endpoint: moto.endpoint, inKubernetes: undefined, env }).sts.send(new GetCallerIdentityCommand({})),
      );
      expect(who.Arn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/eks-info-storage\//);
      expect(node.requests('security-credentials')).toBe(0);
    });

    it("with EKS Pod Identity asks the agent's endpoint, presenting the pod's token", async () => {
      const tokenFile = path.join(dir, 'pod-identity-token');
      writeFileSync(tokenFile, 'pod-identity-token-value');
      const seen: Array<string | undefined> = [];
      const agent = http.createServer((req, res) => {
        seen.push(req.headers.authorization);
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            AccessKeyId: 'ASIAPODIDENTITY00001',
            SecretAccessKey: 'pod-identity-secret',
            Token: 'pod-identity-session',
            AccountId: '123456789012',
            Expiration: new Date(Date.now() + 3_600_000).toISOString(),
          }),
        );
      });
      await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
      try {
        const env = {
          KUBERNETES_SERVICE_HOST: '10.100.0.1',
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(agent.address() as net.AddressInfo).port}/v1/credentials`,
          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
        };
        const who = await withEnv(nodeImds(), () => make({ endpoint: moto.endpoint, inKubernetes: undefined, env }).sts.send(new GetCallerIdentityCommand({})));
        expect(who.Account).toBe('123456789012');
        expect(seen).toEqual(['pod-identity-token-value']);
        expect(node.requests('security-credentials')).toBe(0);
      } finally {
        await new Promise<void>((resolve) => agent.close(() => resolve()));
      }
    });
  });

  it("bounds each attempt with the request timeout and retries in 'standard' mode up to maxAttempts", async () => {
    const stall = await stallingServer();
    try {
      const aws = make({ endpoint: stall.endpoint, credentials: MOTO_CREDENTIALS, requestTimeoutMs: 300, maxAttempts: 2 });
      const started = Date.now();
      const err = await aws.ec2.send(new DescribeVpcsCommand({})).then(
        () => undefined,
        (e: unknown) => e,
      );
      const took = Date.now() - started;
      expect(describeAwsError(err, 'ec2:DescribeVpcs').code).toBe(AwsErrors.TIMEOUT.code);
      expect(stall.connections()).toBe(2);
      expect(took).toBeGreaterThanOrEqual(550);
      expect(took).toBeLessThan(5000);
    } finally {
      await stall.close();
    }
  });

  it('ends a whole call at its deadline, before the RPC timeout: no attempt or backoff runs past it', async () => {
    const stall = await stallingServer();
    try {
      // 3 attempts × 1000 ms would take 3 s; the caller (RPC_TIMEOUT_MS 2000) waits 2 s.
      const rpcTimeoutMs = 2000;
      const options = { requestTimeoutMs: 1000, maxAttempts: 3 };
      const aws = make({
        endpoint: stall.endpoint,
        credentials: MOTO_CREDENTIALS,
        ...options,
        callDeadlineMs: awsCallDeadlineMs({ AWS_MAX_ATTEMPTS: 3, AWS_REQUEST_TIMEOUT_MS: 1000 }, rpcTimeoutMs),
      });
      expect(aws.callDeadlineMs).toBe(1250);
      const started = Date.now();
      const err = await aws.ec2.send(new DescribeVpcsCommand({})).then(
        () => undefined,
        (e: unknown) => e,
      );
      const took = Date.now() - started;
      expect(describeAwsError(err, 'ec2:DescribeVpcs').code).toBe(AwsErrors.TIMEOUT.code);
      expect(took).toBeGreaterThanOrEqual(1200);
      expect(took).toBeLessThan(rpcTimeoutMs - 500);
      // The first attempt timed out, the second was aborted at the deadline, no third began.
      await new Promise((r) => setTimeout(r, 1500));
      expect(stall.connections()).toBe(2);
    } finally {
      await stall.close();
    }
  });

  it('ends a call at its deadline while the credentials are still being fetched (a stalled Pod Identity agent)', async () => {
    const agent = await stallingServer();
    try {
      const env = { KUBERNETES_SERVICE_HOST: '10.100.0.1', AWS_CONTAINER_CREDENTIALS_FULL_URI: `${agent.endpoint}/v1/creds` };
      const aws = make({ endpoint: moto.endpoint, inKubernetes: undefined, env, callDeadlineMs: 800 });
      const started = Date.now();
      const err = await aws.sts.send(new GetCallerIdentityCommand({})).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(describeAwsError(err, 'sts:GetCallerIdentity').code).toBe(AwsErrors.TIMEOUT.code);
      expect(Date.now() - started).toBeLessThan(1300);
    } finally {
      // The SDK's own retries of the agent go on in the background for a while: close them all.
      await new Promise((r) => setTimeout(r, 3500));
      await agent.close();
    }
  });

  it('createAws: without AWS_REGION the clients use the region IMDS reports; with IMDS off they say AWS_REGION is missing', async () => {
    const mock = await MetadataMock.start({ region: 'ap-southeast-2' });
    try {
      await withEnv({ AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }, async () => {
        const on = createAws(loadConfig(awsConfigSpec, { IMDS_MODE: 'on', IMDS_ENDPOINT: mock.endpoint }), {});
        clients.push(on.clients);
        const zones = await on.clients.ec2.send(new DescribeAvailabilityZonesCommand({}));
        expect(new Set(zones.AvailabilityZones?.map((z) => z.RegionName))).toEqual(new Set(['ap-southeast-2']));

        const off = createAws(loadConfig(awsConfigSpec, { IMDS_MODE: 'auto' }), {}); // not in Kubernetes → IMDS off
        clients.push(off.clients);
        const err = await off.clients.ec2.send(new DescribeVpcsCommand({})).then(
          () => undefined,
          (e: unknown) => e,
        );
        const body = describeAwsError(err, 'ec2:DescribeVpcs');
        expect(body.code).toBe(AwsErrors.NOT_CONFIGURED.code);
        expect(body.fix).toContain('AWS_REGION');
      });
    } finally {
      await mock.stop();
    }
  });
});
