import {
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Vpc,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
} from '@aws-sdk/client-ec2';
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
  type TargetGroup,
  type TargetHealthDescription,
  paginateDescribeListeners,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  AwsErrors,
  type ErrorBody,
  EnvironmentErrors,
  type LoadBalancerInfo,
  type NetworkView,
  type Section,
  failed,
  ok,
  unavailable,
} from '@eks-info/contracts';
import { AwsCallError, awsErrorLogFields, deadlineBody, describeAwsError } from '@eks-info/aws';
import { LogOnce, type Logger, TtlCache, withDeadline } from '@eks-info/platform';
import { mapListener, mapLoadBalancer, mapRouteTable, mapSecurityGroup, mapSubnet, mapTargetGroup, mapVpc } from './network.mapping';

/** Which VPC to show, and where its id came from. */
export interface NetworkTarget {
  vpcId: string | null;
  region: string | null;
  vpcSource: NetworkView['vpcSource'];
}

export interface NetworkCollectorOptions {
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  /** AWS_CACHE_TTL_SECONDS in ms. */
  cacheTtlMs: number;
  /** A section waits this long (the service's SECTION_DEADLINE_MS), then shows AWS.TIMEOUT. */
  sectionDeadlineMs: number;
  /** How long a failed call is remembered (default min(30 s, cacheTtlMs)). */
  errorTtlMs?: number;
  logger?: Logger;
}

export type NetworkViewData = Omit<NetworkView, 'servedBy'>;

const NO_VPC: ErrorBody = {
  code: AwsErrors.NOT_CONFIGURED.code,
  message: 'No VPC: not running on EC2 and VPC_ID is not set',
  fix: 'Set VPC_ID (and AWS_REGION) to show a VPC from outside EC2.',
};

/** Distinct messages of failed sub-calls, for a section's note. */
class Notes {
  private readonly seen = new Set<string>();
  add(prefix: string, err: unknown): void {
    this.seen.add(`${prefix}: ${err instanceof AwsCallError ? err.body.message : String(err)}`);
  }
  get text(): string | undefined {
    return this.seen.size ? [...this.seen].join('; ') : undefined;
  }
}

/**
 * The /network view of one VPC: VPC, subnets (public/private from the route tables), security
 * groups, route tables and load balancers. Each part is its own section, so a denied or slow
 * call shows up in its section only. Every describe call is cached (TTL, single-flight: N
 * concurrent views make one call per describe) and keyed by region and VPC.
 */
export class NetworkCollector {
  private readonly cache: TtlCache<unknown>;
  private readonly logOnce?: LogOnce;

  constructor(private readonly options: NetworkCollectorOptions) {
    this.cache = new TtlCache<unknown>({
      ttlMs: options.cacheTtlMs,
      errorTtlMs: options.errorTtlMs ?? Math.min(30_000, options.cacheTtlMs),
      maxEntries: 5000,
    });
    this.logOnce = options.logger ? new LogOnce(options.logger) : undefined;
  }

