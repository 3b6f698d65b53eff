import { DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { DescribeAccessPointsCommand, DescribeFileSystemsCommand } from '@aws-sdk/client-efs';
import { CoreV1Api, type V1PersistentVolume, type V1PersistentVolumeClaim, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  AwsErrors,
  type ClaimInfo,
  type EbsConfig,
  type EbsVolumeDetails,
  type EfsConfig,
  type EfsFileSystemDetails,
  type ErrorBody,
  KubeErrors,
  type Section,
  failed,
  ok,
  unavailable,
} from '@eks-info/contracts';
import { type AwsClients, awsErrorLogFields, deadlineBody, describeAwsError } from '@eks-info/aws';
import { type KubeAccessResult, httpStatusOf, toKubeError } from '@eks-info/kube';
import { LogOnce, TtlCache, withDeadline } from '@eks-info/platform';

export interface VolumeConfigOptions {
  access: KubeAccessResult;
  /** This pod, when the process runs as one (POD_NAME set): the claims are found from its spec. */
  pod: { name: string; namespace: string } | null;
  aws: AwsClients | null;
  kubeCacheTtlMs: number;
  awsCacheTtlMs: number;
  deadlineMs: number;
  logger: Logger;
}

class SectionError extends Error {
  constructor(readonly section: Section<never>) {
    super(section.status === 'ok' ? 'ok' : section.message);
  }
}

/** `fs-…::fsap-…`, `fs-…:/path` or `fs-…` (efs.csi.aws.com volume handles). */
export function parseEfsHandle(handle: string | null): { fileSystemId: string | null; accessPointId: string | null; subPath: string | null } {
  if (!handle) return { fileSystemId: null, accessPointId: null, subPath: null };
  const [fs, path, ap] = handle.split(':');
  return { fileSystemId: fs || null, subPath: path || null, accessPointId: ap || null };
}

function zoneOf(pv: V1PersistentVolume): string | null {
  for (const term of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const expr of term.matchExpressions ?? []) {
      if (
        ['topology.ebs.csi.aws.com/zone', 'topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'].includes(expr.key) &&
        expr.values?.length
      ) {
        return expr.values[0];
      }
    }
  }
  return null;
}

/**
 * The EBS and EFS configuration of this pod's volumes from the Kubernetes API: its own Pod (which
 * volume is mounted at the path, from which claim), the PersistentVolumeClaim and the bound
 * PersistentVolume (CSI driver and handle, StorageClass, access modes, zone) — three GETs by
 * name, cached, never a list. AWS describes add the volume's or file system's own settings.
 */
export class VolumeConfigSource {
  private readonly core?: CoreV1Api;
  private readonly kubeCache: TtlCache<unknown>;
  private readonly awsCache: TtlCache<unknown>;
  private readonly logOnce: LogOnce;

  /** Why there is nothing to look up here (no cluster, or not a pod), decided once. */
  private readonly absent?: Section<never>;

  constructor(private readonly options: VolumeConfigOptions) {
    if (options.access.ok && options.pod) this.core = options.access.access.kubeConfig.makeApiClient(CoreV1Api);
    if (!options.access.ok) {
      this.absent = unavailable({
        ...options.access.error,
        fix: 'Outside a cluster there is no claim behind the directory; in EKS this shows the PVC and PV.',
      });
    } else if (!options.pod) {
      this.absent = unavailable({
        code: KubeErrors.NOT_IN_CLUSTER.code,
        message: 'This process is not running as a pod (POD_NAME is not set), so it has no claims to look up.',
      });
    }
    this.kubeCache = new TtlCache({ ttlMs: options.kubeCacheTtlMs, errorTtlMs: Math.min(options.kubeCacheTtlMs, 10_000) });
    this.awsCache = new TtlCache({ ttlMs: options.awsCacheTtlMs, errorTtlMs: Math.min(options.awsCacheTtlMs, 30_000) });
    this.logOnce = new LogOnce(options.logger, 60_000);
  }

  async ebs(mountPath: string): Promise<Section<EbsConfig>> {
    if (this.absent) return this.absent;
    const found = await this.bounded(this.claimFor(mountPath, 'EBS').then((claim) => ok(claim)));
    if (found.status !== 'ok') return found;
    const claim = found.data;
    const volumeId = claim.driver === 'ebs.csi.aws.com' || claim.volumeHandle?.startsWith('vol-') ? claim.volumeHandle : null;
    const aws = volumeId
      ? await this.ebsDetails(volumeId)
      : unavailable<EbsVolumeDetails>({
          code: AwsErrors.NOT_CONFIGURED.code,
          message: 'The volume has no EBS volume id (not provisioned by ebs.csi.aws.com).',
        });
    return ok<EbsConfig>({ ...claim, volumeId, aws });
  }

