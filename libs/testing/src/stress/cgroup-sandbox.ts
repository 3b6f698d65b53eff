import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SandboxLimits {
  memoryLimitBytes?: number;
  /** CPU quota in cores (cfs_quota / period, or cpu.max). */
  cpuCores?: number;
}

export type SandboxResult = { ok: true; sandbox: CgroupSandbox } | { ok: false; reason: string };

const ROOT = '/sys/fs/cgroup';
const PERIOD_US = 100_000;

function ownPath(controller: string): string {
  const lines = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(':'));
  const line = controller === '' ? lines.find((l) => l[0] === '0') : lines.find((l) => l[1]?.split(',').includes(controller));
  return line?.[2] ?? '/';
}

/**
 * A real cgroup for one child process, so a test can give it a memory limit or a CPU quota like
 * a container's. cgroup v1 (memory, cpu, cpuacct hierarchies) or v2 (a child of this process's
 * own cgroup with the controllers enabled). The child joins it before `exec`, so everything it
 * allocates is charged. Needs root (or a delegated cgroup); `create` says why when it cannot.
 */
export class CgroupSandbox {
  private constructor(
    readonly version: 1 | 2,
    /** Directories whose cgroup.procs the child writes its PID into. */
    readonly dirs: string[],
  ) {}

  static create(name: string, limits: SandboxLimits): SandboxResult {
    const made: string[] = [];
    const fail = (reason: string): SandboxResult => {
      for (const dir of made.reverse()) tryRmdir(dir);
      return { ok: false, reason };
    };
    try {
      if (existsSync(path.join(ROOT, 'cgroup.controllers'))) {
        const dir = path.join(ROOT, ownPath(''), name);
        mkdirSync(dir);
        made.push(dir);
        if (limits.memoryLimitBytes !== undefined) {
          if (!existsSync(path.join(dir, 'memory.max')))
            return fail(`cgroup v2: the memory controller is not enabled for ${path.dirname(dir)} (its cgroup.subtree_control)`);
          writeFileSync(path.join(dir, 'memory.max'), String(limits.memoryLimitBytes));
        }
        if (limits.cpuCores !== undefined) {
          if (!existsSync(path.join(dir, 'cpu.max')))
            return fail(`cgroup v2: the cpu controller is not enabled for ${path.dirname(dir)} (its cgroup.subtree_control)`);
          writeFileSync(path.join(dir, 'cpu.max'), `${Math.round(limits.cpuCores * PERIOD_US)} ${PERIOD_US}`);
        }
        return { ok: true, sandbox: new CgroupSandbox(2, [dir]) };
      }
      const hierarchy = (controller: string) => {
        const base = path.join(ROOT, controller);
        if (!existsSync(base)) throw new Error(`cgroup v1: no ${controller} hierarchy at ${base}`);
        const dir = path.join(base, ownPath(controller), name);
        mkdirSync(dir);
        made.push(dir);
        return dir;
      };
      if (limits.memoryLimitBytes !== undefined) {
        const dir = hierarchy('memory');
        writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(limits.memoryLimitBytes));
      }
      if (limits.cpuCores !== undefined) {
        const dir = hierarchy('cpu');
        writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
        writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(Math.round(limits.cpuCores * PERIOD_US)));
        // The usage counter lives in cpuacct; a separate hierarchy needs its own child too.
        if (!existsSync(path.join(dir, 'cpuacct.usage'))) hierarchy('cpuacct');
      }
      return { ok: true, sandbox: new CgroupSandbox(1, made) };
    } catch (err) {
      return fail((err as Error).message);
    }
  }

  /** A command line that joins this cgroup and then becomes `command` (same PID). */
  wrap(command: string, args: string[]): { command: string; args: string[] } {
    const joins = this.dirs.map((d) => `echo $$ > '${path.join(d, 'cgroup.procs')}'`).join(' && ');
    return { command: '/bin/sh', args: ['-c', `${joins} && exec "$0" "$@"`, command, ...args] };
  }

  /** A file of the cgroup (e.g. memory.failcnt), or undefined. */
  read(file: string): string | undefined {
    for (const dir of this.dirs) {
      const p = path.join(dir, file);
      if (existsSync(p)) return readFileSync(p, 'utf8').trim();
    }
    return undefined;
  }

  /** Removes the directories (the child must have exited). */
  remove(): void {
    for (const dir of [...this.dirs].reverse()) tryRmdir(dir);
  }
}

function tryRmdir(dir: string): void {
  for (let i = 0; i < 20; i++) {
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      // EBUSY right after the last task exited: the kernel frees the cgroup asynchronously.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}
