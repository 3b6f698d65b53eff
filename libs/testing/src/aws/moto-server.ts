import { ManagedProcess } from '../process/managed-process';
import { toolPath } from '../process/paths';
import { freePort, waitFor } from '../process/wait';

/** Dummy credentials moto accepts while IAM enforcement is off. */
export const MOTO_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
export const MOTO_ACCOUNT_ID = '123456789012';

export interface MotoStartOptions {
  /** Extra environment for the server, e.g. INITIAL_NO_AUTH_ACTION_COUNT. */
  env?: NodeJS.ProcessEnv;
  region?: string;
}

/**
 * A real moto server (AWS APIs in server mode) on 127.0.0.1 for one test file. Point SDK clients
 * at `endpoint` with {@link MOTO_CREDENTIALS}, or pass `env` to a started process.
 */
export class MotoServer {
  private constructor(
    private readonly process: ManagedProcess,
    readonly port: number,
    readonly region: string,
  ) {}

  static async start(options: MotoStartOptions = {}): Promise<MotoServer> {
    const port = await freePort();
    const proc = new ManagedProcess({
      name: 'moto',
      command: toolPath('moto_server'),
      args: ['-H', '127.0.0.1', '-p', String(port)],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        // No credentials or config of the machine leak into moto's own boto calls.
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
        PYTHONUNBUFFERED: '1',
        ...options.env,
      },
    });
    const server = new MotoServer(proc, port, options.region ?? 'eu-west-1');
    try {
      await waitFor(
        async () => {
          if (!proc.running) throw new Error(`moto exited:\n${proc.tail()}`);
          const res = await fetch(`${server.endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) });
          return res.ok;
        },
        { timeoutMs: 20_000, intervalMs: 100, what: `moto on port ${port}` },
      );
    } catch (err) {
      await proc.stop();
      throw err;
    }
    return server;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.process.pid;
  }

  /** AWS_* variables that point a process's SDK at this server with dummy credentials. */
  get env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_REGION: this.region,
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }

  /** Options for an SDK client constructor. */
  clientConfig(credentials: { accessKeyId: string; secretAccessKey: string } = MOTO_CREDENTIALS) {
    return { region: this.region, endpoint: this.endpoint, credentials, maxAttempts: 1 };
  }

  /** Drops every resource moto holds (between tests that need a clean account). */
  async reset(): Promise<void> {
    await this.motoApi('/moto-api/reset', '');
  }

  /**
   * Turns IAM enforcement on from now: every later call must be signed by an IAM user's key and
   * allowed by its policies. Same switch as the INITIAL_NO_AUTH_ACTION_COUNT variable, but
   * counted from this moment, so set-up calls before it need no counting.
   */
  async enforceIam(): Promise<void> {
    await this.motoApi('/moto-api/reset-auth', '0');
  }

  /** Creates an IAM user with an inline policy allowing `actions`, and returns its access key. */
  async createIamUser(userName: string, actions: string[]): Promise<{ accessKeyId: string; secretAccessKey: string }> {
    await this.iam({ Action: 'CreateUser', UserName: userName });
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
    await this.iam({ Action: 'PutUserPolicy', UserName: userName, PolicyName: 'inline', PolicyDocument: JSON.stringify(policy) });
    const xml = await this.iam({ Action: 'CreateAccessKey', UserName: userName });
    const accessKeyId = /<AccessKeyId>([^<]+)</.exec(xml)?.[1];
    const secretAccessKey = /<SecretAccessKey>([^<]+)</.exec(xml)?.[1];
    if (!accessKeyId || !secretAccessKey) throw new Error(`moto CreateAccessKey: unexpected answer ${xml}`);
    return { accessKeyId, secretAccessKey };
  }

  async stop(): Promise<void> {
    await this.process.stop('SIGTERM', 5000);
  }

  private async motoApi(path: string, body: string): Promise<void> {
    const res = await fetch(`${this.endpoint}${path}`, { method: 'POST', body, signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`moto ${path}: HTTP ${res.status} ${await res.text()}`);
  }

  /** IAM's query API; no IAM SDK client is installed and moto needs no signature before enforcement. */
  private async iam(params: Record<string, string>): Promise<string> {
    const res = await fetch(`${this.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        // moto routes by the service named in the credential scope.
        authorization: `AWS4-HMAC-SHA256 Credential=${MOTO_CREDENTIALS.accessKeyId}/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: new URLSearchParams({ Version: '2010-05-08', ...params }).toString(),
      signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`moto IAM ${params.Action}: HTTP ${res.status} ${text}`);
    return text;
  }
}