  async efs(mountPath: string): Promise<Section<EfsConfig>> {
    if (this.absent) return this.absent;
    const found = await this.bounded(this.claimFor(mountPath, 'EFS').then((claim) => ok(claim)));
    if (found.status !== 'ok') return found;
    const claim = found.data;
    const handle = parseEfsHandle(claim.driver === 'efs.csi.aws.com' ? claim.volumeHandle : null);
    const aws = handle.fileSystemId
      ? await this.efsDetails(handle.fileSystemId, handle.accessPointId)
      : unavailable<EfsFileSystemDetails>({
          code: AwsErrors.NOT_CONFIGURED.code,
          message: 'The volume has no EFS file system id (not provisioned by efs.csi.aws.com).',
        });
    return ok<EfsConfig>({ ...claim, ...handle, aws });
  }

  private bounded<T>(work: Promise<Section<T>>): Promise<Section<T>> {
    const safe = work.catch((err: unknown) =>
      err instanceof SectionError ? (err.section as Section<T>) : failed<T>({ code: KubeErrors.UNREACHABLE.code, message: (err as Error).message }),
    );
    return withDeadline(safe, this.options.deadlineMs, () =>
      failed<T>({
        code: KubeErrors.UNREACHABLE.code,
        message: `The Kubernetes API did not answer within ${this.options.deadlineMs} ms.`,
        fix: 'Reload in a moment; the answer is cached when it arrives.',
      }),
    );
  }

  /** Pod → the volume mounted at `mountPath` → its claim → the bound PersistentVolume. */
  private async claimFor(mountPath: string, label: string): Promise<ClaimInfo> {
    const { access, pod } = this.options;
    if (!access.ok || !pod || !this.core) throw new SectionError(this.absent!);
    const core = this.core;
    const server = access.access.server;
    const podObj = (await this.kube(`pod/${pod.namespace}/${pod.name}`, { verb: 'get', resource: 'pods', namespace: pod.namespace, server }, () =>
      core.readNamespacedPod({ name: pod.name, namespace: pod.namespace }),
    )) as V1Pod;
    const wanted = mountPath.replace(/\/+$/, '');
    const mount = (podObj.spec?.containers ?? []).flatMap((c) => c.volumeMounts ?? []).find((m) => m.mountPath.replace(/\/+$/, '') === wanted);
    if (!mount) {
      throw new SectionError(
        failed({
          code: KubeErrors.API_NOT_FOUND.code,
          message: `Pod ${pod.name} mounts no volume at ${mountPath}.`,
          fix: `Mount the ${label} volume at ${mountPath}, or set ${label}_PATH to where it is mounted.`,
        }),
      );
    }
    const volume = podObj.spec?.volumes?.find((v) => v.name === mount.name);
    const claimName = volume?.persistentVolumeClaim?.claimName;
    if (!claimName) {
      const kind = volume ? (Object.keys(volume).find((k) => k !== 'name') ?? 'unknown') : 'unknown';
      throw new SectionError(
        failed({
          code: KubeErrors.API_NOT_FOUND.code,
          message: `The volume at ${mountPath} is backed by ${kind}, not a PersistentVolumeClaim.`,
          fix: `Give the pod a ${label} claim (the chart's StatefulSet does).`,
        }),
      );
    }
    const pvc = (await this.kube(
      `pvc/${pod.namespace}/${claimName}`,
      { verb: 'get', resource: 'persistentvolumeclaims', namespace: pod.namespace, server },
      () => core.readNamespacedPersistentVolumeClaim({ name: claimName, namespace: pod.namespace }),
    )) as V1PersistentVolumeClaim;
    const volumeName = pvc.spec?.volumeName ?? null;
    const pv = volumeName
      ? ((await this.kube(`pv/${volumeName}`, { verb: 'get', resource: 'persistentvolumes', server }, () =>
          core.readPersistentVolume({ name: volumeName }),
        )) as V1PersistentVolume)
      : undefined;
    return {
      claimName,
      namespace: pod.namespace,
      phase: pvc.status?.phase ?? null,
      storageClass: pvc.spec?.storageClassName ?? pv?.spec?.storageClassName ?? null,
      accessModes: pvc.spec?.accessModes ?? pv?.spec?.accessModes ?? [],
      requested: pvc.spec?.resources?.requests?.storage ?? null,
      capacity: pvc.status?.capacity?.storage ?? pv?.spec?.capacity?.storage ?? null,
      volumeName,
      driver: pv?.spec?.csi?.driver ?? null,
      volumeHandle: pv?.spec?.csi?.volumeHandle ?? null,
      fsType: pv?.spec?.csi?.fsType ?? null,
      reclaimPolicy: pv?.spec?.persistentVolumeReclaimPolicy ?? null,
      zone: pv ? zoneOf(pv) : null,
    };
  }