  async view(target: NetworkTarget): Promise<NetworkViewData> {
    const ttl = Math.round(this.options.cacheTtlMs / 1000);
    const { vpcId, region } = target;
    if (!vpcId) {
      const none = unavailable(NO_VPC);
      return {
        region,
        vpcId: null,
        vpcSource: null,
        vpc: none,
        subnets: none,
        securityGroups: none,
        routeTables: none,
        loadBalancers: none,
        fetchedAt: null,
        cacheTtlSeconds: ttl,
      };
    }
    const used = new Set<string>();
    const call = this.caller(region, used);

    const vpc = () =>
      call<Vpc | undefined>(
        `vpc:${vpcId}`,
        'ec2:DescribeVpcs',
        vpcId,
        async () => (await this.options.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs?.[0],
      );
    const routeTables = () =>
      call(`rtb:${vpcId}`, 'ec2:DescribeRouteTables', vpcId, () =>
        all(paginateDescribeRouteTables({ client: this.options.ec2 }, { Filters: vpcFilter(vpcId) }), (p) => p.RouteTables),
      );
    const subnets = () =>
      call(`subnet:${vpcId}`, 'ec2:DescribeSubnets', vpcId, () =>
        all(paginateDescribeSubnets({ client: this.options.ec2 }, { Filters: vpcFilter(vpcId) }), (p) => p.Subnets),
      );
    const groups = () =>
      call(`sg:${vpcId}`, 'ec2:DescribeSecurityGroups', vpcId, () =>
        all(paginateDescribeSecurityGroups({ client: this.options.ec2 }, { Filters: vpcFilter(vpcId) }), (p) => p.SecurityGroups),
      );
    const dns = (attribute: 'enableDnsSupport' | 'enableDnsHostnames') =>
      call(`vpcattr:${vpcId}:${attribute}`, 'ec2:DescribeVpcAttribute', vpcId, async () => {
        const out = await this.options.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: attribute }));
        return (attribute === 'enableDnsSupport' ? out.EnableDnsSupport : out.EnableDnsHostnames)?.Value ?? null;
      });

    const [vpcSection, subnetSection, sgSection, rtbSection, lbSection] = await Promise.all([
      this.section('VPC', async () => {
        const found = await vpc();
        if (!found) return failed({ code: AwsErrors.ERROR.code, message: `VPC ${vpcId} not found in ${region ?? 'this region'}` });
        const notes = new Notes();
        const flag = (p: Promise<boolean | null>) => p.catch((err: unknown) => (notes.add('DNS settings not shown', err), null));
        const [support, hostnames] = await Promise.all([flag(dns('enableDnsSupport')), flag(dns('enableDnsHostnames'))]);
        return ok(mapVpc(found, { support, hostnames }), notes.text);
      }),
      // Public or private is read from the route tables, so this section also needs DescribeRouteTables.
      this.section('Subnets', async () => {
        const [list, tables] = await Promise.all([subnets(), routeTables()]);
        return ok(
          sortBy(
            list.map((s) => mapSubnet(s, tables)),
            (s) => `${s.availabilityZone} ${s.cidr}`,
          ),
        );
      }),
      this.section('Security groups', async () => ok(sortBy((await groups()).map(mapSecurityGroup), (g) => g.name))),
      this.section('Route tables', async () => ok((await routeTables()).map(mapRouteTable).sort((a, b) => Number(b.main) - Number(a.main)))),
      this.section('Load balancers', () => this.loadBalancers(vpcId, region, used)),
    ]);

    const times = [...used].map((k) => this.cache.loadedAt(k)).filter((t): t is number => t !== undefined);
    return {
      region,
      vpcId,
      vpcSource: target.vpcSource,
      vpc: vpcSection,
      subnets: subnetSection,
      securityGroups: sgSection,
      routeTables: rtbSection,
      loadBalancers: lbSection,
      fetchedAt: times.length ? new Date(Math.min(...times)).toISOString() : null,
      cacheTtlSeconds: ttl,
    };
  }

  /** Drops every cached AWS answer; returns how many there were. */
  refresh(): number {
    return this.cache.clear();
  }

  private async loadBalancers(vpcId: string, region: string | null, used: Set<string>): Promise<Section<LoadBalancerInfo[]>> {
    const elbv2 = this.options.elbv2;
    const call = this.caller(region, used);
    // There is no VPC filter for load balancers: list the region's (cached once) and keep this VPC's.
    const inRegion = await call('lbs', 'elasticloadbalancing:DescribeLoadBalancers', undefined, () =>
      all(paginateDescribeLoadBalancers({ client: elbv2 }, {}), (p) => p.LoadBalancers),
    );
    const notes = new Notes();
    const lbs = await Promise.all(
      inRegion
        .filter((lb: LoadBalancer) => lb.VpcId === vpcId)
        .map(async (lb) => {
          const arn = lb.LoadBalancerArn ?? '';
          const listeners = call(`listeners:${arn}`, 'elasticloadbalancing:DescribeListeners', lb.LoadBalancerName, () =>
            all(paginateDescribeListeners({ client: elbv2 }, { LoadBalancerArn: arn }), (p) => p.Listeners),
          ).catch((err: unknown) => (notes.add('Listeners not shown', err), [] as Listener[]));
          const groups = call(`tgs:${arn}`, 'elasticloadbalancing:DescribeTargetGroups', lb.LoadBalancerName, () =>
            all(paginateDescribeTargetGroups({ client: elbv2 }, { LoadBalancerArn: arn }), (p) => p.TargetGroups),
          ).catch((err: unknown) => (notes.add('Target groups not shown', err), [] as TargetGroup[]));
          const targetGroups = await Promise.all(
            (await groups).map(async (g) => {
              const health = await call(
                `health:${g.TargetGroupArn}`,
                'elasticloadbalancing:DescribeTargetHealth',
                g.TargetGroupName,
                async () => (await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn }))).TargetHealthDescriptions ?? [],
              ).catch((err: unknown) => (notes.add('Target health not shown', err), [] as TargetHealthDescription[]));
              return mapTargetGroup(g, health);
            }),
          );
          return mapLoadBalancer(lb, (await listeners).map(mapListener), targetGroups);
        }),
    );
    return ok(
      sortBy(lbs, (lb) => lb.name),
      notes.text,
    );
  }

  /**
   * Cached, single-flight AWS calls of one view, keyed by region and `name`; the keys go into
   * `used` for `fetchedAt`. A failure is described, logged once per kind, and rethrown.
   */
  private caller(region: string | null, used: Set<string>) {
    return <T>(name: string, action: string, resource: string | undefined, load: () => Promise<T>): Promise<T> => {
      const key = `${region ?? '-'}|${name}`;
      used.add(key);
      return this.cached(key, action, resource, load);
    };
  }

  private cached<T>(key: string, action: string, resource: string | undefined, load: () => Promise<T>): Promise<T> {
    return this.cache.get(key, async () => {
      try {
        return await load();
      } catch (err) {
        const body = describeAwsError(err, action, resource);
        this.logOnce?.warn(`aws:${action}:${body.code}`, { action, resource, ...awsErrorLogFields(err) }, body.message);
        throw new AwsCallError(body);
      }
    }) as Promise<T>;
  }

  /** Builds a section within the deadline; a failed call becomes the section's error. */
  private section<T>(what: string, build: () => Promise<Section<T>>): Promise<Section<T>> {
    const work = build().catch((err: unknown): Section<T> => {
      if (err instanceof AwsCallError) return err.body.code === AwsErrors.NOT_CONFIGURED.code ? unavailable(err.body) : failed(err.body);
      return failed({ code: EnvironmentErrors.COLLECTOR_FAILED.code, message: `${what}: collecting failed`, details: (err as Error)?.message ?? String(err) });
    });
    return withDeadline(work, this.options.sectionDeadlineMs, () => failed(deadlineBody(what, this.options.sectionDeadlineMs)));
  }
}

/**
 * The VPC to show: VPC_ID when set (an explicit choice, also the way to see a VPC from outside
 * EC2), else this instance's VPC from IMDS. The region: AWS_REGION, else IMDS.
 */
export async function resolveNetworkTarget(options: {
  vpcIdOverride?: string;
  regionOverride?: string;
  imds?: { vpcId(): Promise<string | null>; region(): Promise<string | null> };
}): Promise<NetworkTarget> {
  const { vpcIdOverride, regionOverride, imds } = options;
  const region = regionOverride ?? (imds ? await imds.region() : null);
  if (vpcIdOverride) return { vpcId: vpcIdOverride, region, vpcSource: 'config' };
  const vpcId = imds ? await imds.vpcId() : null;
  return { vpcId, region, vpcSource: vpcId ? 'imds' : null };
}

const vpcFilter = (vpcId: string) => [{ Name: 'vpc-id', Values: [vpcId] }];

async function all<P, T>(pages: AsyncIterable<P>, pick: (page: P) => T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(pick(page) ?? []));
  return out;
}

function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => key(a).localeCompare(key(b)));
}
