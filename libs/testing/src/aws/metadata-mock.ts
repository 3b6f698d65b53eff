import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManagedProcess } from '../process/managed-process';
import { toolPath } from '../process/paths';
import { freePort, isListening, waitFor } from '../process/wait';

/** What the mocked instance looks like; unset fields keep amazon-ec2-metadata-mock's defaults. */
export interface MetadataMockOptions {
  instanceId?: string;
  instanceType?: string;
  region?: string;
  availabilityZone?: string;
  accountId?: string;
  amiId?: string;
  /** Identity-document architecture: x86_64 or arm64. */
  architecture?: string;
  privateIp?: string;
  /** null = the instance has no public IPv4 (IMDS answers 404 for public-ipv4). */
  publicIp?: string | null;
  lifecycle?: 'spot' | 'on-demand';
  mac?: string;
  vpcId?: string;
  vpcCidrs?: string[];
  subnetId?: string;
  subnetCidr?: string;
  securityGroupIds?: string[];
  /** Require a session token (IMDSv2 only). Default true. */
  imdsv2Only?: boolean;
  /**
   * A simulated spot interruption notice at /latest/meta-data/spot/instance-action, served from
   * `afterSeconds` after the mock started (default 0); its `time` is the request time plus two
   * minutes unless set. `at` (a moment, instead of `afterSeconds`) serves it from then. Unset: no
   * notice, the path answers 404.
   */
  spotInterruption?: { action?: 'terminate' | 'stop' | 'hibernate'; afterSeconds?: number; at?: Date; time?: string };
  /**
   * A simulated rebalance recommendation at /latest/meta-data/events/recommendations/rebalance,
   * served from `afterSeconds` after the mock started (default 0), or from `at`. Unset: none, the
   * path answers 404.
   */
  rebalanceRecommendation?: { afterSeconds?: number; at?: Date };
}

/**
 * The mock serves both notices from the moment it starts unless delayed: "never" is a delay
 * longer than any test or demo runs (ten years).
 */
const NEVER_SECONDS = 10 * 365 * 24 * 3600;

const DEFAULT_MAC = '0e:49:61:0f:c3:11';

/** Per-interface keys of the mock's config and the IMDS leaf each one serves. */
const MAC_KEYS: Record<string, string> = {
  'mac-device-number': 'device-number',
  'mac-local-hostname': 'local-hostname',
  'mac-local-ipv4s': 'local-ipv4s',
  'mac-mac': 'mac',
  'mac-network-interface-id': 'interface-id',
  'mac-network-interface-card-index': 'network-card-index',
  'mac-owner-id': 'owner-id',
  'mac-public-hostname': 'public-hostname',
  'mac-public-ipv4s': 'public-ipv4s',
  'mac-security-group-ids': 'security-group-ids',
  'mac-security-groups': 'security-groups',
  'mac-subnet-id': 'subnet-id',
  'mac-subnet-ipv4-cidr-block': 'subnet-ipv4-cidr-block',
  'mac-subnet-ipv6-cidr-blocks': 'subnet-ipv6-cidr-blocks',
  'mac-vpc-id': 'vpc-id',
  'mac-vpc-ipv4-cidr-block': 'vpc-ipv4-cidr-block',
  'mac-vpc-ipv4-cidr-blocks': 'vpc-ipv4-cidr-blocks',
  'mac-vpc-ipv6-cidr-blocks': 'vpc-ipv6-cidr-blocks',
};

