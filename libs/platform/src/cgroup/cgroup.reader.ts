import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The container's own CPU and memory limits and usage, from cgroup v2 (v1 as a fallback).
 * `os.cpus()` and `os.totalmem()` report the host, not the container: a pod limited to 500m on
 * a 16-core node would otherwise think it has 16 cores.
 */
export interface CgroupLimits {
  version: 1 | 2 | null;
  /** quota / period in cores; null when unlimited or unknown. */
  cpuLimitCores: number | null;
  memoryLimitBytes: number | null;
  memoryCurrentBytes: number | null;
}

export interface CgroupPaths {
  root?: string;
  procSelfCgroup?: string;
}

/** v1 reports "no limit" as a page-aligned huge number. */
const V1_UNLIMITED = 2 ** 60;

export class CgroupReader {
  readonly version: 1 | 2 | null;
  private readonly dirs: { cpu?: string; cpuacct?: string; memory?: string; unified?: string } = {};

  constructor(paths: CgroupPaths = {}) {
    const root = paths.root ?? process.env.CGROUP_ROOT ?? '/sys/fs/cgroup';
    const self = readText(paths.procSelfCgroup ?? '/proc/self/cgroup') ?? '';
    const lines = self
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(':'));
    if (existsSync(join(root, 'cgroup.controllers'))) {
      this.version = 2;
      const rel = lines.find((l) => l[0] === '0')?.[2] ?? '/';
      this.dirs.unified = pick(join(root, rel), root, 'cpu.max');
    } else if (existsSync(join(root, 'memory')) || existsSync(join(root, 'cpu'))) {
      this.version = 1;
      for (const ctrl of ['cpu', 'cpuacct', 'memory'] as const) {
        const rel = lines.find((l) => l[1]?.split(',').includes(ctrl))?.[2] ?? '/';
        const base = [join(root, ctrl), join(root, 'cpu,cpuacct')].find((d) => existsSync(d));
        if (base)
          this.dirs[ctrl] = pick(join(base, rel), base, ctrl === 'memory' ? 'memory.limit_in_bytes' : ctrl === 'cpu' ? 'cpu.cfs_quota_us' : 'cpuacct.usage');
      }
    } else {
      this.version = null;
    }
  }

  limits(): CgroupLimits {
    return {
      version: this.version,
      cpuLimitCores: this.cpuLimitCores(),
      memoryLimitBytes: this.memoryLimitBytes(),
      memoryCurrentBytes: this.memoryCurrentBytes(),
    };
  }

  cpuLimitCores(): number | null {
    if (this.version === 2) {
      const [quota, period] = (this.read('unified', 'cpu.max') ?? 'max').split(/\s+/);
      if (quota === 'max' || !period) return null;
      return Number(quota) / Number(period);
    }
    if (this.version === 1) {
      const quota = Number(this.read('cpu', 'cpu.cfs_quota_us'));
      const period = Number(this.read('cpu', 'cpu.cfs_period_us'));
      return quota > 0 && period > 0 ? quota / period : null;
    }
    return null;
  }

  memoryLimitBytes(): number | null {
    const raw = this.version === 2 ? this.read('unified', 'memory.max') : this.read('memory', 'memory.limit_in_bytes');
    if (!raw || raw === 'max') return null;
    const n = Number(raw);
    return Number.isFinite(n) && n < V1_UNLIMITED ? n : null;
  }

  memoryCurrentBytes(): number | null {
    const raw = this.version === 2 ? this.read('unified', 'memory.current') : this.read('memory', 'memory.usage_in_bytes');
    return raw ? Number(raw) : null;
  }

  /** Total CPU time the cgroup has used, in microseconds (monotonic; diff two reads for a rate). */
  cpuUsageMicros(): number | null {
    if (this.version === 2) {
      const line = (this.read('unified', 'cpu.stat') ?? '').split('\n').find((l) => l.startsWith('usage_usec '));
      return line ? Number(line.split(' ')[1]) : null;
    }
    if (this.version === 1) {
      const ns = this.read('cpuacct', 'cpuacct.usage');
      return ns ? Math.round(Number(ns) / 1000) : null;
    }
    return null;
  }

  private read(ctrl: keyof CgroupReader['dirs'], file: string): string | undefined {
    const dir = this.dirs[ctrl];
    return dir ? readText(join(dir, file))?.trim() : undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The process's own cgroup directory when visible (no cgroup namespace), else the mount root. */
function pick(own: string, fallback: string, probe: string): string {
  return existsSync(join(own, probe)) ? own : fallback;
}
