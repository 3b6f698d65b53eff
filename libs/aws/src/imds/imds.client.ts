import http from 'node:http';
import { ImdsErrors } from '@eks-info/contracts';
import { TtlCache } from '@eks-info/platform';
import { type AwsConfig, type ImdsOffReason, resolveImdsMode } from '../aws.config';
import { IMDS_HOP_LIMIT_FIX, ImdsError } from './imds.errors';

export interface ImdsClientOptions {
  enabled: boolean;
  /** Why IMDS is off (only read when `enabled` is false). */
  offReason?: ImdsOffReason;
  /** Base URL, e.g. http://169.254.169.254. */
  endpoint: string;
  /** Bound of every request: connect, send, and the whole answer. */
  timeoutMs: number;
  /** Lifetime asked for the session token; it is renewed a minute before it expires. */
  tokenTtlSeconds?: number;
  /** How long an unreachable IMDS is remembered before the next attempt. */
  unreachableTtlMs?: number;
  /** How long values are cached (instance metadata hardly changes). */
  valueTtlMs?: number;
  /** How long `getFresh` values are cached: notices that come and go (spot interruption, rebalance). */
  freshTtlMs?: number;
  now?: () => number;
}

export function imdsOptionsFromConfig(config: AwsConfig, env: NodeJS.ProcessEnv = process.env): ImdsClientOptions {
  const mode = resolveImdsMode(config.IMDS_MODE, env);
  return {
    enabled: mode.enabled,
    offReason: mode.enabled ? undefined : mode.reason,
    endpoint: config.IMDS_ENDPOINT,
    timeoutMs: config.IMDS_TIMEOUT_MS,
  };
}

/** The instance identity document (`/latest/dynamic/instance-identity/document`). */
export interface InstanceIdentityDocument {
  accountId: string;
  architecture: string;
  availabilityZone: string;
  imageId: string;
  instanceId: string;
  instanceType: string;
  pendingTime?: string;
  privateIp: string;
  region: string;
  version?: string;
}

/** Paths this app reads; `mac(…)` paths belong to one network interface. */
export const ImdsPaths = {
  token: '/latest/api/token',
  identityDocument: '/latest/dynamic/instance-identity/document',
  instanceId: '/latest/meta-data/instance-id',
  instanceType: '/latest/meta-data/instance-type',
  instanceLifeCycle: '/latest/meta-data/instance-life-cycle',
  availabilityZone: '/latest/meta-data/placement/availability-zone',
  region: '/latest/meta-data/placement/region',
  amiId: '/latest/meta-data/ami-id',
  localIpv4: '/latest/meta-data/local-ipv4',
  publicIpv4: '/latest/meta-data/public-ipv4',
  mac: '/latest/meta-data/mac',
  /** The spot interruption notice: JSON {action, time}; 404 while there is none. */
  spotInstanceAction: '/latest/meta-data/spot/instance-action',
  /** The rebalance recommendation: JSON {noticeTime}; 404 while there is none. */
  rebalanceRecommendation: '/latest/meta-data/events/recommendations/rebalance',
  macs: (mac: string, leaf: MacLeaf) => `/latest/meta-data/network/interfaces/macs/${mac}/${leaf}`,
} as const;

export type MacLeaf =
  'vpc-id' | 'subnet-id' | 'security-group-ids' | 'vpc-ipv4-cidr-blocks' | 'subnet-ipv4-cidr-block' | 'local-ipv4s' | 'interface-id' | 'owner-id';

const TOKEN_KEY = 'token';
const DEFAULT_FRESH_TTL_MS = 5_000;
const MAX_BODY = 64 * 1024;

interface Answer {
  status: number;
  body: string;
}

class Timeout extends Error {}

/**
 * IMDSv2 client: a session token from `PUT /latest/api/token`, then GETs carrying it, each bound
 * by `timeoutMs`. The token is shared by concurrent callers and renewed before it expires.
 *
 * When IMDS is off, every read fails with IMDS.DISABLED without opening a socket. When the token
 * request fails (from a pod: usually the hop limit of 1, the PUT answer never arrives), the
 * failure is remembered for `unreachableTtlMs`, so page views do not each wait for the timeout.
 */
export class ImdsClient {
  private readonly tokens: TtlCache<string>;
  private readonly values: TtlCache<string | null>;
  private readonly fresh: TtlCache<string | null>;

