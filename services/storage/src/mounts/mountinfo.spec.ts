import { isStorageMount, mountFor, parseFsTypes, parseMountInfo, typeAccepted } from './mountinfo';

// Lines as a pod on EKS sees them: overlay root, an EBS volume (ext4 on NVMe), the EFS share over
// NFSv4 through the efs-utils TLS proxy, kubelet-managed bind mounts and kernel file systems.
const POD_MOUNTINFO = [
  '1563 1456 0:234 / / rw,relatime master:452 - overlay overlay rw,lowerdir=/var/lib/containerd/l1,upperdir=/var/lib/containerd/u1,workdir=/var/lib/containerd/w1',
  '1564 1563 0:236 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
  '1565 1563 0:237 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755',
  '1570 1563 259:3 / /data/ebs rw,relatime - ext4 /dev/nvme1n1 rw',
  '1571 1563 0:60 / /data/efs rw,relatime shared:1 master:2 - nfs4 127.0.0.1:/ rw,vers=4.1,rsize=1048576,wsize=1048576,hard,proto=tcp,port=20049',
  '1572 1563 259:1 /var/lib/kubelet/pods/abc/etc-hosts /etc/hosts rw,relatime - xfs /dev/nvme0n1p1 rw',
  '1573 1563 0:61 / /tmp rw,relatime - tmpfs tmpfs rw,size=65536k',
  '1574 1563 0:62 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup rw',
  '1575 1563 259:3 / /with\\040space rw - ext4 /dev/nvme1n1 rw',
  'garbage line without separator',
].join('\n');

describe('mountinfo', () => {
  const mounts = parseMountInfo(POD_MOUNTINFO);

  it('parses every well-formed line, including optional fields and octal escapes', () => {
    expect(mounts).toHaveLength(9);
    const efs = mounts.find((m) => m.mountPoint === '/data/efs')!;
    expect(efs).toMatchObject({ fsType: 'nfs4', source: '127.0.0.1:/', options: ['rw', 'relatime'] });
    expect(mounts.find((m) => m.fsType === 'ext4' && m.mountPoint.includes('space'))?.mountPoint).toBe('/with space');
    expect(mounts.find((m) => m.mountPoint === '/etc/hosts')?.root).toBe('/var/lib/kubelet/pods/abc/etc-hosts');
  });

  it('finds the mount that holds a path: the longest mount point containing it', () => {
    expect(mountFor('/data/ebs', mounts)?.fsType).toBe('ext4');
    expect(mountFor('/data/ebs/access-log', mounts)?.mountPoint).toBe('/data/ebs');
    expect(mountFor('/data/ebs2', mounts)?.mountPoint).toBe('/');
    expect(mountFor('/data', mounts)?.fsType).toBe('overlay');
  });

  it('takes the later line when something is mounted over an earlier mount', () => {
    const over = parseMountInfo(`${POD_MOUNTINFO}\n1580 1570 0:70 / /data/ebs rw - tmpfs tmpfs rw`);
    expect(mountFor('/data/ebs', over)?.fsType).toBe('tmpfs');
  });

  it('lists storage, not kernel plumbing', () => {
    expect(mounts.filter(isStorageMount).map((m) => m.mountPoint)).toEqual(['/', '/data/ebs', '/data/efs', '/etc/hosts', '/tmp', '/with space']);
  });

  it('accepts expected file system types, or any with *', () => {
    expect(parseFsTypes('ext4, xfs,')).toEqual(['ext4', 'xfs']);
    expect(typeAccepted('xfs', ['ext4', 'xfs'])).toBe(true);
    expect(typeAccepted('overlay', ['ext4', 'xfs'])).toBe(false);
    expect(typeAccepted('overlay', ['*'])).toBe(true);
  });
});
