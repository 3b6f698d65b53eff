import { DescribeRouteTablesCommand, type EC2Client, type RouteTable } from '@aws-sdk/client-ec2';
import { type Ec2Info, type ErrorBody, EnvironmentErrors, ImdsErrors, type NetworkSummary, type Section, failed, ok, unavailable } from '@eks-info/contracts';
import { AwsCallError, ImdsClient, ImdsError, ImdsPaths, awsErrorLogFields, describeAwsError } from '@eks-info/aws';
import { LogOnce, type Logger, TtlCache, withDeadline } from '@eks-info/platform';
import { mapRoute } from '../network/network.mapping';

export interface Ec2MetadataCollectorOptions {
  imds: ImdsClient;
  /** For the route summary of the instance's subnet; without it the summary shows IMDS data only. */
  ec2?: EC2Client;
  /** TTL of the DescribeRouteTables answer (AWS_CACHE_TTL_SECONDS). */
  cacheTtlMs: number;
  /**
   * How long `network()` waits for the route summary before answering without it (the call goes
   * on and fills the cache). Keep it below the page's section deadline so the IMDS part shows.
   */
  routesDeadlineMs: number;
  logger?: Logger;
}

/**
 * The EC2 side of the home page, from IMDSv2: the instance (id, type, AZ, IPs, lifecycle, AMI,
 * architecture, account) and its network (VPC, subnet, security groups, CIDRs), plus the route
 * summary of its subnet from EC2 DescribeRouteTables (cached, single-flight; left out with a note
 * when AWS fails, since the IMDS part is still worth showing).
 */
export class Ec2MetadataCollector {
  private readonly routes: TtlCache<RouteTable | null>;
  private readonly logOnce?: LogOnce;

  constructor(private readonly options: Ec2MetadataCollectorOptions) {
    // Failures are kept briefly so a denied call is not repeated by every page view.
    this.routes = new TtlCache({ ttlMs: options.cacheTtlMs, errorTtlMs: Math.min(options.cacheTtlMs, 30_000) });
    this.logOnce = options.logger ? new LogOnce(options.logger) : undefined;
  }

  /** The sections while IMDS is off: a known state, the same answer every time. */
  private offSections?: { ec2: Section<never>; network: Section<never> };

  private whenOff(): { ec2: Section<never>; network: Section<never> } | undefined {
    const off = this.options.imds.off;
    if (!off) return undefined;
    return (this.offSections ??= { ec2: this.imdsSection(off, 'instance metadata'), network: this.imdsSection(off, 'network metadata') });
  }

  async ec2(): Promise<Section<Ec2Info>> {
    const { imds } = this.options;
    const off = this.whenOff();
    if (off) return off.ec2;
    try {
      const [doc, lifecycle, publicIp] = await Promise.all([imds.identityDocument(), imds.get(ImdsPaths.instanceLifeCycle), imds.get(ImdsPaths.publicIpv4)]);
      return ok({
        instanceId: doc.instanceId,
        instanceType: doc.instanceType,
        availabilityZone: doc.availabilityZone,
        region: doc.region,
        privateIp: doc.privateIp ?? null,
        publicIp,
        lifecycle,
        amiId: doc.imageId ?? null,
        architecture: doc.architecture ?? null,
        accountId: doc.accountId ?? null,
      });
    } catch (err) {
      return this.imdsSection(err, 'instance metadata');
    }
  }

