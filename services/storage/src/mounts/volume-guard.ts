import { Inject, Injectable } from '@nestjs/common';
import { StorageErrors, type VolumeStatus } from '@eks-info/contracts';
import { DomainException, TtlCache } from '@eks-info/platform';
import { STORAGE_SETTINGS, type StorageSettings } from '../storage.tokens';
import { VolumeProbe, type VolumeSpec } from './volume-probe';

/** Pages and writes look at the volume at most this often (the probe reads /proc/self/mountinfo and
 * statfs); /ready always probes afresh. */
const CHECK_TTL_MS = 2_000;

/**
 * The EBS and EFS volume specs and their current status: for pages, for /ready, and as the gate
 * every write passes (an unmounted path must not silently collect data on the container's disk).
 */
@Injectable()
export class VolumeGuard {
  /** Recent statuses, one probe at a time per volume however many requests ask. */
  private readonly recent = new TtlCache<VolumeStatus>({ ttlMs: CHECK_TTL_MS });

  constructor(
    readonly probe: VolumeProbe,
    @Inject(STORAGE_SETTINGS) private readonly settings: StorageSettings,
  ) {}

  spec(role: 'ebs' | 'efs'): VolumeSpec | null {
    if (role === 'ebs') return { label: 'EBS', role, path: this.settings.ebsPath, expectedTypes: this.settings.ebsTypes };
    return this.settings.efsPath ? { label: 'EFS', role, path: this.settings.efsPath, expectedTypes: this.settings.efsTypes } : null;
  }

  specs(): VolumeSpec[] {
    return [this.spec('ebs'), this.spec('efs')].filter((s): s is VolumeSpec => s !== null);
  }

  async status(role: 'ebs' | 'efs'): Promise<VolumeStatus> {
    const spec = this.spec(role);
    if (!spec)
      throw new DomainException(StorageErrors.NOT_CONFIGURED, 'No EFS volume is configured here (EFS_PATH is not set).', {
        fix: 'Mount the shared EFS claim and set EFS_PATH (the chart does with storage.efs.enabled).',
      });
    return this.probe.status(spec);
  }

  /** The status, from a recent probe when there is one. */
  check(role: 'ebs' | 'efs'): Promise<VolumeStatus> {
    return this.recent.get(role, () => this.status(role));
  }

  /** Throws 503 with the reason unless the volume may be written. */
  async require(role: 'ebs' | 'efs'): Promise<VolumeStatus> {
    const status = await this.check(role);
    if (!status.ready) {
      throw new DomainException(StorageErrors.VOLUME_ERROR, `Refusing to write: ${status.message}`, {
        fix: `Mount the ${role.toUpperCase()} volume at ${status.path}${status.expectedTypes.includes('*') ? '' : ` (${status.expectedTypes.join(' or ')})`}, or set REQUIRE_MOUNTS=false to use a plain directory.`,
      });
    }
    return status;
  }
}