  constructor(private readonly options: ImdsClientOptions) {
    const tokenTtlSeconds = options.tokenTtlSeconds ?? 21_600;
    this.tokens = new TtlCache<string>({
      ttlMs: Math.max(1, tokenTtlSeconds - 60) * 1000,
      errorTtlMs: options.unreachableTtlMs ?? 60_000,
      now: options.now,
    });
    this.values = new TtlCache<string | null>({ ttlMs: options.valueTtlMs ?? 300_000, now: options.now });
    this.fresh = new TtlCache<string | null>({ ttlMs: options.freshTtlMs ?? DEFAULT_FRESH_TTL_MS, now: options.now });
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  /** The value at `path`, or null when IMDS has no such path (404, e.g. no public IP). */
  async get(path: string): Promise<string | null> {
    if (!this.options.enabled) throw this.off!;
    return this.values.get(path, () => this.read(path));
  }

  /**
   * Like `get` for values that come and go (a spot interruption notice appears two minutes before
   * the instance goes): cached only `freshTtlMs` (a few seconds), so a burst of readers costs one
   * GET and a new notice shows within that time. Null (404) is "no notice", a value, not an error.
   */
  async getFresh(path: string): Promise<string | null> {
    if (!this.options.enabled) throw this.off!;
    return this.fresh.get(path, () => this.read(path));
  }

  /** How long `getFresh` answers are kept, in milliseconds. */
  get freshTtlMs(): number {
    return this.options.freshTtlMs ?? DEFAULT_FRESH_TTL_MS;
  }

  /** Like `get`, for values that must exist. */
  async require(path: string): Promise<string> {
    const value = await this.get(path);
    if (value === null) {
      throw new ImdsError({ code: ImdsErrors.UNREACHABLE.code, message: `IMDS has no ${path}`, details: 'HTTP 404' });
    }
    return value;
  }

  /** A newline-separated list (security-group-ids, vpc-ipv4-cidr-blocks…); empty when absent. */
  async list(path: string): Promise<string[]> {
    const value = await this.get(path);
    return value === null
      ? []
      : value
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean);
  }

  async identityDocument(): Promise<InstanceIdentityDocument> {
    const text = await this.require(ImdsPaths.identityDocument);
    try {
      return JSON.parse(text) as InstanceIdentityDocument;
    } catch {
      throw new ImdsError({ code: ImdsErrors.UNREACHABLE.code, message: 'IMDS returned an unreadable instance identity document' });
    }
  }

  async region(): Promise<string> {
    return (await this.identityDocument()).region;
  }

  /** Forgets the token, cached values and a remembered failure. */
  clear(): void {
    this.tokens.clear();
    this.values.clear();
    this.fresh.clear();
  }

  /**
   * While IMDS is off, the one error every read fails with: a known state, built once, that
   * callers can answer from without reading (and catching) anything.
   */
  get off(): ImdsError | undefined {
    if (this.options.enabled) return undefined;
    return (this.offError ??= this.disabledError());
  }

  private offError?: ImdsError;

  private disabledError(): ImdsError {
    const reason = this.options.offReason ?? 'outside-kubernetes';
    return reason === 'imds-mode-off'
      ? new ImdsError({ code: ImdsErrors.DISABLED.code, message: 'IMDS is off (IMDS_MODE=off)', fix: 'Set IMDS_MODE=auto or on to enable it' }, reason)
      : new ImdsError({ code: ImdsErrors.DISABLED.code, message: 'IMDS is off outside Kubernetes', fix: 'Set IMDS_MODE=on to enable it' }, reason);
  }

  private async read(path: string): Promise<string | null> {
    let answer = await this.getWithToken(path, await this.token());
    if (answer.status === 401) {
      // The token expired early or IMDS restarted: one fresh token, one retry.
      this.tokens.delete(TOKEN_KEY);
      answer = await this.getWithToken(path, await this.token());
    }
    if (answer.status === 404) return null;
    if (answer.status !== 200) {
      throw new ImdsError({ code: ImdsErrors.UNREACHABLE.code, message: `IMDS answered HTTP ${answer.status} for ${path}` });
    }
    return answer.body;
  }

  private async getWithToken(path: string, token: string): Promise<Answer> {
    try {
      return await this.request('GET', path, { 'x-aws-ec2-metadata-token': token });
    } catch (err) {
      throw this.unreachable(`GET ${path}`, err);
    }
  }

  private token(): Promise<string> {
    return this.tokens.get(TOKEN_KEY, async () => {
      let answer: Answer;
      try {
        answer = await this.request('PUT', ImdsPaths.token, {
          'x-aws-ec2-metadata-token-ttl-seconds': String(this.options.tokenTtlSeconds ?? 21_600),
        });
      } catch (err) {
        throw this.unreachable('the token request (PUT /latest/api/token)', err);
      }
      if (answer.status !== 200 || !answer.body) {
        throw new ImdsError({
          code: ImdsErrors.UNREACHABLE.code,
          message: `IMDS refused the token request (HTTP ${answer.status})`,
          details: answer.body.slice(0, 200),
          fix: 'IMDSv2 may be disabled on this instance (HttpEndpoint=disabled). ' + IMDS_HOP_LIMIT_FIX,
        });
      }
      return answer.body.trim();
    });
  }

  private unreachable(what: string, err: unknown): ImdsError {
    const timedOut = err instanceof Timeout;
    const reason = timedOut ? `no answer within ${this.options.timeoutMs} ms` : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    return new ImdsError({
      code: ImdsErrors.UNREACHABLE.code,
      message: `IMDS is unreachable: ${what} failed (${reason})`,
      details: `endpoint ${this.options.endpoint}`,
      fix: IMDS_HOP_LIMIT_FIX,
    });
  }

  private request(method: 'GET' | 'PUT', path: string, headers: Record<string, string>): Promise<Answer> {
    return new Promise((resolve, reject) => {
      // A fresh connection per request: IMDS is local, and no pooled socket outlives the call.
      const req = http.request(new URL(path, this.options.endpoint), { method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY) req.destroy(new Error('IMDS answer too large'));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      });
      const timer = setTimeout(() => req.destroy(new Timeout('timeout')), this.options.timeoutMs);
      function fail(err: Error) {
        clearTimeout(timer);
        reject(err);
      }
      req.on('error', fail);
      req.end();
    });
  }
}