  async network(): Promise<Section<NetworkSummary>> {
    const { imds } = this.options;
    const off = this.whenOff();
    if (off) return off.network;
    let summary: NetworkSummary;
    try {
      const mac = await imds.require(ImdsPaths.mac);
      const [vpcId, subnetId, securityGroupIds, vpcCidrs, subnetCidr, localIpv4] = await Promise.all([
        imds.get(ImdsPaths.macs(mac, 'vpc-id')),
        imds.get(ImdsPaths.macs(mac, 'subnet-id')),
        imds.list(ImdsPaths.macs(mac, 'security-group-ids')),
        imds.list(ImdsPaths.macs(mac, 'vpc-ipv4-cidr-blocks')),
        imds.get(ImdsPaths.macs(mac, 'subnet-ipv4-cidr-block')),
        imds.get(ImdsPaths.localIpv4),
      ]);
      summary = { vpcId, subnetId, securityGroupIds, vpcCidrs, subnetCidr, mac, localIpv4, routes: [] };
    } catch (err) {
      return this.imdsSection(err, 'network metadata');
    }
    if (!summary.vpcId || !summary.subnetId) return ok(summary);
    if (!this.options.ec2) return ok(summary, 'Routes not shown: no EC2 client configured');

    const { vpcId, subnetId } = summary;
    const lookup = this.subnetRouteTable(vpcId, subnetId).then(
      (table) => ({ table }),
      (err: unknown) => ({ error: err instanceof AwsCallError ? err.body : { code: EnvironmentErrors.COLLECTOR_FAILED.code, message: String(err) } }),
    );
    const result = await withDeadline<{ table?: RouteTable | null; error?: ErrorBody; late?: true }>(lookup, this.options.routesDeadlineMs, () => ({
      late: true,
    }));
    if (result.late) return ok(summary, `Routes not shown yet: AWS did not answer within ${this.options.routesDeadlineMs} ms (reload in a moment)`);
    if (result.error) return ok(summary, `Routes not shown: ${result.error.message}`);
    if (!result.table) return ok(summary, `Routes not shown: no route table found for ${subnetId}`);
    summary.routes = (result.table.Routes ?? []).map(mapRoute).map((r) => `${r.destination} → ${r.target}${r.state === 'blackhole' ? ' (blackhole)' : ''}`);
    return ok(summary);
  }

  /** The VPC of this instance, or null when IMDS is off or unreachable. */
  async vpcId(): Promise<string | null> {
    const { imds } = this.options;
    try {
      return await imds.get(ImdsPaths.macs(await imds.require(ImdsPaths.mac), 'vpc-id'));
    } catch {
      return null;
    }
  }

  /** The region of this instance, or null when IMDS is off or unreachable. */
  async region(): Promise<string | null> {
    try {
      return await this.options.imds.region();
    } catch {
      return null;
    }
  }

  /** The subnet's explicitly associated route table, else the VPC's main table. */
  private subnetRouteTable(vpcId: string, subnetId: string): Promise<RouteTable | null> {
    return this.routes.get(subnetId, async () => {
      const ec2 = this.options.ec2!;
      try {
        const explicit = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
        if (explicit.RouteTables?.length) return explicit.RouteTables[0];
        const main = await ec2.send(
          new DescribeRouteTablesCommand({
            Filters: [
              { Name: 'vpc-id', Values: [vpcId] },
              { Name: 'association.main', Values: ['true'] },
            ],
          }),
        );
        return main.RouteTables?.[0] ?? null;
      } catch (err) {
        const body = describeAwsError(err, 'ec2:DescribeRouteTables', subnetId);
        this.logOnce?.warn(
          `aws:ec2:DescribeRouteTables:${body.code}`,
          { action: 'ec2:DescribeRouteTables', resource: subnetId, ...awsErrorLogFields(err) },
          body.message,
        );
        throw new AwsCallError(body);
      }
    });
  }

  private imdsSection(err: unknown, what: string): Section<never> {
    if (err instanceof ImdsError) {
      if (err.code === ImdsErrors.DISABLED.code) {
        // Outside Kubernetes (IMDS_MODE=auto) the honest reading is "not on EC2".
        const message = err.offReason === 'outside-kubernetes' ? 'Not running on EC2 (IMDS off outside Kubernetes)' : err.body.message;
        return unavailable({ ...err.body, message });
      }
      return failed(err.body);
    }
    return failed({ code: EnvironmentErrors.COLLECTOR_FAILED.code, message: `reading ${what} failed`, details: (err as Error)?.message ?? String(err) });
  }
}