  private async kube<T>(key: string, ctx: Parameters<typeof toKubeError>[1], load: () => Promise<T>): Promise<T> {
    try {
      return (await this.kubeCache.get(key, load)) as T;
    } catch (err) {
      const body = toKubeError(err, ctx);
      if (httpStatusOf(err) === 404)
        throw new SectionError(
          failed({
            ...body,
            code: KubeErrors.API_NOT_FOUND.code,
            message: `${ctx.resource} ${key.split('/').pop()} not found${ctx.namespace ? ` in namespace ${ctx.namespace}` : ''}`,
          }),
        );
      this.logOnce.warn(`kube:${ctx.resource}:${body.code}`, { resource: ctx.resource, details: body.details }, body.message);
      throw new SectionError(failed(body));
    }
  }

  private async ebsDetails(volumeId: string): Promise<Section<EbsVolumeDetails>> {
    const ec2 = this.options.aws?.ec2;
    if (!ec2) return unavailable({ code: AwsErrors.NOT_CONFIGURED.code, message: 'AWS is not configured here.' });
    return this.awsSection('ec2:DescribeVolumes', volumeId, async () => {
      const out = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }));
      const v = out.Volumes?.[0];
      if (!v) throw Object.assign(new Error(`${volumeId} not found`), { name: 'InvalidVolume.NotFound' });
      return {
        volumeId,
        type: v.VolumeType ?? null,
        sizeGiB: v.Size ?? null,
        iops: v.Iops ?? null,
        throughputMiBps: v.Throughput ?? null,
        encrypted: v.Encrypted ?? null,
        state: v.State ?? null,
        availabilityZone: v.AvailabilityZone ?? null,
        attachedTo: (v.Attachments ?? []).map((a) => `${a.InstanceId ?? '?'} (${a.Device ?? '?'}, ${a.State ?? '?'})`),
      };
    });
  }

  private async efsDetails(fileSystemId: string, accessPointId: string | null): Promise<Section<EfsFileSystemDetails>> {
    const efs = this.options.aws?.efs;
    if (!efs) return unavailable({ code: AwsErrors.NOT_CONFIGURED.code, message: 'AWS is not configured here.' });
    return this.awsSection('elasticfilesystem:DescribeFileSystems', fileSystemId, async () => {
      const out = await efs.send(new DescribeFileSystemsCommand({ FileSystemId: fileSystemId }));
      const fs = out.FileSystems?.[0];
      let ap: { path: string | null; user: string | null } = { path: null, user: null };
      if (accessPointId) {
        const aps = await efs.send(new DescribeAccessPointsCommand({ AccessPointId: accessPointId }));
        const a = aps.AccessPoints?.[0];
        ap = { path: a?.RootDirectory?.Path ?? null, user: a?.PosixUser ? `${a.PosixUser.Uid}:${a.PosixUser.Gid}` : null };
      }
      return {
        fileSystemId,
        name: fs?.Name ?? null,
        performanceMode: fs?.PerformanceMode ?? null,
        throughputMode: fs?.ThroughputMode ?? null,
        encrypted: fs?.Encrypted ?? null,
        lifeCycleState: fs?.LifeCycleState ?? null,
        sizeBytes: fs?.SizeInBytes?.Value ?? null,
        accessPointPath: ap.path,
        accessPointUser: ap.user,
      };
    });
  }

  private awsSection<T>(action: string, resource: string, load: () => Promise<T>): Promise<Section<T>> {
    const work = (this.awsCache.get(`${action}:${resource}`, load) as Promise<T>).then(
      (value) => ok(value),
      (err: unknown) => {
        this.logOnce.warn(`aws:${action}`, { action, resource, ...awsErrorLogFields(err) }, `${action} failed`);
        const body: ErrorBody = describeAwsError(err, action, resource);
        return body.code === AwsErrors.NOT_CONFIGURED.code ? unavailable<T>(body) : failed<T>(body);
      },
    );
    return withDeadline(work, this.options.deadlineMs, () => failed<T>(deadlineBody(action, this.options.deadlineMs)));
  }
}
