import { constants } from 'node:fs';
import { access, readFile, realpath, stat, statfs } from 'node:fs/promises';
import type { MountEntry, VolumeStatus, VolumeUsage } from '@eks-info/contracts';
import { type MountInfoLine, isStorageMount, mountFor, parseMountInfo, typeAccepted } from './mountinfo';

export interface VolumeSpec {
  /** EBS or EFS, for messages. */
  label: 'EBS' | 'EFS';
  role: 'ebs' | 'efs';
  path: string;
  expectedTypes: string[];
}

/** statfs in the numbers a page shows; null when the path cannot be examined. */
export async function usageOf(path: string): Promise<VolumeUsage | null> {
  try {
    const s = await statfs(path);
    const totalBytes = s.blocks * s.bsize;
    const usedBytes = (s.blocks - s.bfree) * s.bsize;
    const availableBytes = s.bavail * s.bsize;
    const usable = usedBytes + availableBytes;
    return { totalBytes, usedBytes, availableBytes, usedPercent: usable > 0 ? Math.round((usedBytes / usable) * 1000) / 10 : 0 };
  } catch {
    return null;
  }
}

/**
 * Looks at the volumes the demos use, from /proc/self/mountinfo and statfs: is the configured
 * path a mount point, of an expected type, writable? An empty directory on the container's root
 * file system is *not* a volume — data written there is lost with the container — so it is only
 * accepted in local mode, where the page says so.
 */
export class VolumeProbe {
  constructor(private readonly options: { requireMounts: boolean; mountInfoPath?: string }) {}

  async mounts(): Promise<MountInfoLine[]> {
    try {
      return parseMountInfo(await readFile(this.options.mountInfoPath ?? '/proc/self/mountinfo', 'utf8'));
    } catch {
      return [];
    }
  }

  /** The mounts worth listing on /storage, with usage and which demo uses them. */
  async list(volumes: VolumeSpec[]): Promise<MountEntry[]> {
    const real = await Promise.all(volumes.map(async (v) => ({ v, real: await realpath(v.path).catch(() => v.path) })));
    // Storage mounts, and whatever holds a demo volume even where plumbing usually lives.
    const mounts = (await this.mounts()).filter((m) => isStorageMount(m) || real.some((r) => r.real === m.mountPoint));
    // A later mount over the same point hides the earlier one: list what the path shows.
    const visible = new Map<string, MountInfoLine>();
    for (const m of mounts) visible.set(m.mountPoint, m);
    return Promise.all(
      [...visible.values()].map(async (m) => ({
        mountPoint: m.mountPoint,
        fsType: m.fsType,
        source: m.source,
        readOnly: m.options.includes('ro'),
        usage: await usageOf(m.mountPoint),
        role: real.find((r) => r.real === m.mountPoint)?.v.role ?? null,
      })),
    );
  }

  async status(volume: VolumeSpec): Promise<VolumeStatus> {
    const base = { path: volume.path, expectedTypes: volume.expectedTypes, localMode: !this.options.requireMounts };
    let real: string;
    try {
      real = await realpath(volume.path);
      if (!(await stat(real)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    } catch (err) {
      return {
        ...base,
        state: 'missing',
        ready: false,
        fsType: null,
        mountPoint: null,
        source: null,
        usage: null,
        message: `${volume.path} does not exist (${(err as NodeJS.ErrnoException).code ?? 'error'}): the ${volume.label} volume is not mounted there.`,
      };
    }
    const mounts = await this.mounts();
    const mount = mountFor(real, mounts);
    const usage = await usageOf(real);
    const where = { fsType: mount?.fsType ?? null, mountPoint: mount?.mountPoint ?? null, source: mount?.source ?? null, usage };
    const writable = await access(real, constants.W_OK).then(
      () => true,
      () => false,
    );
    if (!writable || mount?.options.includes('ro')) {
      return { ...base, ...where, state: 'not-writable', ready: false, message: `${volume.path} is not writable by the app's user.` };
    }
    const isMountPoint = mount !== undefined && mount.mountPoint === real;
    if (!isMountPoint) {
      const on = mount ? ` (it lives on ${mount.mountPoint}, ${mount.fsType})` : '';
      return {
        ...base,
        ...where,
        state: 'plain-directory',
        ready: !this.options.requireMounts,
        message: this.options.requireMounts
          ? `${volume.path} is a plain directory, not a mounted volume${on}: data written here is lost with the container.`
          : `Local mode: ${volume.path} is a plain directory standing in for the ${volume.label} volume${on}.`,
      };
    }
    if (!typeAccepted(mount.fsType, volume.expectedTypes)) {
      return {
        ...base,
        ...where,
        state: 'wrong-type',
        ready: !this.options.requireMounts,
        message: `${volume.path} is mounted, but as ${mount.fsType}, not ${volume.expectedTypes.join(' or ')}: is this the ${volume.label} volume?`,
      };
    }
    return { ...base, ...where, state: 'mounted', ready: true, message: `${volume.path} is a ${mount.fsType} mount of ${mount.source}.` };
  }
}