/** The mock's JSON config (metadata/dynamic paths and values) for `options`. */
export function metadataMockConfig(options: MetadataMockOptions): Record<string, unknown> {
  const mac = options.mac ?? DEFAULT_MAC;
  const instanceId = options.instanceId ?? 'i-0123456789abcdef0';
  const instanceType = options.instanceType ?? 'm7g.large';
  const region = options.region ?? 'eu-west-1';
  const az = options.availabilityZone ?? `${region}a`;
  const privateIp = options.privateIp ?? '10.0.1.10';
  const values: Record<string, string> = {
    'instance-id': instanceId,
    'instance-type': instanceType,
    'instance-life-cycle': options.lifecycle ?? 'on-demand',
    'placement-availability-zone': az,
    'placement-region': region,
    'local-ipv4': privateIp,
    'mac-local-ipv4s': privateIp,
    mac,
    'mac-mac': mac,
  };
  if (options.amiId) values['ami-id'] = options.amiId;
  if (options.publicIp) values['public-ipv4'] = values['mac-public-ipv4s'] = options.publicIp;
  if (options.vpcId) values['mac-vpc-id'] = options.vpcId;
  if (options.vpcCidrs) {
    values['mac-vpc-ipv4-cidr-blocks'] = options.vpcCidrs.join('\n');
    values['mac-vpc-ipv4-cidr-block'] = options.vpcCidrs[0];
  }
  if (options.subnetId) values['mac-subnet-id'] = options.subnetId;
  if (options.subnetCidr) values['mac-subnet-ipv4-cidr-block'] = options.subnetCidr;
  if (options.securityGroupIds) values['mac-security-group-ids'] = options.securityGroupIds.join('\n');

  const paths: Record<string, string> = {};
  for (const [key, leaf] of Object.entries(MAC_KEYS)) paths[key] = `/latest/meta-data/network/interfaces/macs/${mac}/${leaf}`;
  if (options.publicIp === null) {
    // A private instance has neither path. The mock lists any route whose path merely contains the
    // requested one, so both move to names without "public-ipv4" for it to answer 404.
    paths['public-ipv4'] = '/latest/meta-data/unset/a';
    paths['mac-public-ipv4s'] = '/latest/meta-data/unset/b';
  }

  const spot = options.spotInterruption;
  const rebalance = options.rebalanceRecommendation;
  const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    // From a moment rather than a delay: the mock takes its trigger times in RFC 3339.
    ...(spot?.at ? { 'mock-trigger-time': rfc3339(spot.at) } : {}),
    ...(rebalance?.at ? { 'rebalance-trigger-time': rfc3339(rebalance.at) } : {}),
    // The mock's own keys (its --mock-delay-sec, --rebalance-delay-sec and `spot` flags, as config).
    'mock-delay-sec': spot ? (spot.afterSeconds ?? 0) : NEVER_SECONDS,
    'rebalance-delay-sec': options.rebalanceRecommendation ? (options.rebalanceRecommendation.afterSeconds ?? 0) : NEVER_SECONDS,
    ...(spot?.action || spot?.time ? { spot: { ...(spot.action ? { action: spot.action } : {}), ...(spot.time ? { time: spot.time } : {}) } } : {}),
    metadata: { paths, values },
    dynamic: {
      values: {
        'instance-identity-document': {
          accountId: options.accountId ?? '111122223333',
          architecture: options.architecture ?? 'arm64',
          availabilityZone: az,
          billingProducts: null,
          devpayProductCodes: null,
          imageId: options.amiId ?? 'ami-0123456789abcdef0',
          instanceId,
          instanceType,
          kernelId: null,
          marketplaceProductCodes: null,
          pendingTime: '2025-01-01T00:00:00Z',
          privateIp,
          ramdiskId: null,
          region,
          version: '2017-09-30',
        },
      },
    },
  };
}

/**
 * amazon-ec2-metadata-mock on 127.0.0.1 (IMDSv2 only by default), configured through a JSON
 * config file. It logs every request, which lets tests count token requests.
 */
export class MetadataMock {
  private constructor(
    private readonly process: ManagedProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(options: MetadataMockOptions = {}): Promise<MetadataMock> {
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'aemm-'));
    const configFile = path.join(dir, 'aemm-config.json');
    writeFileSync(configFile, JSON.stringify(metadataMockConfig(options)));
    const args = ['-n', '127.0.0.1', '-p', String(port), '-c', configFile];
    if (options.imdsv2Only ?? true) args.push('-I');
    // HOME points at the temp dir so no aemm-config.json of the machine is merged in.
    const proc = new ManagedProcess({ name: 'ec2-metadata-mock', command: toolPath('ec2-metadata-mock'), args, env: { PATH: process.env.PATH, HOME: dir } });
    const mock = new MetadataMock(proc, dir, port);
    try {
      await waitFor(
        async () => {
          if (!proc.running) throw new Error(`ec2-metadata-mock exited:\n${proc.tail()}`);
          return isListening(port);
        },
        { timeoutMs: 10_000, what: `ec2-metadata-mock on port ${port}` },
      );
    } catch (err) {
      await mock.stop();
      throw err;
    }
    return mock;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Token PUTs the mock has logged so far. */
  tokenRequests(): number {
    return this.process.output.filter((l) => l.includes('GenerateToken Received request')).length;
  }

  /** Metadata GETs (served or 404) for paths containing `fragment` the mock has logged so far. */
  requests(fragment: string): number {
    return this.process.output.filter((l) => l.includes('Received request to') && l.includes(fragment)).length;
  }

  /**
   * GETs of exactly `path` the mock has logged, by its token check (IMDSv2 only): the spot and
   * rebalance handlers log no "Received request to" line of their own.
   */
  tokenCheckedGets(path: string): number {
    const line = `ValidateToken Received request: &{GET ${path} `;
    return this.process.output.filter((l) => l.includes(line)).length;
  }

  async stop(): Promise<void> {
    await this.process.stop('SIGTERM', 5000);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
