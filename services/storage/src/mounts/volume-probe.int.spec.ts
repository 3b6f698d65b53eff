/**
 * Readiness of a volume path from the real /proc/self/mountinfo and statfs: a mount point of an
 * expected type is ready; an empty directory is not a volume (except in local mode, which says so).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mountFor, parseMountInfo } from './mountinfo';
import { VolumeProbe } from './volume-probe';

// A real, writable mount point of this machine to stand in for a volume (a container has /dev/shm).
const mounts = parseMountInfo(existsSync('/proc/self/mountinfo') ? readFileSync('/proc/self/mountinfo', 'utf8') : '');
const shm = mounts.find((m) => m.mountPoint === '/dev/shm' && !m.options.includes('ro'));
const withMount = shm ? it : it.skip;

describe('volume probe', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'probe-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  withMount('reports a mount point of an expected type as mounted and ready, with its usage', async () => {
    const status = await new VolumeProbe({ requireMounts: true }).status({ label: 'EBS', role: 'ebs', path: '/dev/shm', expectedTypes: [shm!.fsType] });
    expect(status).toMatchObject({ state: 'mounted', ready: true, fsType: shm!.fsType, mountPoint: '/dev/shm', localMode: false });
    expect(status.usage?.totalBytes).toBeGreaterThan(0);
    expect(status.message).toContain(`${shm!.fsType} mount`);
  });

  withMount('refuses a mount of another type: not the volume it should be', async () => {
    const status = await new VolumeProbe({ requireMounts: true }).status({ label: 'EFS', role: 'efs', path: '/dev/shm', expectedTypes: ['nfs4'] });
    expect(status).toMatchObject({ state: 'wrong-type', ready: false });
    expect(status.message).toContain(`as ${shm!.fsType}, not nfs4`);
  });

  it('refuses an empty directory on the root file system: data there is lost with the container', async () => {
    const status = await new VolumeProbe({ requireMounts: true }).status({ label: 'EBS', role: 'ebs', path: dir, expectedTypes: ['ext4', 'xfs'] });
    expect(status).toMatchObject({ state: 'plain-directory', ready: false, mountPoint: mountFor(dir, mounts)?.mountPoint ?? null });
    expect(status.message).toContain('is a plain directory, not a mounted volume');
  });

  it('accepts the same directory in local mode and says it is one', async () => {
    const status = await new VolumeProbe({ requireMounts: false }).status({ label: 'EBS', role: 'ebs', path: dir, expectedTypes: ['ext4'] });
    expect(status).toMatchObject({ state: 'plain-directory', ready: true, localMode: true });
    expect(status.message).toMatch(/^Local mode: .* is a plain directory standing in for the EBS volume/);
  });

  it('names a missing path', async () => {
    const status = await new VolumeProbe({ requireMounts: false }).status({ label: 'EFS', role: 'efs', path: path.join(dir, 'nope'), expectedTypes: ['nfs4'] });
    expect(status).toMatchObject({ state: 'missing', ready: false });
    expect(status.message).toContain('does not exist (ENOENT)');
  });

  it('lists storage mounts with usage and marks the ones the demos use', async () => {
    const probe = new VolumeProbe({ requireMounts: true });
    const list = await probe.list(shm ? [{ label: 'EBS', role: 'ebs', path: '/dev/shm', expectedTypes: ['*'] }] : []);
    expect(list.some((m) => m.mountPoint === '/proc' || m.mountPoint.startsWith('/sys'))).toBe(false);
    // /dev is left out as plumbing, unless a demo volume lives there.
    if (shm) expect(list.filter((m) => m.mountPoint.startsWith('/dev')).map((m) => [m.mountPoint, m.role])).toEqual([['/dev/shm', 'ebs']]);
    const other = await probe.list([]);
    expect(other.some((m) => m.mountPoint.startsWith('/dev'))).toBe(false);
    expect(list.find((m) => m.mountPoint === '/')?.usage?.totalBytes).toBeGreaterThan(0);
  });
});
