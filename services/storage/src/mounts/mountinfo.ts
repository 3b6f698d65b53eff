/** One line of /proc/self/mountinfo (see proc(5)). */
export interface MountInfoLine {
  id: number;
  parentId: number;
  /** Root of the mount within its file system (e.g. a bind-mounted sub-directory). */
  root: string;
  mountPoint: string;
  options: string[];
  fsType: string;
  source: string;
  superOptions: string[];
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040, \011, \012, \134). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Parses /proc/self/mountinfo: `id parent major:minor root mountpoint options [optional…] - type
 * source superoptions`. The optional fields vary in number, so the `-` separator splits the line.
 */
export function parseMountInfo(text: string): MountInfoLine[] {
  const out: MountInfoLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 3) continue;
    out.push({
      id: Number(fields[0]),
      parentId: Number(fields[1]),
      root: unescape(fields[3]),
      mountPoint: unescape(fields[4]),
      options: fields[5].split(','),
      fsType: fields[dash + 1],
      source: unescape(fields[dash + 2]),
      superOptions: (fields[dash + 3] ?? '').split(','),
    });
  }
  return out;
}

/**
 * The mount a path lives on: the longest mount point that contains it. When something is mounted
 * over an earlier mount at the same point, the later line wins (it is what the path shows).
 */
export function mountFor(path: string, mounts: MountInfoLine[]): MountInfoLine | undefined {
  let best: MountInfoLine | undefined;
  for (const m of mounts) {
    const contains = m.mountPoint === '/' || path === m.mountPoint || path.startsWith(`${m.mountPoint}/`);
    if (contains && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/** Kernel and container plumbing that is not storage anyone wants to see on /storage. */
const PSEUDO_TYPES = new Set([
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'devpts',
  'devtmpfs',
  'mqueue',
  'securityfs',
  'debugfs',
  'tracefs',
  'pstore',
  'bpf',
  'configfs',
  'fusectl',
  'hugetlbfs',
  'autofs',
  'binfmt_misc',
  'nsfs',
  'rpc_pipefs',
  'selinuxfs',
  'efivarfs',
  'ramfs',
]);
const PSEUDO_PREFIXES = ['/proc', '/sys', '/dev'];

/** Mounts worth listing: real and network file systems, tmpfs scratch space; not /proc, /sys, /dev. */
export function isStorageMount(m: MountInfoLine): boolean {
  if (PSEUDO_TYPES.has(m.fsType)) return false;
  return !PSEUDO_PREFIXES.some((p) => m.mountPoint === p || m.mountPoint.startsWith(`${p}/`));
}

/** `*` accepts any type; otherwise a comma-separated list such as `ext4,xfs`. */
export function parseFsTypes(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function typeAccepted(fsType: string, expected: string[]): boolean {
  return expected.includes('*') || expected.includes(fsType);
}
